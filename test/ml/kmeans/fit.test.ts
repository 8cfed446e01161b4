import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import type { Dataset } from '../../../ml/data/dataset.ts';
import { CrucialError } from '../../../core/protocol/errors.ts';
import { defaultConnectionAsync } from '../../../core/client/context.ts';
import { gaussianBlobs } from '../fixtures/data.ts';
import { testSeed } from '../fixtures/sklearn.ts';

const ds = (rows: number[][]): Dataset => ({
  X: Float64Array.from(rows.flat()), nRows: rows.length, nCols: rows[0]!.length, featureNames: rows[0]!.map((_, j) => `f${j}`),
});

async function rejectsBadArgument(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CrucialError && e.code === 'ERR_BAD_ARGUMENT' && re.test(e.message));
}

describe('ml/kmeans - fitKMeans arguments and edge cases', function () {
  this.timeout(120_000);
  const seed = testSeed();
  const small = ds([[0, 0], [0, 1], [10, 10], [10, 11]]);

  it('fit - bad parameters are ERR_BAD_ARGUMENT naming the parameter, before any cloud thread starts', async () => {
    await rejectsBadArgument(fitKMeans(small, { k: 0 }), /params\.k/);
    await rejectsBadArgument(fitKMeans(small, { k: 1.5 }), /params\.k/);
    await rejectsBadArgument(fitKMeans(small, { k: 2, nInit: 0 }), /params\.nInit/);
    await rejectsBadArgument(fitKMeans(small, { k: 2, maxIter: -1 }), /params\.maxIter/);
    await rejectsBadArgument(fitKMeans(small, { k: 2, tol: -1 }), /params\.tol/);
    await rejectsBadArgument(fitKMeans(small, { k: 2, tol: NaN }), /params\.tol/);
    await rejectsBadArgument(fitKMeans(small, { k: 2, seed: 0.5 }), /params\.seed/);
    for (const seed of [-1, 2 ** 32]) await rejectsBadArgument(fitKMeans(small, { k: 2, seed }), /params\.seed/);
    await rejectsBadArgument(fitKMeans(small, { k: 2 }, { workers: 0 }), /workers/);
    await rejectsBadArgument(fitKMeans({ ...small, X: new Float64Array(3) }, { k: 2 }), /data\.X/);
    await rejectsBadArgument(fitKMeans(42 as never, { k: 2 }), /Arrow file path or a Dataset/);
  });

  it('fit - k greater than the rows is a clear ERR_BAD_ARGUMENT', async () => {
    await rejectsBadArgument(fitKMeans(small, { k: 5 }), /k = 5 is greater than the 4 rows/);
  });

  it('fit - more workers than rows: the empty partitions take part in every iteration and the result is right; the shared state is removed after', async () => {
    const conn = await defaultConnectionAsync();
    const objects = async () => ((await conn.call('$system', '', 'stats', [])) as { objects: number }).objects;
    await fitKMeans(small, { k: 2, seed }, { workers: 1 }); // the node's own objects exist from here on
    const before = await objects();
    const m = await fitKMeans(small, { k: 2, seed }, { workers: 7, minRowsPerPartition: 0 });
    assert.equal(await objects(), before, 'the fit left its ml.KMeansState on the node');
    const c = Array.from(m.arrays.centroids.data as Float64Array);
    const sorted = [c.slice(0, 2), c.slice(2, 4)].sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(sorted, [[0, 0.5], [10, 10.5]], `CRUCIAL_ML_SEED=${seed}`);
    assert.equal(m.meta.inertia, 1);
    assert.equal(m.meta.workers, 7);
  });

  it('fit - a constant feature keeps its value in every centroid; identical rows give inertia 0 without failing', async () => {
    const blobs = gaussianBlobs(300, 3, 3, 0.5, seed);
    for (let i = 0; i < blobs.nRows; i++) blobs.X[i * 3 + 1] = 7;
    const m = await fitKMeans(blobs, { k: 3, seed }, { workers: 2 });
    const c = m.arrays.centroids.data as Float64Array;
    for (let j = 0; j < 3; j++) assert.equal(c[j * 3 + 1], 7);
    const same = ds(Array.from({ length: 10 }, () => [1, 2]));
    const z = await fitKMeans(same, { k: 2, seed }, { workers: 2 });
    assert.equal(z.meta.inertia, 0);
    assert.equal(z.meta.tolerance, 0, 'no variance: sklearn tolerance tol · 0');
  });

  it('fit - from an Arrow file each cloud thread reads its own rows; the model matches the in-memory fit; progress is reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucial-kmeans-'));
    try {
      const blobs = gaussianBlobs(2000, 4, 5, 1.5, seed);
      const path = join(dir, 'blobs.arrow');
      await writeDataset(path, blobs, { batchRows: 256 });
      const steps: number[] = [];
      const fromFile = await fitKMeans(path, { k: 5, nInit: 2, seed }, { workers: 3, minRowsPerPartition: 0, onProgress: (p) => { steps.push(p.step); assert.equal(p.label, 'k-means iteration'); } });
      const inMemory = await fitKMeans(blobs, { k: 5, nInit: 2, seed }, { workers: 3, minRowsPerPartition: 0 });
      assert.deepEqual(Array.from(fromFile.arrays.centroids.data), Array.from(inMemory.arrays.centroids.data), `CRUCIAL_ML_SEED=${seed}`);
      assert.deepEqual(fromFile.meta.featureNames, ['f0', 'f1', 'f2', 'f3']);
      assert.ok(steps.length >= 1, 'onProgress was called');
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!, `steps ${steps}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fit - NaN or ±Inf features are ERR_BAD_ARGUMENT naming the row and feature, in memory and from a file, one thread or split', async () => {
    const bad = (v: number, at: number): Dataset => { const d = gaussianBlobs(600, 3, 2, 1, seed); const X = d.X.slice(); X[at] = v; return { ...d, X }; };
    await rejectsBadArgument(fitKMeans(bad(Number.NaN, 3 * 7 + 2), { k: 2, seed }), /finite.*feature 2 of row 7/);
    await rejectsBadArgument(fitKMeans(bad(-Infinity, 3 * 500), { k: 2, seed }, { workers: 2, minRowsPerPartition: 0 }), /finite.*feature 0 of row 500 of the data is -Infinity/);
    const dir = await mkdtemp(join(tmpdir(), 'crucial-kmeans-'));
    try {
      const path = join(dir, 'inf.arrow');
      await writeDataset(path, bad(Infinity, 3 * 400 + 1), { batchRows: 128 });
      await rejectsBadArgument(fitKMeans(path, { k: 2, seed }), /finite.*feature 1 of row 400 .*Infinity/);
      await rejectsBadArgument(fitKMeans(path, { k: 2, seed }, { workers: 2, minRowsPerPartition: 0 }), /finite.*feature 1 of row 400 of .*inf\.arrow is Infinity/);
      // The thread's lent read buffer came back: a good file fits afterwards in the same threads.
      const good = join(dir, 'good.arrow');
      await writeDataset(good, gaussianBlobs(600, 3, 2, 1, seed), { batchRows: 128 });
      assert.equal((await fitKMeans(good, { k: 2, seed })).arrays.centroids.data.length, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fit - modelName publishes the model to the ModelStore: loaded back, same centroids', async () => {
    const name = `kmeans-fit-test-${process.pid}-${Date.now()}`;
    const m = await fitKMeans(small, { k: 2, seed }, { modelName: name });
    assert.equal(m.name, name);
    assert.equal(m.version, 1);
    const loaded = await new ModelStore({ persistent: false }).load(name);
    assert.equal(loaded.algorithm, 'kmeans');
    assert.deepEqual(Array.from(loaded.arrays.centroids.data), Array.from(m.arrays.centroids.data));
    assert.deepEqual(loaded.arrays.centroids.shape, [2, 2]);
  });
});
