import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrucialError } from '../../../core/protocol/errors.ts';
import { defaultConnectionAsync } from '../../../core/client/context.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { DEFAULT_MIN_ROWS_PER_PARTITION, partitionCount } from '../../../ml/kmeans/run-tasks.ts';
import { fitLogisticRegression } from '../../../ml/logreg/fit.ts';
import { gaussianBlobs } from '../fixtures/data.ts';
import { testSeed } from '../fixtures/sklearn.ts';

/** The same numbers bit for bit (the one thread adds the split fit's partitions in the same order). */
function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.deepEqual(Array.from(a), Array.from(b), what);
}

describe('ml - a fit over small data runs as one cloud thread, with the result of the split fit', function () {
  this.timeout(120_000);
  const seed = testSeed();

  it('partitionCount - workers, fewer when the data is small, at least one; 0 = always workers; malformed values are ERR_BAD_ARGUMENT', () => {
    const min = DEFAULT_MIN_ROWS_PER_PARTITION;
    assert.equal(partitionCount(10, {}), 1);
    assert.equal(partitionCount(min - 1, { workers: 2 }), 1);
    assert.equal(partitionCount(2 * min - 1, { workers: 2 }), 1);
    assert.equal(partitionCount(2 * min, { workers: 2 }), 2);
    assert.equal(partitionCount(100 * min, { workers: 3 }), 3);
    assert.equal(partitionCount(10, { workers: 7, minRowsPerPartition: 0 }), 7);
    assert.equal(partitionCount(1000, { workers: 4, minRowsPerPartition: 300 }), 3);
    for (const bad of [-1, 1.5, Number.NaN]) {
      assert.throws(() => partitionCount(10, { minRowsPerPartition: bad }), (e: unknown) => e instanceof CrucialError && e.code === 'ERR_BAD_ARGUMENT' && /minRowsPerPartition/.test(e.message));
    }
    assert.throws(() => partitionCount(10, { workers: 0 }), /workers/);
  });

  it('kmeans - one partition (default on small data) gives the split fit\'s centroids, iterations and inertia bit for bit, reports progress, and leaves no state on the node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucial-kmeans-one-'));
    try {
      const blobs = gaussianBlobs(5000, 5, 6, 3, seed);
      const path = join(dir, 'blobs.arrow');
      await writeDataset(path, blobs, { batchRows: 700 });
      const params = { k: 6, nInit: 2, seed };
      const conn = await defaultConnectionAsync();
      const objects = async () => ((await conn.call('$system', '', 'stats', [])) as { objects: number }).objects;
      const split = await fitKMeans(path, params, { workers: 2, minRowsPerPartition: 0 });
      assert.equal(split.meta.workers, 2);
      const before = await objects();
      const steps: number[] = [];
      const one = await fitKMeans(path, params, { workers: 2, onProgress: (p) => steps.push(p.step) });
      assert.equal(await objects(), before, 'the fit left its ml.KMeansState on the node');
      assert.equal(one.meta.workers, 1);
      assert.equal(one.meta.nIter, split.meta.nIter, `CRUCIAL_ML_SEED=${seed}`);
      assert.deepEqual(one.meta.nIters, split.meta.nIters);
      assertSame(one.arrays.centroids.data as Float64Array, split.arrays.centroids.data as Float64Array, `centroids (CRUCIAL_ML_SEED=${seed})`);
      assert.equal(one.meta.inertia, split.meta.inertia);
      assert.deepEqual(one.meta.inertias, split.meta.inertias);
      assert.ok(steps.length >= 1, 'onProgress was called');
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!, `steps ${steps}`);
      // The last iteration closed: the longest run's Lloyd iterations, plus its final assignment
      // pass unless it stopped because its centres did not move (then that pass was its last one).
      const longest = (one.meta.nIters as number[]).reduce((a, b) => Math.max(a, b));
      const last = steps[steps.length - 1]!;
      assert.ok(last === longest || last === longest + 1, `the last report is the last iteration (steps ${steps}, nIters ${String(one.meta.nIters)}, CRUCIAL_ML_SEED=${seed})`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('logreg - one partition gives the split fit\'s iterations, loss history and coefficients bit for bit (binary and multinomial)', async () => {
    for (const centers of [2, 3]) {
      const data = gaussianBlobs(3000, 6, centers, 3, seed);
      const split = await fitLogisticRegression(data, { maxIter: 30 }, { workers: 3, minRowsPerPartition: 0 });
      const steps: number[] = [];
      const one = await fitLogisticRegression(data, { maxIter: 30 }, { workers: 3, onProgress: (p) => steps.push(p.step) });
      assert.equal(split.meta.workers, 3);
      assert.equal(one.meta.workers, 1);
      assert.equal(one.meta.nIter, split.meta.nIter, `${centers} classes (CRUCIAL_ML_SEED=${seed})`);
      assert.deepEqual(one.meta.lossHistory, split.meta.lossHistory, 'loss history');
      assertSame(one.arrays.coef.data as Float64Array, split.arrays.coef.data as Float64Array, 'coef');
      assertSame(one.arrays.intercept.data as Float64Array, split.arrays.intercept.data as Float64Array, 'intercept');
      assert.ok(steps.length >= 1 && steps[steps.length - 1] === one.meta.nIter, `steps ${steps}, nIter ${one.meta.nIter}`);
    }
  });
});
