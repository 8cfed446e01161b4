import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { AtomicLong, CountDownLatch } from 'crucial';
import { IllegalStateError } from '../../core/protocol/errors.ts';
import { fitKMeans } from '../../ml/kmeans/fit.ts';
import { fitLogisticRegression } from '../../ml/logreg/fit.ts';
import { fitRandomForest } from '../../ml/forest/fit.ts';
import type { Model } from '../../ml/model/format.ts';
import { counting, type Hold } from './fixtures/counting-tasks.ts';
import { gaussianBlobs } from './fixtures/data.ts';
import { testSeed } from './fixtures/sklearn.ts';

/**
 * A cancelled fit (opts.signal, what a `$jobs` cancel aborts) stops its cloud threads at their next
 * step: the tasks are held at step `at`, the fit is cancelled, the tasks are let go, and the step
 * they reached is read from the node. An uncancelled fit of the same data runs to `maxIter` (or
 * all its trees), checked first, so a fit that ignored the cancel would reach far past `at`.
 */
async function cancelWhileHeld(start: (signal: AbortSignal, mapTask: (t: object) => object) => Promise<Model>, at: number, holders: number): Promise<number> {
  const hold: Hold = { countKey: `cancel-count-${randomUUID()}`, reachedKey: `cancel-reached-${randomUUID()}`, releaseKey: `cancel-release-${randomUUID()}`, at, holders };
  const ctrl = new AbortController();
  const fit = start(ctrl.signal, counting(hold));
  fit.catch(() => undefined);
  await new CountDownLatch(hold.reachedKey, holders).await(60_000);
  ctrl.abort(new IllegalStateError('cancelled by the test'));
  await new CountDownLatch(hold.releaseKey, 1).countDown();
  await assert.rejects(fit, (e: unknown) => e instanceof IllegalStateError && /cancelled by the test/.test(e.message));
  return Number(await new AtomicLong(hold.countKey).get());
}

describe('ml - cancelling a fit stops its cloud threads at their next step', function () {
  this.timeout(120_000);
  const seed = testSeed();
  // One wide Gaussian cut into 20 clusters: Lloyd moves the centres for a long time.
  const blob = gaussianBlobs(3000, 2, 1, 1, seed);
  const kmParams = { k: 20, tol: 0, maxIter: 15, seed };
  const bin = { ...gaussianBlobs(2000, 6, 2, 4, seed) };

  before(async () => {
    const km = await fitKMeans(blob, kmParams);
    assert.equal(km.meta.nIter, kmParams.maxIter, `the uncancelled k-means fit must run to maxIter (CRUCIAL_ML_SEED=${seed})`);
  });

  for (const [mode, minRows] of [['one partition (iterations in the thread)', undefined], ['2 partitions (iterations through the node)', 0]] as const) {
    it(`kmeans, ${mode}: cancelled at iteration 3 of ${kmParams.maxIter}, the threads stop within a few iterations and the fit rejects with the cancel's error`, async () => {
      const reached = await cancelWhileHeld((signal, mapTask) => fitKMeans(blob, kmParams, { workers: 2, minRowsPerPartition: minRows, signal, mapTask }), 3, 1);
      assert.ok(reached >= 3 && reached <= 6, `partition 0 reached iteration ${reached} (CRUCIAL_ML_SEED=${seed})`);
    });
  }

  it('logreg, one partition: cancelled at evaluation 2, the optimiser in the thread stops within a few evaluations', async () => {
    const lr = await fitLogisticRegression(bin, { tol: 0, maxIter: 60 });
    const evaluations = lr.meta.evaluations as number;
    assert.ok(evaluations >= 12, `the uncancelled fit made ${evaluations} evaluations (CRUCIAL_ML_SEED=${seed})`);
    const reached = await cancelWhileHeld((signal, mapTask) => fitLogisticRegression(bin, { tol: 0, maxIter: 60 }, { signal, mapTask }), 2, 1);
    assert.ok(reached >= 2 && reached <= 5, `the thread reached evaluation ${reached} of ${evaluations}`);
  });

  it('forest: cancelled with each of 2 cloud threads after its 3rd tree of 60, each stops after the tree it was growing', async () => {
    const params = { nEstimators: 120, maxDepth: 3, seed };
    const reached = await cancelWhileHeld((signal, mapTask) => fitRandomForest(bin, params, { workers: 2, signal, mapTask: mapTask as never }), 2, 2);
    assert.ok(reached >= 6 && reached <= 8, `${reached} trees of 120 were grown and merged`);
  });

  it('a signal aborted before the fit starts rejects at once, before any cloud thread', async () => {
    const ctrl = new AbortController();
    ctrl.abort(new IllegalStateError('cancelled early'));
    await assert.rejects(fitKMeans(blob, kmParams, { signal: ctrl.signal }), /cancelled early/);
    await assert.rejects(fitLogisticRegression(bin, {}, { signal: ctrl.signal }), /cancelled early/);
    await assert.rejects(fitRandomForest(bin, {}, { signal: ctrl.signal }), /cancelled early/);
  });
});
