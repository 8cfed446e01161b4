/**
 * Where an 8 MB get's time goes on the client, beside the bare ZMTP echo of the same bytes down:
 * each in its own phase (not interleaved), so the GC each causes in this process is its own.
 * Per call: "first byte" = call to the first read of the reply, "fill" = first read to the last
 * frame complete (the socket reading into the frame's buffer), "after" = last frame complete to
 * the promise settled (envelope + Arrow decode, the call's bookkeeping); "decode" = time inside
 * WireCodec's decode methods. p50/min of each, ms. Instrumented by wrapping FrameDecoder and
 * WireCodec prototype methods (a bench only: the product code is untouched).
 *
 *   npx tsx bench/hot-path-arrays-phases.ts [calls=40] [rounds=2]
 */
import { AtomicReference, connect, releaseArray } from 'crucial';
import { loadavg } from 'node:os';
import { loadArrow } from '../core/protocol/wire/arrow.ts';
import { WireCodec } from '../core/protocol/wire/codec.ts';
import { FrameDecoder } from '../core/protocol/transport/zmtp/decoder.ts';
import { startFloorServer, zmtpEcho } from './lib/floor.ts';
import { startDsoProcess } from './lib/servers.ts';
import { GcWatch } from './lib/gc.ts';

const N = Number(process.argv[2] ?? 40);
const ROUNDS = Number(process.argv[3] ?? 2);
await loadArrow();

let tFirst = 0;
let tBody = 0;
let tDec = 0;
let depth = 0;
type Fn = (...a: unknown[]) => unknown;
const D = FrameDecoder.prototype as unknown as Record<string, Fn>;
const push = D['push']!;
D['push'] = function (this: unknown, ...a: unknown[]) { if (!tFirst) tFirst = performance.now(); return push.apply(this, a); };
const complete = D['completeBody']!;
D['completeBody'] = function (this: unknown, ...a: unknown[]) { tBody = performance.now(); return complete.apply(this, a); };
const W = WireCodec.prototype as unknown as Record<string, Fn>;
for (const m of Object.getOwnPropertyNames(W)) {
  if (!m.startsWith('decode') || typeof W[m] !== 'function') continue;
  const orig = W[m]!;
  // Outermost call only: decodeReply calls decodeFrom.
  W[m] = function (this: unknown, ...a: unknown[]) {
    const t0 = depth++ === 0 ? performance.now() : 0;
    try { return orig.apply(this, a); } finally { if (--depth === 0) tDec += performance.now() - t0; }
  };
}

const arr = new Float64Array(1_000_000).map((_, i) => i * 0.5);
const dso = await startDsoProcess({});
const floor = await startFloorServer();
const conn = connect(dso.address);
const ref = new AtomicReference<Float64Array>(`phases.${Date.now()}`, undefined, { connection: conn });
await ref.set(arr);
await ref.get();
const z = await zmtpEcho(floor.zmtp);
await z.echo(64, arr.byteLength + 300);
console.log(`8 MB down, ${N} calls per phase, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ms p50/min`);
console.log('| row | call | first byte | fill | after | decode | GC in this process |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |');
const phases = [
  ['get', () => ref.get()],
  // The opt-in reuse (releaseArray): each get reads into the buffer the previous one gave back.
  ['get + releaseArray', async () => { releaseArray((await ref.get())!); }],
  ['echo down', () => z.echo(64, arr.byteLength + 300)],
] as const;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, f] of phases) {
    const gc = new GcWatch();
    const rows: number[][] = [];
    for (let i = 0; i < N; i++) {
      tFirst = 0;
      tDec = 0;
      const t = performance.now();
      await f();
      const e = performance.now();
      rows.push([e - t, tFirst - t, tBody - tFirst, e - tBody, tDec]);
    }
    const s = gc.stop();
    const col = (k: number) => { const v = rows.map((r) => r[k]!).sort((a, b) => a - b); return `${v[v.length >> 1]!.toFixed(2)}/${v[0]!.toFixed(2)}`; };
    console.log(`| ${name} | ${col(0)} | ${col(1)} | ${col(2)} | ${col(3)} | ${col(4)} | ${s.count} pauses, ${s.totalMs.toFixed(0)} ms (${s.byKind}) |`);
  }
}
z.close();
await conn.close();
await floor.stop();
await dso.stop();
process.exit(0);
