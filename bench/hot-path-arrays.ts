/**
 * 8 MB float64 arrays from TypeScript (issue 13's goal: ≥ 2 GB/s each way): AtomicReference.set
 * and .get of a 1e6-element Float64Array against a node in its own process, beside the floor (the
 * bare ZMTP echo moving 8 MB up, then 8 MB down, in a third process), interleaved; and the Arrow
 * encode / decode alone.
 *
 *   npx tsx bench/hot-path-arrays.ts [--calls 40] [--placement split|same|none]
 */
import { Command, Option } from 'commander';
import { loadavg } from 'node:os';
import { AtomicReference, connect, releaseArray } from 'crucial';
import { encodeArray, decodeArrow, loadArrow } from '../core/protocol/wire/arrow.ts';
import { WireCodec, parseCall } from '../core/protocol/wire/codec.ts';
import { latencyGroup } from './lib/measure.ts';
import { startFloorServer, zmtpEcho } from './lib/floor.ts';
import { pinProcess, startDsoProcess } from './lib/servers.ts';
import { percentile } from '../examples/lib/stats.ts';
import { GcWatch } from './lib/gc.ts';

const opts = new Command('hot-path-arrays').option('--calls <n>', 'timed calls per side', '40')
  .addOption(new Option('-p, --placement <how>').choices(['split', 'same', 'none']).default('split')).parse()
  .opts<{ calls: string; placement: string }>();
const CALLS = Number(opts.calls);
const SERVER_CPUS = opts.placement === 'split' ? '1' : opts.placement === 'same' ? '0' : undefined;
if (SERVER_CPUS !== undefined) pinProcess(process.pid, '0');

const arr = new Float64Array(1_000_000).map((_, i) => i * 0.5);
const MB = arr.byteLength / 1e6;
await loadArrow();
const time = (f: () => unknown, n = 20) => { const ms: number[] = []; for (let i = 0; i < n; i++) { const t = process.hrtime.bigint(); f(); ms.push(Number(process.hrtime.bigint() - t) / 1e6); } return percentile(ms, 50); };
const enc = time(() => encodeArray(arr));
const frame = encodeArray(arr);
const dec = time(() => decodeArrow(frame));
console.log(`Arrow alone, 8 MB float64, p50 ms: encodeArray ${enc.toFixed(2)} (${(MB / enc).toFixed(2)} GB/s), decodeArrow ${dec.toFixed(3)}`);

// The stages of an 8 MB call alone (p50 of 20), as bench/hot-path-profile.ts does for small calls.
{
  const c = new WireCodec();
  const n = new WireCodec(undefined, { strictStrings: true });
  const id = new Uint8Array(8);
  const up = c.encodeCall(id, 1, 'AtomicReference', 'k', 'set', [arr]);
  const down = n.encodeOk(1, arr);
  const kept = (parseCall(n.decodeValue(up)).args[0]) as Float64Array;
  const st: [string, number][] = [
    ['client encode, joined (encodeCall: Arrow IPC of the array + envelope, one copy)', time(() => c.encodeCall(id, 1, 'AtomicReference', 'k', 'set', [arr]))],
    ['client encode, as a call sends it (encodeCallScattered: the array\'s own buffer, no copy)', time(() => c.encodeCallScattered(id, 1, 'AtomicReference', 'k', 'set', [arr]))],
    ['a fresh 8 MB buffer filled (what a read into a new frame costs beyond the socket)', time(() => Buffer.allocUnsafe(up[1]!.byteLength).set(up[1]!))],
    ['node decode (decodeValue strict + parseCall: verify + tableFromIPC)', time(() => parseCall(n.decodeValue(up)))],
    ['node encode of the get reply, joined (encodeOk: Arrow IPC, one copy)', time(() => n.encodeOk(1, arr))],
    ['node encode of the get reply of an array kept as received (encodeOkScattered, no copy)', time(() => n.encodeOkScattered(1, kept))],
    ['client decode of the get reply (decodeValue)', time(() => c.decodeValue(down))],
  ];
  console.log('| stage of an 8 MB call, alone | p50 ms |\n| --- | ---: |');
  for (const [k, v] of st) console.log(`| ${k} | ${v.toFixed(2)} |`);
}

// The node also listens on a Unix socket: the same calls over it are rows of their own (dso/options.ts ipcPath).
const dso = await startDsoProcess({ cpus: SERVER_CPUS, ipc: true });
const floor = await startFloorServer(SERVER_CPUS);
const conn = connect(dso.address);
const ref = new AtomicReference<Float64Array>(`arrays.${Date.now()}`, undefined, { connection: conn });
await ref.set(arr);
const back = await ref.get();
if (!back || back.length !== arr.length || back[123_456] !== arr[123_456]) throw new Error('the array came back different');
const ipcConn = connect(dso.ipcAddress!);
const ipcRef = new AtomicReference<Float64Array>(ref.key, undefined, { connection: ipcConn });
const z = await zmtpEcho(floor.zmtp);
const gcWatch = new GcWatch();
await dso.gc?.();
const g = await latencyGroup({
  set: () => ref.set(arr),
  get: () => ref.get(),
  // The opt-in reuse of the receive buffer (releaseArray): the next get reads into it.
  'get+release': async () => { releaseArray((await ref.get())!); },
  'set, ipc': () => ipcRef.set(arr),
  'get, ipc': () => ipcRef.get(),
  'echo up': () => z.echo(arr.byteLength + 300, 8),
  'echo down': () => z.echo(64, arr.byteLength + 300),
}, CALLS, 5);
const gcHere = gcWatch.stop();
const gcNode = await dso.gc?.();
const ms = (k: keyof typeof g) => g[k].p50 / 1000;
console.log(`8 MB float64 over ${opts.placement}, ${CALLS} calls per side interleaved; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| direction | crucial p50 ms | GB/s | bare ZMTP echo p50 ms | GB/s | crucial/echo |\n| --- | ---: | ---: | ---: | ---: | ---: |');
console.log(`| TS → node (set) | ${ms('set').toFixed(2)} | ${(MB / ms('set')).toFixed(2)} | ${ms('echo up').toFixed(2)} | ${(MB / ms('echo up')).toFixed(2)} | ${(ms('set') / ms('echo up')).toFixed(2)} |`);
console.log(`| node → TS (get) | ${ms('get').toFixed(2)} | ${(MB / ms('get')).toFixed(2)} | ${ms('echo down').toFixed(2)} | ${(MB / ms('echo down')).toFixed(2)} | ${(ms('get') / ms('echo down')).toFixed(2)} |`);
console.log(`| node → TS (get, then releaseArray) | ${ms('get+release').toFixed(2)} | ${(MB / ms('get+release')).toFixed(2)} | ${ms('echo down').toFixed(2)} | ${(MB / ms('echo down')).toFixed(2)} | ${(ms('get+release') / ms('echo down')).toFixed(2)} |`);
for (const [k, echo] of [['set, ipc', 'echo up'], ['get, ipc', 'echo down']] as const) {
  console.log(`| ${k === 'set, ipc' ? 'TS → node (set)' : 'node → TS (get)'} over the node's Unix socket | ${ms(k).toFixed(2)} | ${(MB / ms(k)).toFixed(2)} | ${ms(echo).toFixed(2)} (TCP) | ${(MB / ms(echo)).toFixed(2)} | ${(ms(k) / ms(echo)).toFixed(2)} |`);
}
const gcLine = (s: typeof gcHere) => `${s.count} pauses, ${s.totalMs.toFixed(0)} ms, longest ${s.maxMs.toFixed(1)} ms (${s.byKind})`;
console.log(`GC during the rows (set, get and both echoes): bench process ${gcLine(gcHere)}${gcNode ? `; node ${gcLine(gcNode)}` : ''}`);
z.close();
await conn.close();
await ipcConn.close();
await floor.stop();
await dso.stop();
process.exit(0);
