/**
 * Before/after in one run (issue 13): the client and the node of another checkout (`--base DIR`,
 * e.g. `git archive <commit> | tar -x -C DIR` with node_modules linked in) beside this checkout's,
 * each pair in its own node process placed like `npm run bench`, the small calls interleaved in
 * rotating blocks with the bare ZMTP echo; then the complex operation and a barrier, alternating.
 *
 *   npx tsx bench/hot-path-ab.ts --base /tmp/hp-base [--n 20000] [--placement split|same]
 */
import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyGroup, throughput } from './lib/measure.ts';
import { startFloorServer, zmtpEcho } from './lib/floor.ts';
import { pinProcess } from './lib/servers.ts';
import { GcWatch } from './lib/gc.ts';
import { PLAIN_USERNAME, registerCredentials } from '../core/protocol/transport/credentials.ts';

const opts = new Command('hot-path-ab').requiredOption('--base <dir>', 'the checkout to compare with').option('--n <n>', 'timed calls per side and row', '20000')
  .addOption(new Option('-p, --placement <how>').choices(['split', 'same', 'none']).default('split')).option('--complex-seconds <s>', 'seconds per side of the complex-op run', '4')
  .option('--arrays-only', 'only the 8 MB rows').option('--array-calls <n>', 'timed 8 MB calls per side and row (default n / 500, at least 10)')
  .parse().opts<{ base: string; n: string; placement: string; complexSeconds: string; arraysOnly?: boolean; arrayCalls?: string }>();
const N = Number(opts.n);
const SERVER_CPUS = opts.placement === 'split' ? '1' : opts.placement === 'same' ? '0' : undefined;
if (SERVER_CPUS !== undefined) pinProcess(process.pid, '0');
const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
const trees = { before: resolve(opts.base), after: HERE };

type Core = typeof import('../core/index.ts');
async function side(tree: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/ab-child.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AB_TREE: tree } });
  process.once('exit', () => child.kill('SIGKILL'));
  const [address, token] = await new Promise<[string, string]>((res, rej) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => { buf += d; const m = /READY (\S+) (\S*)\n/.exec(buf); if (m) res([m[1]!, m[2]!]); });
    child.once('exit', (c) => rej(new Error(`node of ${tree} exited with ${c}`)));
  });
  if (SERVER_CPUS !== undefined) pinProcess(child.pid!, SERVER_CPUS);
  if (token) registerCredentials(address, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: token });
  const core = (await import(`${tree}/core/index.ts`)) as Core;
  const conn = core.connect(address);
  return { core, conn, child, address };
}

const sides = { before: await side(trees.before), after: await side(trees.after) };
const floor = await startFloorServer(SERVER_CPUS);
const z = await zmtpEcho(floor.zmtp);
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
const objs = Object.fromEntries(await Promise.all(Object.entries(sides).map(async ([k, s]) => {
  const ref = new s.core.AtomicReference<Uint8Array>('ab.1kb', kb, { connection: s.conn });
  const along = new s.core.AtomicLong('ab.counter', 0, { connection: s.conn });
  await ref.set(kb);
  await along.get();
  return [k, { ref, along }];
}))) as Record<'before' | 'after', { ref: InstanceType<Core['AtomicReference']>; along: InstanceType<Core['AtomicLong']> }>;

console.log(`before: ${trees.before}; after: ${trees.after}; placement ${opts.placement}; ${N} calls per side and row, rotating blocks of 500`);
console.log('| row | before p50 | after p50 | ZMTP echo p50 | after/before p50 | before/echo | after/echo | before p99 | after p99 | after/before p99 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const rows: [string, (o: typeof objs.before) => Promise<unknown>, number, number][] = [
  ['1 KB put', (o) => o.ref.set(kb), 1077, 9],
  ['1 KB get', (o) => o.ref.get(), 50, 1035],
  ['addAndGet', (o) => o.along.addAndGet(3), 56, 18],
];
const gc = new GcWatch();
for (const [name, call, up, down] of opts.arraysOnly ? [] : rows) {
  const g = await latencyGroup({ before: () => call(objs.before), after: () => call(objs.after), echo: () => z.echo(up, down) }, N);
  const f = (v: number) => v.toFixed(1);
  console.log(`| ${name} | ${f(g.before.p50)} | ${f(g.after.p50)} | ${f(g.echo.p50)} | ${(g.after.p50 / g.before.p50).toFixed(2)} | ${(g.before.p50 / g.echo.p50).toFixed(2)} | ${(g.after.p50 / g.echo.p50).toFixed(2)} | ${f(g.before.p99)} | ${f(g.after.p99)} | ${(g.after.p99 / g.before.p99).toFixed(2)} |`);
}
// 8 MB float64 arrays each way (Arrow attachments), fewer calls, small blocks.
{
  const arr = new Float64Array(1_000_000).map((_, i) => i * 0.5);
  const refs = Object.fromEntries(Object.entries(sides).map(([k, s]) => [k, new s.core.AtomicReference<Float64Array>(`ab.arr.${k}`, undefined, { connection: s.conn })])) as Record<'before' | 'after', InstanceType<Core['AtomicReference']>>;
  await refs.before.set(arr);
  await refs.after.set(arr);
  const M = opts.arrayCalls ? Number(opts.arrayCalls) : Math.max(10, Math.round(N / 500));
  for (const [name, call, up, down] of [
    ['8 MB set', (k: 'before' | 'after') => refs[k].set(arr), arr.byteLength + 344, 8],
    ['8 MB get', (k: 'before' | 'after') => refs[k].get(), 64, arr.byteLength + 344],
  ] as const) {
    const g = await latencyGroup({ before: () => call('before'), after: () => call('after'), echo: () => z.echo(up, down) }, M, 5);
    const f = (v: number) => `${(v / 1000).toFixed(2)} ms`;
    console.log(`| ${name} (${M} calls; GB/s ${(8 / (g.before.p50 / 1000)).toFixed(2)} → ${(8 / (g.after.p50 / 1000)).toFixed(2)}, echo ${(8 / (g.echo.p50 / 1000)).toFixed(2)}) | ${f(g.before.p50)} | ${f(g.after.p50)} | ${f(g.echo.p50)} | ${(g.after.p50 / g.before.p50).toFixed(2)} | ${(g.before.p50 / g.echo.p50).toFixed(2)} | ${(g.after.p50 / g.echo.p50).toFixed(2)} | ${f(g.before.p99)} | ${f(g.after.p99)} | ${(g.after.p99 / g.before.p99).toFixed(2)} |`);
  }
}
const gs = gc.stop();
console.log(`GC in the bench process during the rows (both clients): ${gs.count} pauses, ${gs.totalMs.toFixed(1)} ms, longest ${gs.maxMs.toFixed(2)} ms`);

// No regression elsewhere: the complex operation (8 clients x 64 objects, 10,000 multiplications) and an 8-party barrier, alternating sides.
const complex: Record<string, number[]> = { before: [], after: [] };
const barrier: Record<string, number[]> = { before: [], after: [] };
for (let round = 0; round < (opts.arraysOnly ? 0 : 2); round++) {
  for (const k of (round % 2 ? ['after', 'before'] : ['before', 'after']) as ('before' | 'after')[]) {
    const s = sides[k];
    const conns = Array.from({ length: 8 }, () => s.core.connect(s.address));
    const objects = conns.map((c) => Array.from({ length: 64 }, (_, j) => new s.core.AtomicLong(`ab.complex.${j}`, 1, { connection: c })));
    await Promise.all(objects[0]!.map((o) => o.get()));
    const t = await throughput(8, Number(opts.complexSeconds), (c) => objects[c]![Math.floor(Math.random() * 64)]!.multiply(3, 10_000));
    complex[k]!.push(t.opsPerSec);
    const parties = conns.map((c) => new s.core.CyclicBarrier(`ab.barrier.${round}`, 8, { connection: c }));
    await Promise.all(parties.map((b) => b.await()));
    const t0 = performance.now();
    const R = 100;
    await Promise.all(parties.map(async (b) => { for (let i = 0; i < R; i++) await b.await(); }));
    barrier[k]!.push(((performance.now() - t0) / R) * 1000);
    await Promise.all(conns.map((c) => c.close()));
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
if (!opts.arraysOnly) console.log(`complex op throughput (8 clients, 64 objects), ops/s, mean of 2 alternating runs: before ${mean(complex.before!).toFixed(0)}, after ${mean(complex.after!).toFixed(0)} (after/before ${(mean(complex.after!) / mean(complex.before!)).toFixed(2)})`);
if (!opts.arraysOnly) console.log(`barrier crossing, 8 parties, µs: before ${mean(barrier.before!).toFixed(0)}, after ${mean(barrier.after!).toFixed(0)} (after/before ${(mean(barrier.after!) / mean(barrier.before!)).toFixed(2)})`);
console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
z.close();
for (const s of Object.values(sides)) { await s.conn.close(); s.child.kill('SIGTERM'); }
await floor.stop();
process.exit(0);
