/**
 * The node's own per-call work, before/after in one process (issue 13): a DsoNode of another
 * checkout (`--base DIR`) and this checkout's, each fed requests straight into its message handler
 * (no socket: replies go to a counter), so what is timed is the node's JS from the request's frames
 * to the reply's frames — decode, checks, dedup, dispatch, parking, encode. Rounds alternate the
 * sides; the least round is the node's cost on this machine (load only ever adds time), the median
 * is printed beside it.
 *
 *   npx tsx bench/hot-node-handle.ts --base /tmp/hn-base [--calls 2000] [--rounds 31] [--only put,get,add,barrier,multiply] [--cpu]
 *
 * Requests are encoded by this checkout's client codec, each frame copied into its own pooled
 * Buffer as the zmtp read path makes it.
 */
import { Command } from 'commander';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireCodec } from '../core/protocol/wire/codec.ts';

const opts = new Command('hot-node-handle').requiredOption('--base <dir>', 'the checkout to compare with').option('--calls <n>', 'calls per side and round', '2000')
  .option('--rounds <n>', 'alternating rounds', '31').option('--only <rows>', 'comma list of put, get, add, barrier, multiply', 'put,get,add,barrier,multiply')
  .option('--sides <list>', 'which sides to run (before,after; after alone for a profile)', 'before,after')
  .option('--cpu', "time by the process's CPU time, not the wall clock")
  .parse().opts<{ base: string; calls: string; rounds: string; only: string; sides: string; cpu?: boolean }>();
const CALLS = Number(opts.calls);
/**
 * µs: this process's CPU time (getrusage) with --cpu, else wall time. On a machine shared with other
 * work, CPU time leaves out the time the process waited for a core.
 */
const clock = opts.cpu ? () => { const u = process.cpuUsage(); return u.user + u.system; } : () => Number(process.hrtime.bigint()) / 1000;
const ROUNDS = Number(opts.rounds);
const only = new Set(opts.only.split(','));
type Side = 'before' | 'after';
const SIDES = opts.sides.split(',') as Side[];
const trees: Record<Side, string> = { before: resolve(opts.base), after: resolve(fileURLToPath(new URL('..', import.meta.url))) };

interface Harness { handle(route: Uint8Array, frames: Uint8Array[], bytes: number, user?: string): void; replies: number }
async function harness(tree: string): Promise<Harness> {
  const { DsoNode } = (await import(`${tree}/dso/node.ts`)) as typeof import('../dso/node.ts');
  const node = new DsoNode({ host: '127.0.0.1', port: 0 }) as unknown as Record<string, unknown>;
  const h = { replies: 0 } as Harness;
  node.socket = { send: () => { h.replies++; return true; } };
  const handle = (node.handle as Harness['handle']).bind(node);
  h.handle = handle;
  return h;
}
const nodes = Object.fromEntries(await Promise.all(SIDES.map(async (k) => [k, await harness(trees[k])]))) as Record<Side, Harness>;
const codec = new WireCodec();
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
const id = (i: number) => Uint8Array.from([1, 2, 3, 4, 5, 6, 7, i]);
const routeOf = (i: number) => Buffer.from([0, 0x10, 0x20, 0x30, i]);
const wire = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f));
const bytesOf = (frames: Uint8Array[]) => frames.reduce((a, f) => a + f.byteLength, 0);
const seqs: Record<Side, number> = { before: 1, after: 1 };

interface Row { name: string; prep(k: Side): void; run(k: Side): Promise<number> }
const rows: Row[] = [];
/** A row of calls that complete synchronously from one client. */
function syncRow(name: string, type: string, key: string, method: string, args: unknown[], setup?: [string, unknown[]]) {
  const route = routeOf(1);
  const client = id(1);
  const batch: Record<Side, Buffer[][]> = { before: [], after: [] };
  rows.push({
    name,
    prep(k) {
      if (setup && seqs[k] === 1) nodes[k].handle(route, wire(codec.encodeCall(client, seqs[k]++, type, key, setup[0], setup[1])), 0);
      batch[k] = Array.from({ length: CALLS }, () => wire(codec.encodeCall(client, seqs[k]++, type, key, method, args)));
    },
    async run(k) {
      const n = nodes[k];
      const b = batch[k];
      const before = n.replies;
      const t = clock();
      for (let i = 0; i < b.length; i++) n.handle(route, b[i]!, bytesOf(b[i]!));
      const us = clock() - t;
      if (n.replies - before !== b.length) throw new Error(`${k}: ${n.replies - before} replies to ${b.length} calls`);
      return us / b.length;
    },
  });
}
if (only.has('put')) syncRow('1 KB put', 'AtomicReference', 'h.1kb', 'set', [kb]);
if (only.has('get')) syncRow('1 KB get', 'AtomicReference', 'h.1kb.g', 'get', [], ['set', [kb]]);
if (only.has('add')) syncRow('addAndGet', 'AtomicLong', 'h.counter', 'addAndGet', [3]);
if (only.has('multiply')) syncRow('multiply(3, 10000)', 'AtomicLong', 'h.mul', 'multiply', [3, 10_000]);
if (only.has('barrier')) {
  const P = 8;
  const crossings = Math.max(10, Math.round(CALLS / P));
  const routes = Array.from({ length: P }, (_, i) => routeOf(i + 10));
  const clients = Array.from({ length: P }, (_, i) => id(i + 10));
  const batch: Record<Side, Buffer[][][]> = { before: [], after: [] };
  rows.push({
    name: `8-party barrier await (${crossings} crossings)`,
    prep(k) {
      batch[k] = Array.from({ length: crossings }, () => { const s = seqs[k]++; return clients.map((c) => wire(codec.encodeCall(c, s, 'CyclicBarrier', 'h.barrier', 'await', [], { init: [P] }))); });
    },
    async run(k) {
      const n = nodes[k];
      const t = clock();
      for (const crossing of batch[k]) {
        const target = n.replies + P;
        for (let p = 0; p < P; p++) n.handle(routes[p]!, crossing[p]!, bytesOf(crossing[p]!));
        // The last party's arrival resolves the others' promises; their replies follow in microtasks.
        for (let spins = 0; n.replies < target; spins++) {
          if (spins > 1000) throw new Error(`${k}: barrier replies missing`);
          await null;
        }
      }
      return (clock() - t) / (batch[k].length * P);
    },
  });
}

const least = (xs: number[]) => Math.min(...xs);
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };
console.log(`node handler alone, µs per call (${opts.cpu ? 'CPU time' : 'wall time'}): before ${trees.before}, after ${trees.after}; ${CALLS} calls per side and round, ${ROUNDS} alternating rounds; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log(`| row | ${SIDES.map((k) => `${k} least | ${k} median`).join(' | ')} |${SIDES.length === 2 ? ' after/before least | after/before median |' : ''}\n| --- |${' ---: |'.repeat(SIDES.length * 2 + (SIDES.length === 2 ? 2 : 0))}`);
for (const row of rows) {
  const us: Record<Side, number[]> = { before: [], after: [] };
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (const k of r % 2 ? [...SIDES].reverse() : SIDES) {
      row.prep(k);
      const v = await row.run(k);
      if (r >= 2) us[k].push(v); // two warm-up rounds
    }
  }
  const cells = SIDES.map((k) => `${least(us[k]).toFixed(2)} | ${med(us[k]).toFixed(2)}`).join(' | ');
  const ratio = SIDES.length === 2 ? ` ${(least(us.after) / least(us.before)).toFixed(2)} | ${(med(us.after) / med(us.before)).toFixed(2)} |` : '';
  console.log(`| ${row.name} | ${cells} |${ratio}`);
}
console.log(`\nload ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
