import { strict as assert } from 'node:assert';
import { assignRows, FarRows, kmeansPlusPlus, relocateEmpty, updateCentroids } from '../../../ml/kmeans/lloyd.ts';
import { createRng } from '../../../ml/kmeans/random.ts';

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
});
