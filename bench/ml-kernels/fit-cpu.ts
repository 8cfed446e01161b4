/**
 * End-to-end fit on the bench's data with 2 workers, timed as wall AND as CPU of this process (the
 * driver, the embedded DSO node and the cloud threads all run in it), so a loaded machine inflates
 * the CPU figure far less than the wall one. The kernels follow CRUCIAL_ML_KERNELS (wasm | js);
 * run it from an older checkout for the code before. fit_cpu_sklearn.py is scikit-learn's side.
 *
 *   npx tsx bench/ml-kernels/fit-cpu.ts [--size 1m] [--reps 3]
 */
import { parseArgs } from 'node:util';
import { shutdown } from '../../core/index.ts';
import { fitKMeans } from '../../ml/kmeans/fit.ts';
import { fitLogisticRegression } from '../../ml/logreg/fit.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '1m' }, reps: { type: 'string', default: '3' }, data: { type: 'string', default: '/tmp/crucial-ml-bench' } } });
const dir = `${values.data}/${values.size}`;
const reps = Number(values.reps);
const fits = {
  kmeans: () => fitKMeans(`${dir}/blobs-train.arrow`, { k: 8, nInit: 1, maxIter: 100, tol: 1e-4, seed: 7 }, { workers: 2 }),
  logreg: () => fitLogisticRegression(`${dir}/classification-train.arrow`, { C: 1, maxIter: 100, tol: 1e-4 }, { workers: 2 }),
};
console.log(`kernels ${process.env['CRUCIAL_ML_KERNELS'] ?? 'default'}, ${values.size}, load ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
await fits.kmeans(); // warm-up: the node, the worker pool, the JIT
for (const [alg, fit] of Object.entries(fits)) {
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const m = await fit();
    const c = process.cpuUsage(c0);
    console.log(`  ${alg}: wall ${((performance.now() - w0) / 1000).toFixed(3)} s, CPU ${((c.user + c.system) / 1e6).toFixed(3)} s, iterations ${String(m.meta['nIter'] ?? (m.meta['lossHistory'] as unknown[] | undefined)?.length)}`);
  }
}
await shutdown();
