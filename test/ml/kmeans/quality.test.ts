import { strict as assert } from 'node:assert';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { predictKMeans } from '../../../ml/kmeans/predict.ts';
import { readRows, datasetInfo } from '../../../ml/data/read.ts';
import { sklearnFixture, testSeed, type SklearnFixture } from '../fixtures/sklearn.ts';

// Same k, k-means++ and n_init as scikit-learn; digits needs several inits for either library to
// land near its best local minimum (one init varies by ~2 % between seeds, for scikit-learn too).
const CASES = [
  { name: 'blobs', k: 8, nInit: 3 },
  { name: 'digits', k: 10, nInit: 10 },
] as const;

describe('ml/kmeans - quality against scikit-learn on the same data', function () {
  this.timeout(300_000);
  let fx: SklearnFixture;
  const seed = testSeed();

  before(async () => {
    fx = await sklearnFixture({ datasets: ['blobs', 'digits'], blobRows: 20_000, kmeans: CASES.map((c) => `${c.name}:${c.k}:${c.nInit}`) });
  });
  after(async () => { await fx?.cleanup(); });

  for (const c of CASES) {
    it(`kmeans - ${c.name}: inertia within 1 % of sklearn.cluster.KMeans (k=${c.k}, n_init=${c.nInit}), workers 2, from the Arrow file`, async () => {
      const path = `${fx.dir}/${c.name}-train.arrow`;
      const model = await fitKMeans(path, { k: c.k, nInit: c.nInit, seed }, { workers: 2 });
      const ours = model.meta.inertia as number;
      const theirs = fx.ref.kmeans[c.name]!.inertia;
      const rel = (ours - theirs) / theirs;
      console.log(`      ${c.name}: inertia ${ours.toFixed(1)} vs sklearn ${theirs.toFixed(1)} (${(100 * rel).toFixed(3)} %), ${model.meta.nIter} iterations, ${(model.meta.fitSeconds as number).toFixed(2)} s vs sklearn ${fx.ref.kmeans[c.name]!.seconds.toFixed(2)} s`);
      assert.ok(Math.abs(rel) <= 0.01, `inertia ${ours} vs scikit-learn ${theirs}: ${(100 * rel).toFixed(3)} % (replay with CRUCIAL_ML_SEED=${seed})`);

      // The model's inertia is that of its centroids (the final assignment pass), checked independently.
      const info = await datasetInfo(path);
      const ds = await readRows(path, 0, info.nRows);
      const { labels } = predictKMeans(model, ds.X, ds.nRows);
      const C = model.arrays.centroids.data;
      const d = ds.nCols;
      let inertia = 0;
      for (let i = 0; i < ds.nRows; i++) {
        const l = labels[i]!;
        for (let j = 0; j < d; j++) inertia += (ds.X[i * d + j]! - C[l * d + j]!) ** 2;
      }
      assert.ok(Math.abs(inertia - ours) <= 1e-9 * ours, `recomputed inertia ${inertia} vs reported ${ours}`);
    });
  }
});
