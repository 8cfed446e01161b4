/**
 * Large rows pushed into an AtomicMatrix (the parameter-server pattern: workers add gradient rows
 * on the node): `addToRow` of a 1e6-element Float64Array (8 MB), p50 and the node's GC during the
 * pushes. An in-memory matrix gives each consumed row's receive buffer back (frame-pool.ts), so the
 * node should allocate no 8 MB per push.
 *
 *   npx tsx bench/hot-path-arrays-matrix.ts [--calls 40]
 */
import { Command } from 'commander';
import { loadavg } from 'node:os';
import { AtomicMatrix, connect } from 'crucial';
import { startDsoProcess } from './lib/servers.ts';
import { percentile } from '../examples/lib/stats.ts';

const opts = new Command('hot-path-arrays-matrix').option('--calls <n>', 'timed pushes', '40').parse().opts<{ calls: string }>();
const CALLS = Number(opts.calls);
const COLS = 1_000_000;
const row = new Float64Array(COLS).fill(0.5);
const dso = await startDsoProcess({});
const conn = connect(dso.address);
const m = new AtomicMatrix(`rows.${Date.now()}`, 2, COLS, undefined, { connection: conn });
for (let i = 0; i < 5; i++) await m.addToRow(1, row);
await dso.gc?.();
const ms: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  await m.addToRow(1, row);
  ms.push(performance.now() - t);
}
const gc = await dso.gc?.();
const back = await m.getRow(1);
if (back[COLS - 1] !== 0.5 * (CALLS + 5)) throw new Error(`row sum ${back[COLS - 1]}, expected ${0.5 * (CALLS + 5)}`);
const p50 = percentile(ms, 50);
console.log(`AtomicMatrix.addToRow of 8 MB rows, ${CALLS} pushes, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}: p50 ${p50.toFixed(2)} ms (${(8 / p50).toFixed(2)} GB/s), p99 ${percentile(ms, 99).toFixed(2)} ms`);
if (gc) console.log(`node GC during the pushes: ${gc.count} pauses, ${gc.totalMs.toFixed(0)} ms, longest ${gc.maxMs.toFixed(1)} ms (${gc.byKind})`);
await conn.close();
await dso.stop();
process.exit(0);
