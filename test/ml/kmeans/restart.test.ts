import { strict as assert } from 'node:assert';
import { AtomicBoolean, CountDownLatch, ServerlessExecutorService, TaskFailedError } from 'crucial';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { fitLogisticRegression } from '../../../ml/logreg/fit.ts';
import { gaussianBlobs } from '../fixtures/data.ts';
import { injectFault, type Fault } from '../fixtures/faulty-tasks.ts';
import { testSeed } from '../fixtures/sklearn.ts';

// The node adds partitions' reports in partition order, so a fit is reproducible bit for bit.
function assertSame(a: Float64Array, b: Float64Array, what: string): void {
  assert.deepEqual(Array.from(a), Array.from(b), what);
}

let flags = 0;
/** A fault; 'while-parked' ones hold the other partitions until the retry has reported the same step again. */
async function fault(f: Omit<Fault, 'flagKey' | 'holdKey'>): Promise<Fault> {
  const id = `ml-restart-fault-${process.pid}-${++flags}-${Date.now()}`;
  if (f.stage !== 'while-parked') return { ...f, flagKey: id };
  const latch = new CountDownLatch(`${id}-hold`, 1);
  await latch.materialize();
  return { ...f, flagKey: id, holdKey: `${id}-hold` };
}

describe('ml training - a cloud thread that fails once and is retried rejoins at the current iteration', function () {
  this.timeout(120_000);
  const seed = testSeed();
  // Overlapping blobs: k-means needs several iterations, so a fault at iteration 2 is mid-fit.
  const data = gaussianBlobs(3000, 4, 6, 4, seed);
  const retrying = new ServerlessExecutorService({ retries: 2, backoffMs: 1 });
  // Stopped by maxIter before convergence: Lloyd iterations would otherwise repair a corrupted
  // iteration and reach the same centroids anyway, hiding a double-counted report.
  const params = { k: 6, nInit: 2, seed, tol: 0, maxIter: 4 };
  let clean: Awaited<ReturnType<typeof fitKMeans>>;

  before(async () => {
    clean = await fitKMeans(data, params, { workers: 3, minRowsPerPartition: 0, executor: retrying });
    assert.equal(clean.meta.nIter, 4, `the clean fit converged in ${clean.meta.nIter} iterations; the faults below need it stopped by maxIter (seed ${seed})`);
  });

  const WHEN = {
    'before-report': 'before reporting',
    'while-parked': 'with its report merged but the reply not in (the retry reports the same iteration again)',
    'after-report': 'after the iteration closed',
  } as const;
  for (const stage of ['while-parked', 'before-report', 'after-report'] as const) {
    it(`kmeans - a partition failing ${WHEN[stage]} at iteration 2 gives the clean run's centroids (seed printed on failure)`, async () => {
      const flt = await fault({ part: 1, stage, at: 2 });
      const m = await fitKMeans(data, params, { workers: 3, minRowsPerPartition: 0, executor: retrying, mapTask: injectFault(flt) });
      assert.equal(await new AtomicBoolean(flt.flagKey).get(), true, 'the injected failure happened');
      assert.equal(m.meta.nIter, clean.meta.nIter, `seed ${seed}`);
      assert.equal(m.meta.inertia, clean.meta.inertia, `CRUCIAL_ML_SEED=${seed}`);
      assertSame(m.arrays.centroids.data as Float64Array, clean.arrays.centroids.data as Float64Array, `centroids (CRUCIAL_ML_SEED=${seed})`);
    });
  }

  it('kmeans - the worker thread hosting a partition dies (process.exit) with its report parked: the cloud threads it hosted are retried and the result is the clean run\'s', async () => {
    const flt = await fault({ part: 1, stage: 'while-parked', at: 2, crash: true });
    const m = await fitKMeans(data, params, { workers: 3, minRowsPerPartition: 0, executor: retrying, mapTask: injectFault(flt) });
    assert.equal(await new AtomicBoolean(flt.flagKey).get(), true, 'the worker thread was ended');
    assert.equal(m.meta.inertia, clean.meta.inertia, `CRUCIAL_ML_SEED=${seed}`);
    assertSame(m.arrays.centroids.data as Float64Array, clean.arrays.centroids.data as Float64Array, `centroids (CRUCIAL_ML_SEED=${seed})`);
  });

  it('logreg - a partition failing with its gradient merged but the reply not in gives the clean run\'s coefficients and loss history', async () => {
    const bin = { ...data, y: data.y!.map((v) => (v < 3 ? 0 : 1)) };
    const lr = await fitLogisticRegression(bin, {}, { workers: 3, minRowsPerPartition: 0, executor: retrying });
    assert.ok((lr.meta.evaluations as number) > 4);
    const flt = await fault({ part: 2, stage: 'while-parked', at: 3 });
    const m = await fitLogisticRegression(bin, {}, { workers: 3, minRowsPerPartition: 0, executor: retrying, mapTask: injectFault(flt) });
    assert.equal(await new AtomicBoolean(flt.flagKey).get(), true, 'the injected failure happened');
    assert.equal(m.meta.nIter, lr.meta.nIter);
    assertSame(m.arrays.coef.data as Float64Array, lr.arrays.coef.data as Float64Array, 'coef');
    assert.deepEqual(m.meta.lossHistory, lr.meta.lossHistory);
  });

  it('kmeans - without retries the failure is final: the fit rejects with ERR_TASK_FAILED and no other cloud thread stays parked', async () => {
    const once = new ServerlessExecutorService({ retries: 0 });
    await assert.rejects(
      fitKMeans(data, params, { workers: 3, minRowsPerPartition: 0, executor: once, mapTask: injectFault(await fault({ part: 0, stage: 'before-report', at: 1 })) }),
      (err: unknown) => err instanceof TaskFailedError && /injected failure/.test(err.message),
    );
    // The fit only returns once every task has ended, so reaching here means none is left parked.
    once.shutdown();
    assert.equal(await once.awaitTermination(10_000), true);
  });
});
