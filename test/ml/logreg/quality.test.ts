import { strict as assert } from 'node:assert';
import { fitLogisticRegression } from '../../../ml/logreg/fit.ts';
import { predictLogReg } from '../../../ml/logreg/predict.ts';
import { readRows, datasetInfo } from '../../../ml/data/read.ts';
import { sklearnFixture, type SklearnFixture } from '../fixtures/sklearn.ts';

async function accuracy(model: Awaited<ReturnType<typeof fitLogisticRegression>>, path: string): Promise<number> {
  const info = await datasetInfo(path);
  const ds = await readRows(path, 0, info.nRows);
  const { labels } = predictLogReg(model, ds.X, ds.nRows);
  let ok = 0;
  for (let i = 0; i < ds.nRows; i++) if (labels[i] === ds.y![i]) ok++;
  return ok / ds.nRows;
}

// Binary on breast_cancer, multinomial on digits; standardised (StandardScaler fitted on the
// training split, the caller's job in both libraries) and raw, with scikit-learn's defaults
// (C = 1, max_iter = 100, tol = 1e-4). On raw features neither library converges in 100 iterations.
const CASES = [
  { name: 'breast_cancer-std', train: 'breast_cancer-train-std', test: 'breast_cancer-test-std', kind: 'binary' },
  { name: 'digits-std', train: 'digits-train-std', test: 'digits-test-std', kind: 'multinomial' },
  { name: 'breast_cancer', train: 'breast_cancer-train', test: 'breast_cancer-test', kind: 'binary, unscaled' },
  { name: 'digits', train: 'digits-train', test: 'digits-test', kind: 'multinomial, unscaled' },
] as const;

describe('ml/logreg - quality against scikit-learn on the same data and split', function () {
  this.timeout(300_000);
  let fx: SklearnFixture;

  before(async () => {
    fx = await sklearnFixture({ datasets: ['breast_cancer', 'digits'], logreg: ['breast_cancer', 'digits'] });
  });
  after(async () => { await fx?.cleanup(); });

  for (const c of CASES) {
    it(`logreg - ${c.name} (${c.kind}): held-out accuracy within 0.5 pt of sklearn's LogisticRegression`, async () => {
      const model = await fitLogisticRegression(`${fx.dir}/${c.train}.arrow`, {}, { workers: 2 });
      const ours = await accuracy(model, `${fx.dir}/${c.test}.arrow`);
      const ref = fx.ref.logreg[c.name]!;
      console.log(`      ${c.name}: accuracy ${(100 * ours).toFixed(2)} % vs sklearn ${(100 * ref.accuracy).toFixed(2)} %, ${model.meta.nIter} iterations (sklearn ${ref.nIter}), converged ${model.meta.converged} (sklearn ${ref.converged}), ${(model.meta.fitSeconds as number).toFixed(2)} s vs sklearn ${ref.seconds.toFixed(2)} s`);
      assert.ok(Math.abs(ours - ref.accuracy) <= 0.005 + 1e-12, `accuracy ${ours} vs scikit-learn ${ref.accuracy}`);
      assert.equal(model.arrays.coef.shape[0], c.kind.startsWith('binary') ? 1 : 10);
      const history = model.meta.lossHistory as number[];
      assert.equal(history.length, (model.meta.nIter as number) + 1);
      for (let i = 1; i < history.length; i++) assert.ok(history[i]! <= history[i - 1]!, `loss rose at iteration ${i}: ${history[i - 1]} → ${history[i]}`);
      if (ref.converged) assert.equal(model.meta.converged, true, `sklearn converged in ${ref.nIter} iterations, crucial did not in ${model.meta.nIter}`);
    });
  }
});
