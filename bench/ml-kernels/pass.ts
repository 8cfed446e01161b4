/**
 * Single-thread CPU time of one pass of the ml/ kernels over one worker's partition (the first
 * 400,000 rows of the bench's 1m training files): the k-means assignment (k = 8, sums and counts)
 * and the logistic loss + gradient, for the WebAssembly SIMD kernels, their JS fallback and the
 * scalar loops the fits used before (ml/kmeans/lloyd.ts assignRows, ml/logreg/loss.ts
 * lossAndGradient). CPU time (process.cpuUsage), median of the repetitions, so a loaded machine
 * inflates it less than wall time. pass_sklearn.py measures the same passes in scikit-learn/numpy.
 *
 *   npx tsx bench/ml-kernels/pass.ts [--rows 400000] [--reps 15] [--data /tmp/crucial-ml-bench/1m]
 */
import { parseArgs } from 'node:util';
import { readRows } from '../../ml/data/read.ts';
import { loadKernelPartition } from '../../ml/kernels/load.ts';
import { createRows, type KernelKind } from '../../ml/kernels/rows.ts';
import { assignRows } from '../../ml/kmeans/lloyd.ts';
import { lossAndGradient, lossAndGradientRows, paramCount } from '../../ml/logreg/loss.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '400000' }, reps: { type: 'string', default: '15' }, data: { type: 'string', default: '/tmp/crucial-ml-bench/1m' } } });
const n = Number(values.rows), reps = Number(values.reps);

function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}
function median(f: () => void): { cpu: number; wall: number } {
  const cpu: number[] = [], wall: number[] = [];
  for (let i = 0; i < reps; i++) { const w = performance.now(); cpu.push(cpuMs(f)); wall.push(performance.now() - w); }
  const m = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
  return { cpu: m(cpu), wall: m(wall) };
}
const fmt = (r: { cpu: number; wall: number }) => `${r.cpu.toFixed(1)} ms CPU (wall ${r.wall.toFixed(1)})`;

const tRead = performance.now();
const blobs = await readRows(`${values.data}/blobs-train.arrow`, 0, n);
console.log(`readRows blobs ${n} × ${blobs.nCols}: ${(performance.now() - tRead).toFixed(0)} ms wall`);
const cls = await readRows(`${values.data}/classification-train.arrow`, 0, n);
const d = blobs.nCols, k = 8;
// Centroids: k rows of the data, as after k-means++.
const C = new Float64Array(k * d);
for (let c = 0; c < k; c++) C.set(blobs.X.subarray(c * 997 * d, c * 997 * d + d), c * d);

console.log(`k-means assignment pass, ${n} × ${d}, k = ${k}:`);
for (const kind of ['wasm', 'js'] as KernelKind[]) {
  let rows = createRows(blobs.X, n, d, kind);
  const load = median(() => { rows = createRows(blobs.X, n, d, kind); });
  const r = median(() => rows.assign(C, 0, k, new Float64Array(k * d), new Float64Array(k)));
  console.log(`  ${kind.padEnd(4)} ${fmt(r)}; copy-in ${fmt(load)}`);
}
console.log(`  old scalar assignRows ${fmt(median(() => assignRows(blobs.X, n, d, C, 0, k, { sums: new Float64Array(k * d), counts: new Float64Array(k) })))}`);

const yIdx = Int32Array.from(cls.y!.subarray(0, n), (v) => (v === 1 ? 1 : 0));
const layout = { d: cls.nCols, r: 1, fitIntercept: true };
const w = Float64Array.from({ length: paramCount(layout) }, (_, i) => Math.sin(i) * 0.1);
console.log(`logistic loss + gradient pass (binary), ${n} × ${cls.nCols}:`);
for (const kind of ['wasm', 'js'] as KernelKind[]) {
  const rows = createRows(cls.X, n, cls.nCols, kind);
  console.log(`  ${kind.padEnd(4)} ${fmt(median(() => lossAndGradientRows(rows, yIdx, layout, w, new Float64Array(w.length))))}`);
}
console.log(`  old scalar lossAndGradient ${fmt(median(() => lossAndGradient(cls.X, yIdx, n, layout, w, new Float64Array(w.length))))}`);

console.log(`column statistics (k-means' [n, mean, M2]), ${n} × ${d}:`);
for (const kind of ['wasm', 'js'] as KernelKind[]) {
  const rows = createRows(blobs.X, n, d, kind);
  console.log(`  ${kind.padEnd(4)} ${fmt(median(() => rows.columnStats()))}`);
}

// Loading a worker's partition, as the tasks did (readRows, then the copy into the kernels) and do
// now (the Arrow columns straight into the SIMD layout). CPU of the async read counted as a whole.
async function cpuAsync(f: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const cpu: number[] = [], wall: number[] = [];
  for (let i = 0; i < Math.min(reps, 5); i++) {
    const c = process.cpuUsage(), w = performance.now();
    await f();
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000); wall.push(performance.now() - w);
  }
  const m = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
  return { cpu: m(cpu), wall: m(wall) };
}
const path = `${values.data}/blobs-train.arrow`;
console.log(`loading ${n} rows of ${path} for the kernels:`);
console.log(`  readRows + createRows (row-major, then copied) ${fmt(await cpuAsync(async () => { const ds = await readRows(path, 0, n); createRows(ds.X, n, ds.nCols); }))}`);
console.log(`  loadKernelPartition (columns into the SIMD layout) ${fmt(await cpuAsync(() => loadKernelPartition({ kind: 'file', path, from: 0, to: n }, d)))}`);
