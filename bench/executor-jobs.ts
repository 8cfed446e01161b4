/**
 * The executor service's own cost (`$jobs`, PROTOCOL.md §11), on a node started in this process:
 *   - an `echo` job: submit + result, two calls, nothing to run (the service's floor);
 *   - `sum` over an Arrow table of R rows × 8 float64 columns (the data path a Python fit uses);
 *   - `ml.fit` logistic regression on R rows × 16 through the service, against fitLogisticRegression
 *     called directly in the same process (same data, same 2 workers): what going through a job adds.
 *
 *   npx tsx bench/executor-jobs.ts [--rows 100000] [--echo 500]
 */
import { tableFromArrays } from 'apache-arrow';
import { startDso } from '../dso/node.ts';
import { connect, shutdown, useDso } from '../core/client/context.ts';
import { JobClient } from '../core/jobs/job-client.ts';
import { fitLogisticRegression } from '../ml/logreg/fit.ts';
import { loadavg } from 'node:os';

const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : def; };
const ROWS = opt('rows', process.env.CI ? 10_000 : 100_000);
const ECHO = opt('echo', process.env.CI ? 100 : 500);

function pct(xs: number[], p: number): number { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!; }
let seed = 12345;
const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };

const node = await startDso({ port: 0 });
await useDso(node.address);
const conn = connect(node.address);
const jobs = new JobClient(conn);
console.log(`load ${loadavg()[0]!.toFixed(1)}; rows ${ROWS}`);

// echo
const lat: number[] = [];
for (let i = 0; i < ECHO; i++) {
  const t = performance.now();
  await jobs.result(await jobs.submit('echo', { value: i }));
  lat.push(performance.now() - t);
}
console.log(`echo job submit+result: p50 ${pct(lat, 0.5).toFixed(2)} ms, p99 ${pct(lat, 0.99).toFixed(2)} ms (${ECHO} jobs)`);

// sum over an Arrow table
const cols: Record<string, Float64Array> = {};
for (let j = 0; j < 8; j++) cols[`c${j}`] = Float64Array.from({ length: ROWS }, rand);
const table = tableFromArrays(cols);
const sums: number[] = [];
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  await jobs.result(await jobs.submit('sum', { data: table }));
  sums.push(performance.now() - t);
}
const mb = (ROWS * 8 * 8) / 1e6;
console.log(`sum job over ${ROWS} x 8 float64 (${mb.toFixed(1)} MB as Arrow): median ${pct(sums, 0.5).toFixed(1)} ms (${(mb / (pct(sums, 0.5) / 1000)).toFixed(0)} MB/s)`);

// ml.fit vs a direct fit
const d = 16;
const X = new Float64Array(ROWS * d);
const y = new Float64Array(ROWS);
const w = Float64Array.from({ length: d }, () => rand() * 2 - 1);
for (let i = 0; i < ROWS; i++) {
  let z = 0;
  for (let j = 0; j < d; j++) { const v = rand() * 2 - 1; X[i * d + j] = v; z += v * w[j]!; }
  y[i] = z + (rand() - 0.5) * 0.5 > 0 ? 1 : 0;
}
const fcols: Record<string, Float64Array> = {};
for (let j = 0; j < d; j++) fcols[`x${j}`] = Float64Array.from({ length: ROWS }, (_, i) => X[i * d + j]!);
fcols.y = y;
const ftable = tableFromArrays(fcols);
const ds = { X, y, nRows: ROWS, nCols: d, featureNames: Object.keys(fcols).slice(0, d) };
await fitLogisticRegression(ds, {}, { workers: 2 }); // warm the pool and the modules
const direct: number[] = [];
const viaJob: number[] = [];
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  await fitLogisticRegression(ds, {}, { workers: 2 });
  direct.push(performance.now() - t);
  t = performance.now();
  await jobs.result(await jobs.submit('ml.fit', { algorithm: 'logistic_regression', data: ftable, modelName: 'bench-logreg', workers: 2 }));
  viaJob.push(performance.now() - t);
}
console.log(`logistic regression ${ROWS} x ${d}, 2 workers: direct fit median ${pct(direct, 0.5).toFixed(0)} ms, ml.fit job (Arrow attachment + publish) median ${pct(viaJob, 0.5).toFixed(0)} ms`);
console.log(`load ${loadavg()[0]!.toFixed(1)}`);
await conn.close();
await shutdown();
await node.close();
