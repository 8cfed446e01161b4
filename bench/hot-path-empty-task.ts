/**
 * Empty-task round trip from TypeScript (issue 13's goal: ≤ 0.15 ms for `submit` on a warm pool):
 * `ServerlessExecutorService.submit(() => null).get()` back to back after a warm-up, on the
 * process's default pool and node.   `npx tsx bench/hot-path-empty-task.ts [--n 2000]`
 */
import { loadavg } from 'node:os';
import { ServerlessExecutorService, shutdown } from 'crucial';
import { percentile } from '../examples/lib/stats.ts';

const n = Number(process.argv[process.argv.indexOf('--n') + 1] || 2000) || 2000;
const se = new ServerlessExecutorService();
for (let i = 0; i < 200; i++) await se.submit(() => null).get();
const ms: number[] = [];
for (let i = 0; i < n; i++) {
  const t = process.hrtime.bigint();
  await se.submit(() => null).get();
  ms.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(`TS empty task submit+get on a warm pool, ${n} calls: p50 ${percentile(ms, 50).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
se.shutdown();
await shutdown();
process.exit(0);
