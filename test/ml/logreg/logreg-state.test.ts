import { strict as assert } from 'node:assert';
import { LogRegState } from '../../../ml/logreg/node/logreg-state.ts';
import { BadArgumentError, IllegalStateError, LimitExceededError } from '../../../core/protocol/errors.ts';

const f = (...v: number[]) => Float64Array.from(v);

describe('ml.LogRegState (node side) - gradient sums, one report per partition and evaluation', () => {
  it('logreg-state - classes are the sorted union of the partitions\' labels; two classes give one coef row', async () => {
    const s = new LogRegState(2, 2, 1, 10, 1e-4, false, true);
    const a = s.init(0, f(5), 3);
    const r = await s.init(1, f(5, -1), 4);
    assert.equal(await a, r);
    assert.deepEqual(Array.from(r.classes), [-1, 5]);
    assert.equal(r.r, 1);
    assert.equal(r.x.length, 3, 'coef (1×2) and the intercept');
    assert.deepEqual(Array.from(r.x), [0, 0, 0], 'L-BFGS starts from zeros, as scikit-learn');
  });

  it('logreg-state - multinomial for three classes (or when asked): one coef row per class', async () => {
    const s = new LogRegState(2, 1, 1, 10, 1e-4, false, false);
    const r = await s.init(0, f(0, 1, 2), 3);
    assert.equal(r.r, 3);
    assert.equal(r.x.length, 6);
    const t = new LogRegState(2, 1, 1, 10, 1e-4, true, true);
    assert.equal((await t.init(0, f(0, 1), 3)).r, 2);
  });

  it('logreg-state - a single class fails every partition with ERR_BAD_ARGUMENT naming it', async () => {
    const s = new LogRegState(2, 2, 1, 10, 1e-4, false, true);
    const a = s.init(0, f(1), 3);
    assert.throws(() => s.init(1, f(1), 2), (e: unknown) => e instanceof BadArgumentError && /at least 2 classes.*only class 1/.test(e.message));
    await assert.rejects(Promise.resolve(a), BadArgumentError);
  });

  it('logreg-state - the objective is (1/n)·Σ loss + ‖coef‖²/(2Cn), and a repeated report is merged once', async () => {
    const s = new LogRegState(1, 2, 0.5, 10, 0, false, true);
    const i0 = s.init(0, f(0, 1), 3);
    await s.init(1, f(0, 1), 1);
    await i0;
    const first = s.report(0, 0, 3, f(1, 1));
    const again = s.report(0, 0, 3, f(1, 1));
    const r1 = await s.report(0, 1, 1, f(1, 1));
    assert.equal(await first, r1);
    assert.equal(await again, r1);
    const p = await s.progress(-1);
    assert.equal(p.loss, (3 + 1) / 4, 'w = 0: no penalty; a second merge of partition 0 would give 7/4');
    assert.equal(r1.evaluation, 1);
    assert.ok(r1.x[0]! < 0 && r1.x[1]! < 0, 'the first step goes against the gradient (+, +)');
    assert.equal(s.report(0, 1, 99, f(9, 9)), r1, 'a stale report answers the current round at once');
    assert.throws(() => s.report(7, 0, 1, f(0, 0)), BadArgumentError);
  });

  it('logreg-state - abort fails parked callers and later calls with ERR_ILLEGAL_STATE', async () => {
    const s = new LogRegState(1, 2, 1, 10, 0, false, true);
    const i0 = s.init(0, f(0), 1);
    await s.init(1, f(1), 1);
    await i0;
    const parked = s.report(0, 0, 1, f(0, 0));
    s.abort('partition 1 failed');
    await assert.rejects(Promise.resolve(parked), IllegalStateError);
    assert.throws(() => s.report(0, 1, 1, f(0, 0)), IllegalStateError);
    assert.throws(() => s.result(), IllegalStateError);
  });

  it('logreg-state - more classes × features than the node allows fails the partitions with ERR_LIMIT, not the node', async () => {
    const s = new LogRegState(2 ** 12, 1, 1, 10, 1e-4, false, true);
    const labels = Float64Array.from({ length: 2 ** 12 }, (_, i) => i);
    assert.throws(() => s.init(0, labels, 4096), LimitExceededError);
  });

  it('logreg-state - bad constructor arguments are ERR_BAD_ARGUMENT', () => {
    assert.throws(() => new LogRegState(2, 1, 0, 10, 1e-4, false, true), BadArgumentError);
    assert.throws(() => new LogRegState(2, 1, 1, 0, 1e-4, false, true), BadArgumentError);
    assert.throws(() => new LogRegState(2, 1, 1, 10, -1, false, true), BadArgumentError);
    assert.throws(() => new LogRegState(2, 1, 1, 10, 1e-4, 'yes', true), BadArgumentError);
  });
});
