import { strict as assert } from 'node:assert';
import { assignRows, FarRows, kmeansPlusPlus, kmeansPlusPlusRows, relocateEmpty, updateCentroids } from '../../../ml/kmeans/lloyd.ts';
import { createRng, numpyRandomState } from '../../../ml/kmeans/random.ts';
import { createRows } from '../../../ml/kernels/rows.ts';

const f = (...v: number[]) => Float64Array.from(v);

describe('ml/kmeans - Lloyd kernels', () => {
  it('lloyd - assignRows: nearest centroid, sums, counts, inertia and the farthest rows, checked by brute force', () => {
    const rng = createRng(3, 0);
    const n = 500, d = 3, k = 4;
    const X = Float64Array.from({ length: n * d }, () => rng.next() * 10);
    const C = Float64Array.from({ length: k * d }, () => rng.next() * 10);
    const sums = new Float64Array(k * d), counts = new Float64Array(k), labels = new Float64Array(n);
    const far = new FarRows(5);
    const inertia = assignRows(X, n, d, C, 0, k, { sums, counts }, labels, far);
    const dists: number[] = [];
    let total = 0;
    const wantSums = new Float64Array(k * d), wantCounts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let best = 0, bestD = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (X[i * d + j]! - C[c * d + j]!) ** 2;
        if (s < bestD) { bestD = s; best = c; }
      }
      assert.equal(labels[i], best);
      total += bestD;
      dists.push(bestD);
      wantCounts[best]! += 1;
      for (let j = 0; j < d; j++) wantSums[best * d + j]! += X[i * d + j]!;
    }
    assert.ok(Math.abs(inertia - total) < 1e-9 * total);
    assert.deepEqual(Array.from(counts), Array.from(wantCounts));
    Array.from(sums).forEach((v, i) => assert.ok(Math.abs(v - wantSums[i]!) < 1e-9));
    assert.deepEqual(Array.from(far.dist.subarray(0, far.size)), dists.slice().sort((a, b) => b - a).slice(0, 5));
    for (let i = 0; i < far.size; i++) assert.equal(dists[far.row[i]!], far.dist[i]);
  });

  it('lloyd - relocateEmpty: an empty cluster takes the farthest row, which leaves its cluster (scikit-learn)', () => {
    // 1-D, k = 3: cluster 0 has rows {0, 1, 9} (sum 10), cluster 1 has {20}, cluster 2 none.
    const sums = f(10, 20, 0), counts = f(3, 1, 0);
    const far = [f(0, 64, 0, 9), f(0, 1, 0, 1)]; // [run, dist, cluster, x]
    assert.equal(relocateEmpty(sums, 0, counts, 0, 3, 1, far), 1);
    assert.deepEqual(Array.from(sums), [1, 20, 9]);
    assert.deepEqual(Array.from(counts), [2, 1, 1]);
    const next = new Float64Array(3);
    updateCentroids(f(3, 20, 100), sums, 0, counts, 0, 3, 1, next);
    assert.deepEqual(Array.from(next), [0.5, 20, 9]);
  });

  it('lloyd - kmeansPlusPlus: k distinct rows of the data, the same for the same seed', () => {
    const X = Float64Array.from({ length: 200 }, (_, i) => i);
    const a = kmeansPlusPlus(X, 100, 2, 5, createRng(9, 0));
    const b = kmeansPlusPlus(X, 100, 2, 5, createRng(9, 0));
    assert.deepEqual(a, b);
    const rows = new Set<number>();
    for (let c = 0; c < 5; c++) {
      assert.equal(a[2 * c]! % 2, 0, 'a centre is a row of X');
      rows.add(a[2 * c]!);
    }
    assert.equal(rows.size, 5);
  });

  it('lloyd - kmeansPlusPlusRows on a partition\'s rows in place (parts of odd and even sizes, wasm and JS): kmeansPlusPlus\'s centres on the concatenated rows, bit for bit', () => {
    const seed = Number(process.env['CRUCIAL_TEST_SEED'] ?? Date.now() % 100000);
    const rng = createRng(seed, 0);
    const n = 2001, d = 16, k = 8;
    // Blobs, so the draws matter: centres far apart, rows near them.
    const X = Float64Array.from({ length: n * d }, (_, i) => (Math.floor(i / d) % k) * 7 + rng.next() * 3 + i % d);
    const want = kmeansPlusPlus(X, n, d, k, numpyRandomState(seed));
    for (const kind of ['wasm', 'js'] as const) {
      for (const cuts of [[0, n], [0, 1000, n], [0, 999, n], [0, 1, 700, 1401, n]]) {
        const parts = cuts.slice(1).map((to, q) => createRows(X.slice(cuts[q]! * d, to * d), to - cuts[q]!, d, kind));
        const got = kmeansPlusPlusRows(parts, d, k, numpyRandomState(seed));
        for (const p of parts) p.release();
        assert.deepEqual(Array.from(got), Array.from(want), `${kind}, parts at ${cuts.join(',')}, CRUCIAL_TEST_SEED=${seed}`);
      }
    }
  });
});
