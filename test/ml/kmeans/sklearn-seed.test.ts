import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { datasetInfo, readRows } from '../../../ml/data/read.ts';
import { fitKMeans } from '../../../ml/kmeans/fit.ts';
import { initialCentroids } from '../../../ml/kmeans/local.ts';
import { numpyRandomState } from '../../../ml/kmeans/random.ts';
import { sklearnFixture, type SklearnFixture } from '../fixtures/sklearn.ts';

// k-means++ draws from numpy's RandomState(seed) as scikit-learn's does: on data small enough to
// seed on every row, `seed` = `random_state` gives scikit-learn's fit (same initial centres, so the
// same iterations and inertia), not just one of the same quality. On continuous data (blobs): on
// integer data such as digits the initial centres are the same too, but equal distances, rounded
// differently by scikit-learn (it centres the data first), can then send a row elsewhere.
describe('ml/kmeans - seed is scikit-learn\'s random_state', function () {
  this.timeout(300_000);
  let fx: SklearnFixture;

  before(async () => {
    // sklearn_reference.py fits with random_state=0.
    fx = await sklearnFixture({ datasets: ['blobs', 'digits'], blobRows: 5_000, kmeans: ['blobs:8:1'] });
  });
  after(async () => { await fx?.cleanup(); });

  it('random - numpyRandomState(seed).next() is numpy.random.RandomState(seed).random_sample()', () => {
    // Oracle: numpy 2.x, printed with '%.17g' (draws 1, 2, 3 and 1000).
    const want: Record<number, number[]> = {
      0: [0.54881350392732475, 0.71518936637241948, 0.60276337607164387, 0.67714114411142412],
      7: [0.076308289373957172, 0.77991879224011462, 0.4384092314408935, 0.016448753231374513],
      4294967295: [0.097632028994013798, 0.91238284530262181, 0.78903530185163995, 0.55662685938411205],
    };
    for (const [seed, w] of Object.entries(want)) {
      const rng = numpyRandomState(Number(seed));
      const draws = Array.from({ length: 1000 }, () => rng.next());
      assert.deepEqual([draws[0], draws[1], draws[2], draws[999]], w, `seed ${seed}`);
    }
  });

  for (const [name, k] of [['blobs', 8]] as const) {
    it(`kmeans - ${name}, k = ${k}, n_init 1, seed 0: scikit-learn's iterations and inertia (random_state=0)`, async () => {
      const model = await fitKMeans(`${fx.dir}/${name}-train.arrow`, { k, nInit: 1, seed: 0 }, { workers: 2 });
      const ref = fx.ref.kmeans[name]!;
      const ours = model.meta.inertia as number;
      assert.equal(model.meta.nIter, ref.nIter, `iterations (inertia ${ours} vs ${ref.inertia})`);
      assert.ok(Math.abs(ours - ref.inertia) <= 1e-9 * ref.inertia, `inertia ${ours} vs scikit-learn ${ref.inertia}`);
    });
  }

  // Oracle: sklearn.cluster.kmeans_plusplus on the same rows, which KMeans.fit calls.
  const PY = `
import sys, json, numpy as np, pyarrow.ipc as ipc
from sklearn.cluster import kmeans_plusplus
t = ipc.open_file(sys.argv[1]).read_all()
X = np.column_stack([t.column(c).to_numpy() for c in t.column_names if c != "y"]).astype(np.float64)
print(json.dumps({s: kmeans_plusplus(X, int(sys.argv[2]), random_state=s)[1].tolist() for s in map(int, sys.argv[3].split(","))}))
`;
  for (const [name, k] of [['blobs', 8], ['digits', 10], ['digits', 3]] as const) {
    it(`kmeans - ${name}, k = ${k}: k-means++ picks scikit-learn's initial centres for seeds 0, 1, 7, 12345, 2**32 - 1`, async () => {
      const path = `${fx.dir}/${name}-train.arrow`;
      const seeds = [0, 1, 7, 12345, 2 ** 32 - 1];
      const { stdout } = await promisify(execFile)(process.env.CRUCIAL_PYTHON ?? 'python3', ['-c', PY, path, String(k), seeds.join(',')], { timeout: 120_000 });
      const want = JSON.parse(stdout) as Record<string, number[]>;
      const info = await datasetInfo(path);
      const ds = await readRows(path, 0, info.nRows);
      const d = ds.nCols;
      for (const seed of seeds) {
        const ours = initialCentroids(ds.X, ds.nRows, d, k, 1, seed);
        want[seed]!.forEach((row, c) => {
          assert.deepEqual(Array.from(ours.subarray(c * d, (c + 1) * d)), Array.from(ds.X.subarray(row * d, (row + 1) * d)), `seed ${seed}: centre ${c} is not row ${row}`);
        });
      }
    });
  }
});
