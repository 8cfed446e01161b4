import { strict as assert } from 'node:assert';
import { ServerlessExecutorService, TaskFailedError } from 'crucial';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { fitLogisticRegression } from '../../../ml/logreg/fit.ts';
import { gaussianBlobs } from '../fixtures/data.ts';
import { injectFault, type Fault } from '../fixtures/faulty-tasks.ts';
import { testSeed } from '../fixtures/sklearn.ts';

function assertClose(a: Float64Array, b: Float64Array, rel: number, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= rel * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

let flags = 0;
const fault = (f: Omit<Fault, 'flagKey'>): Fault => ({ ...f, flagKey: `ml-restart-fault-${process.pid}-${++flags}-${Date.now()}` });

describe('ml training - a cloud thread that fails once and is retried rejoins at the current iteration', function () {
  this.timeout(120_000);
  const seed = testSeed();
  // Overlapping blobs: k-means needs several iterations, so a fault at iteration 2 is mid-fit.
  const data = gaussianBlobs(3000, 4, 6, 4, seed);
  const retrying = new ServerlessExecutorService({ retries: 2, backoffMs: 1 });
  const params = { k: 6, nInit: 2, seed, tol: 0 };
  let clean: Awaited<ReturnType<typeof fitKMeans>>;

  before(async () => {
    clean = await fitKMeans(data, params, { workers: 3, executor: retrying });
    assert.ok((clean.meta.nIter as number) >= 4, `the clean fit took ${clean.meta.nIter} iterations; the faults below need at least 4 (seed ${seed})`);
  });

  for (const stage of ['after-report', 'before-report'] as const) {
    it(`kmeans - a partition failing ${stage === 'after-report' ? 'after its report was merged' : 'before reporting'} at iteration 2 gives the clean run's centroids (seed printed on failure)`, async () => {
      const m = await fitKMeans(data, params, { workers: 3, executor: retrying, mapTask: injectFault(fault({ part: 1, stage, at: 2 })) });
      assert.equal(m.meta.nIter, clean.meta.nIter, `seed ${seed}`);
      assert.ok(Math.abs((m.meta.inertia as number) - (clean.meta.inertia as number)) <= 1e-9 * (clean.meta.inertia as number), `inertia ${m.meta.inertia} vs ${clean.meta.inertia} (CRUCIAL_ML_SEED=${seed})`);
      assertClose(m.arrays.centroids.data as Float64Array, clean.arrays.centroids.data as Float64Array, 1e-9, `centroids (CRUCIAL_ML_SEED=${seed})`);
    });
  }

  it('logreg - a partition failing after its gradient was merged gives the clean run\'s coefficients and loss history', async () => {
    const bin = { ...data, y: data.y!.map((v) => (v < 3 ? 0 : 1)) };
    const lr = await fitLogisticRegression(bin, {}, { workers: 3, executor: retrying });
    assert.ok((lr.meta.evaluations as number) > 4);
    const m = await fitLogisticRegression(bin, {}, { workers: 3, executor: retrying, mapTask: injectFault(fault({ part: 2, stage: 'after-report', at: 3 })) });
    assert.equal(m.meta.nIter, lr.meta.nIter);
    assertClose(m.arrays.coef.data as Float64Array, lr.arrays.coef.data as Float64Array, 1e-9, 'coef');
    assertClose(Float64Array.from(m.meta.lossHistory as number[]), Float64Array.from(lr.meta.lossHistory as number[]), 1e-12, 'lossHistory');
  });

  it('kmeans - without retries the failure is final: the fit rejects with ERR_TASK_FAILED and no other cloud thread stays parked', async () => {
    const once = new ServerlessExecutorService({ retries: 0 });
    await assert.rejects(
      fitKMeans(data, params, { workers: 3, executor: once, mapTask: injectFault(fault({ part: 0, stage: 'before-report', at: 1 })) }),
      (err: unknown) => err instanceof TaskFailedError && /injected failure/.test(err.message),
    );
    // The fit only returns once every task has ended, so reaching here means none is left parked.
    once.shutdown();
    assert.equal(await once.awaitTermination(10_000), true);
  });
});
