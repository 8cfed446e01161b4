/**
 * What a small call costs on the client alone (issue 13), another checkout's client against this
 * one's in one process: proxy -> Connection -> codec -> a socket stub that answers each call from a
 * reply encoded once (its seq patched in) -> decode -> the caller's await. No node, no syscalls, so
 * on a loaded machine it still shows the client's own CPU per call; rounds alternate between the
 * two trees and the least round of each is kept (load only ever adds time).
 *
 *   npx tsx bench/hot-client-ab.ts --base /tmp/base [--n 4000] [--rounds 31]
 *
 * The base is any checkout (e.g. `git archive <commit> | tar -x -C DIR`, node_modules linked in).
 * An A/A run (`--base .`) shows the harness's own spread.
 */
import { Command } from 'commander';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const opts = new Command('hot-client-ab').requiredOption('--base <dir>', 'the checkout to compare with').option('--n <n>', 'calls per round and side', '4000')
  .option('--rounds <r>', 'rounds per row (the least taken)', '31').parse().opts<{ base: string; n: string; rounds: string }>();
const N = Number(opts.n);
const ROUNDS = Number(opts.rounds);
const trees = { before: resolve(opts.base), after: resolve(fileURLToPath(new URL('..', import.meta.url))) };

type Core = typeof import('../core/index.ts');
type Row = 'put' | 'get' | 'addAndGet' | 'addAndGet, Connection.call';
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);

/** A Connection of `tree` whose socket is a stub answering at once (a microtask later) with a canned reply. */
async function side(tree: string): Promise<Record<Row, () => Promise<unknown>>> {
  const core = (await import(`${tree}/core/index.ts`)) as Core;
  const { WireCodec } = (await import(`${tree}/core/protocol/wire/codec.ts`)) as typeof import('../core/protocol/wire/codec.ts');
  const conn = new core.Connection('tcp://127.0.0.1:9', { security: null });
  const internals = conn as unknown as { socket: { close(): void }; seq: number; linkUp: boolean; onReply(frames: Uint8Array[]): void };
  internals.socket.close();
  // Replies with a 32-bit seq (0xce), patched per call: the same bytes a node sends for that seq's range.
  const node = new WireCodec();
  const replies: Record<string, Uint8Array[]> = { set: node.encodeOk(0x7fffffff, null), get: node.encodeOk(0x7fffffff, kb), addAndGet: node.encodeOk(0x7fffffff, 123456) };
  let method = 'set';
  internals.socket = {
    send() {
      const seq = internals.seq;
      const reply = replies[method]!;
      const h = reply[0]!;
      h[4] = seq >>> 24; h[5] = (seq >>> 16) & 0xff; h[6] = (seq >>> 8) & 0xff; h[7] = seq & 0xff;
      queueMicrotask(() => internals.onReply(reply));
    },
    downCause: () => new Error('stub'),
    close() { /* nothing to close */ },
  } as unknown as typeof internals.socket;
  internals.linkUp = true;
  const ref = new core.AtomicReference<Uint8Array>('c.1kb', kb, { connection: conn });
  const along = new core.AtomicLong('c.n', 0, { connection: conn });
  // The first calls carry the creation options; the timed ones are the steady state.
  method = 'set'; await ref.set(kb);
  method = 'addAndGet'; await along.addAndGet(0);
  return {
    put: () => { method = 'set'; return ref.set(kb); },
    get: () => { method = 'get'; return ref.get(); },
    addAndGet: () => { method = 'addAndGet'; return along.addAndGet(3); },
    'addAndGet, Connection.call': () => { method = 'addAndGet'; return conn.call('AtomicLong', 'c.n', 'addAndGet', [3]); },
  };
}

async function round(f: () => Promise<unknown>, n: number): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f();
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

const sides = { before: await side(trees.before), after: await side(trees.after) };
console.log(`before: ${trees.before}; after: ${trees.after}; ${N} calls per round, least of ${ROUNDS} alternating rounds; client CPU per call, µs`);
console.log('| row | before | after | after - before |\n| --- | ---: | ---: | ---: |');
for (const row of ['put', 'get', 'addAndGet', 'addAndGet, Connection.call'] as Row[]) {
  await round(sides.before[row], 5000);
  await round(sides.after[row], 5000);
  let b = Infinity;
  let a = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const [first, second] = r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const);
    const t1 = await round(sides[first][row], N);
    const t2 = await round(sides[second][row], N);
    if (first === 'before') { b = Math.min(b, t1); a = Math.min(a, t2); } else { a = Math.min(a, t1); b = Math.min(b, t2); }
  }
  console.log(`| ${row === 'put' ? '1 KB put' : row === 'get' ? '1 KB get' : row} | ${b.toFixed(2)} | ${a.toFixed(2)} | ${(a - b).toFixed(2)} |`);
}
console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
