import { strict as assert } from 'node:assert';
import { KMeansState, type KMeansRound } from '../../../ml/kmeans/node/kmeans-state.ts';
import { IllegalStateError, BadArgumentError, LimitExceededError } from '../../../core/protocol/errors.ts';

const f = (...v: number[]) => Float64Array.from(v);
// 1-D, k = 2, two partitions: rows {0, 1} and {10, 11}; stats [n, mean, M2].
const make = (maxIter = 10, tol = 0) => new KMeansState(2, 1, 2, 1, maxIter, tol);

/** Both partitions send their sample; the driver's part (sample, then start from centroids 1 and 11). */
async function init(s: KMeansState): Promise<KMeansRound> {
  const a = s.init(0, f(0, 1), f(2, 0.5, 0.5));
  const b = s.init(1, f(10, 11), f(2, 10.5, 0.5));
  assert.ok(a instanceof Promise && b instanceof Promise, 'partitions park until the driver starts iteration 0');
  const whole = await s.sample();
  assert.deepEqual(Array.from(whole.sample), [0, 1, 10, 11]);
  assert.equal(whole.rows, 4);
  const started = s.start(f(1, 11));
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(ra, rb);
  assert.equal(ra, started);
  assert.equal(s.start(f(5, 5)), started, 'a second start answers the current round');
  assert.throws(() => s.sample(), IllegalStateError, 'the sample is dropped once the iterations start');
  return ra;
}

describe('ml.KMeansState (node side) - one report per partition and iteration', () => {
  it('kmeans-state - parks every partition until the last reports, then all get the same next round', async () => {
    const s = make();
    const r0 = await init(s);
    assert.equal(r0.iteration, 0);
    assert.equal(r0.done, false);
    // Whatever k-means++ drew, put the two centroids at 0 and 10 by reporting those sums.
    const p0 = s.report(0, 0, f(1, 0), f(2, 0), f(1));
    assert.ok(p0 instanceof Promise, 'the first report parks');
    const r1 = await s.report(0, 1, f(0, 21), f(0, 2), f(1));
    assert.equal(await p0, r1);
    assert.equal(r1.iteration, 1);
    assert.deepEqual(Array.from(r1.centroids), [0.5, 10.5]);
  });

  it('kmeans-state - a partition reporting the same iteration twice (a retried cloud thread) is merged once', async () => {
    const s = make();
    await init(s);
    // Cluster 0 gets a row at 1 from partition 0 and one at 3 from partition 1: mean 2. Merging
    // partition 0's report twice would make it (1 + 1 + 3) / 3 and the inertia 3 instead of 2.
    const first = s.report(0, 0, f(1, 0), f(1, 0), f(1));
    const again = s.report(0, 0, f(1, 0), f(1, 0), f(1));
    const r1 = await s.report(0, 1, f(3, 21), f(1, 2), f(1));
    assert.equal(await first, r1);
    assert.equal(await again, r1);
    assert.deepEqual(Array.from(r1.centroids), [2, 10.5]);
    const q = s.report(1, 0, f(1, 0), f(1, 0), f(1));
    const r2 = await s.report(1, 1, f(3, 21), f(1, 2), f(1.5));
    await q;
    assert.equal(r2.done, true, 'centroids unchanged: converged');
    assert.equal(s.result().inertia, 2.5);
  });

  it('kmeans-state - a report for a closed iteration answers the current round at once (a restarted worker rejoins)', async () => {
    const s = make();
    await init(s);
    const p = s.report(0, 0, f(1, 0), f(2, 0), f(1));
    const r1 = await s.report(0, 1, f(0, 21), f(0, 2), f(1));
    await p;
    assert.equal(s.report(0, 0, f(99, 99), f(9, 9), f(9)), r1, 'the stale report is ignored and answered with the current round');
    assert.equal(await s.init(0, f(0, 1), f(2, 0.5, 0.5)), r1, 'init after init answers the current round');
    assert.throws(() => s.report(5, 0, f(0, 0), f(0, 0), f(0)), BadArgumentError);
  });

  it('kmeans-state - converges when the squared shift is within tol, after one more assignment pass for the final inertia', async () => {
    const s = make(10, 0);
    await init(s);
    const step = async (it: number, inertia: number) => {
      const p = s.report(it, 0, f(1, 0), f(2, 0), f(inertia / 2));
      const r = await s.report(it, 1, f(0, 21), f(0, 2), f(inertia / 2));
      await p;
      return r;
    };
    await step(0, 5);
    const r2 = await step(1, 1); // centroids already at the means: shift 0, done with this inertia
    assert.equal(r2.done, true);
    const res = s.result();
    assert.equal(res.inertia, 1);
    assert.equal(res.nIter, 2);
    assert.deepEqual(Array.from(res.centroids), [0.5, 10.5]);
  });

  it('kmeans-state - maxIter reached: status FINAL, the next pass gives the inertia, then done', async () => {
    const s = make(1, 0);
    await init(s);
    const p = s.report(0, 0, f(1, 0), f(2, 0), f(3));
    const r1 = await s.report(0, 1, f(0, 21), f(0, 2), f(3));
    await p;
    assert.equal(r1.done, false);
    assert.equal(r1.status[0], 1);
    const q = s.report(1, 0, f(0, 0), f(0, 0), f(0.25));
    const r2 = await s.report(1, 1, f(0, 0), f(0, 0), f(0.25));
    await q;
    assert.equal(r2.done, true);
    assert.equal(s.result().inertia, 0.5);
    assert.equal(s.result().nIter, 1);
  });

  it('kmeans-state - abort fails parked partitions and a driver waiting for the sample', async () => {
    const s = make();
    const parked = s.init(0, f(0, 1), f(2, 0.5, 0.5));
    const driver = s.sample();
    s.abort('partition 1 failed');
    await assert.rejects(Promise.resolve(parked), IllegalStateError);
    await assert.rejects(Promise.resolve(driver), IllegalStateError);
  });

  it('kmeans-state - abort fails every parked call and every later one with ERR_ILLEGAL_STATE', async () => {
    const s = make();
    await init(s);
    const parked = s.report(0, 0, f(1, 0), f(2, 0), f(1));
    s.abort('partition 1 failed');
    await assert.rejects(Promise.resolve(parked), (e: unknown) => e instanceof IllegalStateError && /partition 1 failed/.test(e.message));
    assert.throws(() => s.report(0, 1, f(0, 0), f(0, 0), f(0)), IllegalStateError);
  });

  it('kmeans-state - a partition retried during init sends its share again: taken once, the sample is unchanged', async () => {
    const s = make();
    const a = s.init(0, f(0, 1), f(2, 0.5, 0.5));
    const again = s.init(0, f(5, 6), f(2, 5.5, 0.5));
    const b = s.init(1, f(10, 11), f(2, 10.5, 0.5));
    assert.deepEqual(Array.from((await s.sample()).sample), [0, 1, 10, 11]);
    s.start(f(1, 11));
    await Promise.all([a, again, b]);
  });

  it('kmeans-state - a cluster empty in every partition takes the farthest row reported (scikit-learn), ties in partition order', async () => {
    const s = new KMeansState(3, 1, 2, 1, 10, 0);
    const a = s.init(0, f(0, 1, 9), f(3, 10 / 3, 0));
    const b = s.init(1, f(20), f(1, 20, 0));
    await s.sample();
    s.start(f(3, 20, 100)); // nothing is near 100: cluster 2 gets no row
    await Promise.all([a, b]);
    // Partition 0 left cluster 2 empty: it sends its farthest row, 9 (36 from centroid 3). Partition 1
    // left clusters 0 and 2 empty: it sends its only row, 20 (0 from centroid 20). 9 wins and moves.
    const p0 = s.report(0, 0, f(10, 0, 0), f(3, 0, 0), f(9 + 4 + 36), f(0, 36, 0, 9));
    const r1 = await s.report(0, 1, f(0, 20, 0), f(0, 1, 0), f(0), f(0, 0, 1, 20));
    await p0;
    assert.deepEqual(Array.from(r1.centroids), [0.5, 20, 9]);
  });

  it('kmeans-state - the tolerance is tol times the mean feature variance of the whole data (merged partition statistics)', async () => {
    const s = new KMeansState(1, 2, 2, 1, 10, 0.5);
    // Partition 0: rows (0, 0), (2, 4); partition 1: row (4, 8). Variances: 8/3 and 32/3, mean 20/3.
    const a = s.init(0, f(0, 0), f(2, 1, 2, 2, 8));
    const b = s.init(1, f(4, 8), f(1, 4, 8, 0, 0));
    const whole = await s.sample();
    assert.ok(Math.abs(whole.tolerance - (0.5 * 20) / 3) < 1e-12, `tolerance ${whole.tolerance}`);
    s.start(f(0, 0));
    await Promise.all([a, b]);
  });

  it('kmeans-state - bad constructor arguments and array lengths are ERR_BAD_ARGUMENT', async () => {
    assert.throws(() => new KMeansState(0, 1, 1, 1, 1, 0), BadArgumentError);
    assert.throws(() => new KMeansState(2, 1, 1, 1, 1, -1), BadArgumentError);
    assert.throws(() => new KMeansState(2 ** 20, 2 ** 10, 4, 1, 1, 0), LimitExceededError, 'a 54-byte call must not allocate gigabytes');
    const s = new KMeansState(2, 2, 1, 1, 10, 0);
    assert.throws(() => s.init(0, f(1, 2, 3), f(0, 0, 0, 0, 0)), BadArgumentError, 'a sample of 1.5 rows');
    assert.throws(() => s.init(1, f(1, 2), f(0, 0, 0, 0, 0)), BadArgumentError, 'a partition out of range');
    assert.throws(() => s.start(f(0, 0, 0, 0)), IllegalStateError, 'start before the samples');
    const a = s.init(0, f(1, 2, 3, 4), f(2, 2, 3, 2, 2));
    await s.sample();
    assert.throws(() => s.start(f(0, 0)), BadArgumentError, 'centroids of the wrong length');
    s.start(f(1, 2, 3, 4));
    await a;
    assert.throws(() => s.report(0, 0, f(1), f(1, 1), f(0)), BadArgumentError, 'sums of the wrong length');
  });
});
