/**
 * Where a small call's time goes (issue 13): each stage of one call run on its own in a loop, with
 * the very functions the call path runs, so the product carries no timing hooks at all; then, in
 * this one process, the whole call (client and node on one event loop) against crucial's bare ZMTP
 * echo, interleaved. What the stages add up to beside that difference says what is accounted for.
 *
 *   npx tsx bench/hot-path-profile.ts [--n 5000] [--rounds 21] [--calls 20000]
 *
 * Stages, in the call's order: client encode (WireCodec.encodeCallFast), client framing
 * (encodeMessage: the copy of the frames into one write), node read (the copy out of the shared
 * read buffer and FrameDecoder), node decode (decodeCall on the strict-string codec), dedup
 * (begin + finish: the exactly-once record), dispatch and method (ObjectStore.invoke), of which the
 * method alone, node encode (encodeOk), route lookup (ZmtpRouter.send's map key, as it was and as it is), node framing,
 * client read, client decode (decodeReply) and client bookkeeping (the pending map, a
 * Promise, the clocks).
 */
import { Command } from 'commander';
import { WireCodec, parseCall } from '../core/protocol/wire/codec.ts';
import { parseReply } from '../core/protocol/wire/reply.ts';
import { encodeMessage, greeting, encodeCommand, encodeMetadata } from '../core/protocol/transport/zmtp/wire.ts';
import { FrameDecoder } from '../core/protocol/transport/zmtp/decoder.ts';
import { TypeRegistry } from '../dso/registry.ts';
import { ObjectStore } from '../dso/store.ts';
import { DedupCache } from '../dso/dedup.ts';
import { registerBuiltins } from '../dso/objects/index.ts';
import { connect, AtomicLong, AtomicReference } from 'crucial';
import { startDso } from 'crucial/node';
import { ZmtpRouter } from '../core/protocol/transport/zmtp/router.ts';
import { ZmtpDealer } from '../core/protocol/transport/zmtp/dealer.ts';
import { latencyGroup } from './lib/measure.ts';
import { percentile } from '../examples/lib/stats.ts';
import { loadavg } from 'node:os';

const opts = new Command('hot-path-profile').option('--n <n>', 'iterations per stage and round', '5000').option('--rounds <r>', 'rounds (the least taken)', '21')
  .option('--calls <c>', 'timed calls per side in the end-to-end part', '20000').parse().opts<{ n: string; rounds: string; calls: string }>();
const N = Number(opts.n);
const ROUNDS = Number(opts.rounds);

/**
 * Least over rounds of the mean ns per op: on a loaded machine a round loses time to other
 * processes, never gains it, so the least round is the stage's own cost.
 */
function time(op: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(N, 5000); i++) op(i);
  const per: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) op(i);
    per.push(Number(process.hrtime.bigint() - t) / N);
  }
  return Math.min(...per);
}

const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
const clientId = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const clientCodec = new WireCodec();
const nodeCodec = new WireCodec(undefined, { strictStrings: true });
const registry = new TypeRegistry();
registerBuiltins(registry);
const store = new ObjectStore(registry);
const dedup = new DedupCache();
const route = Buffer.from([0, 1, 2, 3, 4]);
const peers = new Map<string, object>([[route.toString('latin1'), {}]]);
const byRoute = new WeakMap<Uint8Array, object>([[route, {}]]);

interface Case { name: string; type: string; key: string; method: string; args: unknown[]; result: unknown }
const cases: Case[] = [
  { name: '1 KB put', type: 'AtomicReference', key: 'p.1kb', method: 'set', args: [kb], result: null },
  { name: '1 KB get', type: 'AtomicReference', key: 'p.1kb', method: 'get', args: [], result: kb },
  { name: 'addAndGet', type: 'AtomicLong', key: 'p.counter', method: 'addAndGet', args: [3], result: 123456n },
];

/** A FrameDecoder past its greeting, collecting each message's frames. */
function reader(): { dec: FrameDecoder; out: Buffer[][] } {
  const out: Buffer[][] = [];
  let cur: Buffer[] = [];
  const dec = new FrameDecoder({
    greeting() { /* checked elsewhere */ },
    accept() { return true; },
    frame(flags, body) { cur.push(body!); if (!(flags & 1)) { out.push(cur); cur = []; } },
  });
  dec.push(Buffer.concat([greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'DEALER' }))]));
  out.length = 0;
  return { dec, out };
}

const rows: [string, ...number[]][] = [];
const stage = (name: string, f: (c: Case) => (i: number) => unknown) => rows.push([name, ...cases.map((c) => time(f(c)))]);

// Objects exist, as in the bench (the first call made them).
for (const c of cases) store.invoke({ client: clientId, seq: 0, type: c.type, key: c.key, method: c.method === 'get' ? 'set' : c.method, args: c.method === 'get' ? [kb] : c.args, opts: {} });

stage('client encode, before (encodeCall)', (c) => (i) => clientCodec.encodeCall(clientId, i, c.type, c.key, c.method, c.args));
stage('client encode (encodeCallFast)', (c) => (i) => clientCodec.encodeCallFast(clientId, i, c.type, c.key, c.method, c.args));
stage('client framing (encodeMessage)', (c) => { const f = clientCodec.encodeCall(clientId, 1, c.type, c.key, c.method, c.args); return () => encodeMessage(f); });
stage('node read (copy + FrameDecoder)', (c) => {
  const wire = encodeMessage(clientCodec.encodeCall(clientId, 1, c.type, c.key, c.method, c.args));
  const { dec, out } = reader();
  return () => { dec.push(Buffer.from(wire)); out.length = 0; };
});
stage('node decode, before (decodeValue strict + parseCall)', (c) => { const f = clientCodec.encodeCall(clientId, 1, c.type, c.key, c.method, c.args); return () => parseCall(nodeCodec.decodeValue(f)); });
stage('node decode (decodeCall, strict)', (c) => { const f = clientCodec.encodeCall(clientId, 1, c.type, c.key, c.method, c.args).map((x) => Buffer.from(x)); return () => nodeCodec.decodeCall(f); });
let dseq = 1;
stage('dedup (begin + finish)', () => { const reply = [new Uint8Array(8)]; return () => { const s = dseq++; dedup.begin(clientId, s, route); dedup.finish(clientId, s, reply); }; });
stage('dispatch + method (ObjectStore.invoke)', (c) => { const call = parseCall(nodeCodec.decodeValue(clientCodec.encodeCall(clientId, 1, c.type, c.key, c.method, c.args))); return () => store.invoke(call); });
stage('  method alone', (c) => { const inst = store.instanceOf(c.type, c.key) as Record<string, (...a: unknown[]) => unknown>; return () => inst[c.method]!(...c.args); });
stage('node encode (encodeOk)', (c) => (i) => nodeCodec.encodeOk(i, c.result));
stage('route lookup, before 64d6df2 (latin1 key + Map.get)', () => () => peers.get(Buffer.from(route.buffer, route.byteOffset, route.byteLength).toString('latin1')));
stage('route lookup, now (WeakMap by the route object)', () => () => byRoute.get(route));
stage('node framing (encodeMessage)', (c) => { const f = nodeCodec.encodeOk(1, c.result); return () => encodeMessage(f); });
stage('client read (copy + FrameDecoder)', (c) => {
  const wire = encodeMessage(nodeCodec.encodeOk(1, c.result));
  const { dec, out } = reader();
  return () => { dec.push(Buffer.from(wire)); out.length = 0; };
});
stage('client decode, before (decodeValue + parseReply)', (c) => { const f = nodeCodec.encodeOk(1, c.result); return () => parseReply(clientCodec.decodeValue(f)); });
stage('client decode (decodeReply)', (c) => { const f = nodeCodec.encodeOk(1, c.result); return () => clientCodec.decodeReply(f); });
const pending = new Map<number, object>();
stage('client bookkeeping (Promise, pending map, clocks)', () => (i) => { const p = new Promise<void>((r) => { pending.set(i, { r, t: Date.now() }); }); Date.now(); pending.delete(i); return p; });

const ns = (v: number) => (v / 1000).toFixed(2);
const sum = cases.map((_, j) => rows.filter((r) => !r[0].startsWith('  ') && !r[0].includes('before')).reduce((s, r) => s + (r[j + 1] as number), 0));
console.log(`Per-stage cost of one call, µs (least of ${ROUNDS} rounds of ${N}); load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`| stage | ${cases.map((c) => c.name).join(' | ')} |\n| --- |${cases.map(() => ' ---: |').join('')}`);
for (const [name, ...v] of rows) console.log(`| ${name} | ${v.map(ns).join(' | ')} |`);
console.log(`| **sum of stages** | ${sum.map(ns).join(' | ')} |`);

// End to end, one process: the DSO call vs the bare ZMTP echo of the same sizes, interleaved.
const node = await startDso({ host: '127.0.0.1', port: 0 });
const conn = connect(node.address);
const ref = new AtomicReference<Uint8Array>('e2e.1kb', kb, { connection: conn });
await ref.set(kb);
const along = new AtomicLong('e2e.counter', 0, { connection: conn });
await along.get();
const answers = new Map<number, Buffer>();
const router = new ZmtpRouter((r, frames) => {
  const n = frames[0]!.readUInt32BE(0);
  let a = answers.get(n);
  if (!a) answers.set(n, (a = Buffer.alloc(n, 7)));
  router.send(r, [a]);
});
await router.bind('tcp://127.0.0.1:0');
let done: () => void = () => undefined;
let up: () => void = () => undefined;
const ready = new Promise<void>((r) => { up = r; });
const dealer = new ZmtpDealer(router.endpoint, () => done(), { onStatus: (s) => { if (s.type === 'connect') up(); } });
await ready;
const echo = (upB: number, down: number) => { const req = Buffer.alloc(upB, 1); req.writeUInt32BE(down, 0); return () => new Promise<void>((r) => { done = r; dealer.send([req]); }); };
const size = (f: Uint8Array[]) => f.reduce((n, x) => n + x.byteLength, 0);
const calls = Number(opts.calls);
console.log(`\nEnd to end in one process (client and node on one event loop), µs, ${calls} calls per side interleaved:`);
console.log('| row | DSO p50 | ZMTP echo p50 | difference | sum of stages | DSO p99 | ZMTP echo p99 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const e2e: [string, () => Promise<unknown>, number, number][] = [
  ['1 KB put', () => ref.set(kb), size(clientCodec.encodeCall(clientId, 1e6, 'AtomicReference', 'e2e.1kb', 'set', [kb])), size(nodeCodec.encodeOk(1e6, null))],
  ['1 KB get', () => ref.get(), size(clientCodec.encodeCall(clientId, 1e6, 'AtomicReference', 'e2e.1kb', 'get', [])), size(nodeCodec.encodeOk(1e6, kb))],
  ['addAndGet', () => along.addAndGet(3), size(clientCodec.encodeCall(clientId, 1e6, 'AtomicLong', 'e2e.counter', 'addAndGet', [3])), size(nodeCodec.encodeOk(1e6, 123456n))],
  // The same call without the proxy: what the object layer (SharedObject.invoke) adds.
  ['addAndGet, Connection.call (no proxy)', () => conn.call('AtomicLong', 'e2e.counter', 'addAndGet', [3]), size(clientCodec.encodeCall(clientId, 1e6, 'AtomicLong', 'e2e.counter', 'addAndGet', [3])), size(nodeCodec.encodeOk(1e6, 123456n))],
];
for (const [j, [name, call, upB, down]] of e2e.entries()) {
  const g = await latencyGroup({ dso: call, zmtp: echo(upB, down) }, calls);
  console.log(`| ${name} | ${g.dso.p50.toFixed(1)} | ${g.zmtp.p50.toFixed(1)} | ${(g.dso.p50 - g.zmtp.p50).toFixed(1)} | ${ns(sum[Math.min(j, 2)]!)} | ${g.dso.p99.toFixed(1)} | ${g.zmtp.p99.toFixed(1)} |`);
}
dealer.close();
await router.close();
await conn.close();
await node.close();
process.exit(0);
