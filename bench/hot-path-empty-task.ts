/**
 * Empty-task round trip from TypeScript (issue 13's goal: ≤ 0.15 ms for `submit` on a warm pool):
 * `ServerlessExecutorService.submit(() => null).get()` back to back after a warm-up, on the
 * process's default pool and node, interleaved in blocks with two floors measured in the same run:
 * a bare worker_threads postMessage ping-pong and a bare piscina empty task (LocalPool's options).
 * Each row: wall p50 / p99 and the process's CPU (all threads) per call.
 *
 *   npx tsx bench/hot-path-empty-task.ts [--n 2000] [--block 100] [--json] [--src DIR] [--hops]
 *
 * `--src DIR` runs the crucial row on another checkout's sources (DIR/core/index.ts; the A/B script
 * bench/hot-path-empty-task-ab.ts alternates fresh processes with it). `--hops` instead stamps each
 * step of one task with one clock (performance.timeOrigin + performance.now(), buffered, printed
 * after the timed span): the executor's encode, LocalPool.run → piscina → worker, each step of
 * executeTask (bench/empty-task/hops-worker.ts), the reply back, the result's decode.
 */
import { loadavg, availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { percentile } from '../examples/lib/stats.ts';

import { Command } from 'commander';

const opts = new Command()
  .description('TS empty-task round trip on a warm pool, with a worker_threads ping-pong and a bare piscina task as floors in the same run (issue 13)')
  .option('--n <calls>', 'calls per row', (v) => Number(v) || 2000, 2000)
  .option('--block <calls>', 'calls per interleaved block', (v) => Number(v) || 100, 100)
  .option('--json', 'one JSON line instead of text (for hot-path-empty-task-ab.ts)', false)
  .option('--src <dir>', "run the crucial row on another checkout's sources")
  .option('--hops', 'stamp each step of one task instead (executor, pool, worker, reply)', false)
  .parse()
  .opts<{ n: number; block: number; json: boolean; src?: string; hops: boolean }>();
const { n, block, json, src, hops } = opts;
const here = new URL('./empty-task/', import.meta.url);

const lib = (await import(src ? pathToFileURL(resolve(src, 'core/index.ts')).href : '../core/index.ts')) as typeof import('../core/index.ts');
const { ServerlessExecutorService, shutdown } = lib;

if (hops) {
  await runHops();
  process.exit(0);
}

// Floor 1: a bare worker thread echoing each message (one postMessage each way, event-loop wake-ups).
const echo = new Worker(new URL('echo-worker.mjs', here), { workerData: { pingPong: true } });
const pingPong = (m: unknown) => new Promise((r) => { echo.once('message', r); echo.postMessage(m); });
// Floor 2: piscina as LocalPool configures it, with a handler that answers at once.
const threads = availableParallelism();
const piscina = new Piscina({ filename: new URL('echo-worker.mjs', here).href, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 256, idleTimeout: 30_000, maxQueue: 'auto' });
const request = { frames: [new Uint8Array(31)], dso: 'tcp://127.0.0.1:1', security: undefined };
const se = new ServerlessExecutorService();

const rows: Record<string, () => Promise<unknown>> = {
  'worker_threads ping-pong': () => pingPong(request),
  'piscina empty task': () => piscina.run(request),
  'crucial submit + get': () => se.submit(() => null).get(),
};
for (const f of Object.values(rows)) for (let i = 0; i < 300; i++) await f();
const names = Object.keys(rows);
const ms: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
const cpu: Record<string, number> = Object.fromEntries(names.map((k) => [k, 0]));
for (let b = 0; b * block < n; b++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(b + j) % names.length]!;
    const f = rows[name]!;
    const c0 = process.cpuUsage();
    for (let i = 0; i < block; i++) {
      const t = process.hrtime.bigint();
      await f();
      ms[name]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const c = process.cpuUsage(c0);
    cpu[name]! += (c.user + c.system) / 1000;
  }
}
const load = loadavg()[0]!;
const out = Object.fromEntries(names.map((k) => [k, { p50: percentile(ms[k]!, 50), p99: percentile(ms[k]!, 99), cpu: cpu[k]! / ms[k]!.length }]));
if (json) console.log(JSON.stringify({ rows: out, load, n }));
else {
  console.log(`TS empty task on a warm pool, ${n} calls per row in blocks of ${block}, interleaved; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(26)} p50 ${v.p50.toFixed(3)} ms  p99 ${v.p99.toFixed(3)} ms  CPU ${v.cpu.toFixed(3)} ms/call`);
  const c = out['crucial submit + get']!;
  console.log(`  crucial/piscina p50 ${(c.p50 / out['piscina empty task']!.p50).toFixed(2)}, crucial/ping-pong p50 ${(c.p50 / out['worker_threads ping-pong']!.p50).toFixed(2)}`);
}
se.shutdown();
await echo.terminate();
await piscina.destroy();
await shutdown();
process.exit(0);

async function runHops(): Promise<void> {
  const now = () => performance.timeOrigin + performance.now();
  (globalThis as Record<symbol, unknown>)[Symbol.for('crucial.localPool.workerFile')] = new URL('hops-worker.mjs', here).href;
  const { LocalPool } = await import(src ? pathToFileURL(resolve(src, 'workers/local/pool.ts')).href : '../workers/local/pool.ts');
  const pool = new LocalPool();
  let cur: number[] = [];
  const runner = {
    run: (req: { frames: Uint8Array[] }) => { cur.push(now()); return pool.run(req).then((r: unknown) => { cur.push(now()); return r; }); },
    close: () => pool.close(),
  };
  const se = new ServerlessExecutorService({ runner });
  for (let i = 0; i < 300; i++) await se.submit(() => null).get();
  const main: number[][] = [];
  const total: number[] = [];
  for (let i = 0; i < n; i++) {
    cur = [now()];
    await se.submit(() => null).get();
    cur.push(now());
    main.push(cur);
    total.push((cur[3]! - cur[0]!) * 1000);
  }
  const worker: number[][] = [];
  // Each worker thread answers a request without frames with its stamps (one request per thread).
  for (let i = 0; i < 64 && worker.length < 300 + n; i++) {
    const r = (await pool.run({ frames: [], dso: '' })) as { error: { message: string } };
    worker.push(...(JSON.parse(r.error.message) as number[][]));
  }
  worker.sort((a, b) => a[0]! - b[0]!);
  // Match each task's worker stamps to its main stamps: the worker's entry lies between run() and its resolution.
  const steps: Record<string, number[]> = {};
  const add = (k: string, v: number) => (steps[k] ??= []).push(v * 1000);
  let w = 0;
  for (const m of main) {
    while (w < worker.length && worker[w]![0]! < m[1]!) w++;
    const s = worker[w];
    if (!s || s[5]! > m[2]!) continue;
    add('1 submit → runner.run (toWire, encode, dsoAddress)', m[1]! - m[0]!);
    add('2 runner.run → worker handler (LocalPool, piscina post, wake)', s[0]! - m[1]!);
    add('3 worker useDso', s[1]! - s[0]!);
    add('4 worker decodeTaskSpec', s[2]! - s[1]!);
    add('5 (was fromWire)', s[3]! - s[2]!);
    add('6 worker runs the task', s[4]! - s[3]!);
    add('7 worker encodes the result', s[5]! - s[4]!);
    add('8 worker return → runner resolved (piscina reply, wake)', m[2]! - s[5]!);
    add('9 runner resolved → get() resolved (decode, promises)', m[3]! - m[2]!);
  }
  console.log(`TS empty task hops, ${n} calls (${steps['1 submit → runner.run (toWire, encode, dsoAddress)']?.length ?? 0} matched), µs p50 / p90; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [k, v] of Object.entries(steps)) console.log(`  ${k.padEnd(62)} ${percentile(v, 50).toFixed(1).padStart(7)} ${percentile(v, 90).toFixed(1).padStart(7)}`);
  console.log(`  ${'total'.padEnd(62)} ${percentile(total, 50).toFixed(1).padStart(7)} ${percentile(total, 90).toFixed(1).padStart(7)}`);
  se.shutdown();
  await pool.close();
  await shutdown();
}
