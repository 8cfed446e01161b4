/**
 * The k-means kernels, shared by the cloud threads (assignment pass over a partition) and the node
 * (k-means++ on the init sample, centroid update): plain loops over row-major Float64Arrays.
 */
import type { Rng } from './random.ts';

/** What one pass over a partition yields for one run: per-cluster sums and counts, and the inertia. */
export interface PassOutput {
  /** k·d sums of the rows assigned to each cluster (row-major), or null for an inertia-only pass. */
  sums: Float64Array | null;
  /** k counts, or null for an inertia-only pass. */
  counts: Float64Array | null;
}

/**
 * Assigns each of `nRows` rows of `X` to its nearest centroid (squared Euclidean) among the `k`
 * centroids at `centroids[cOff .. cOff + k·d)`; adds every row to its cluster's sum and count when
 * `out` has them, writes labels when `labels` is given, and returns the inertia (sum of squared
 * distances to the nearest centroid).
 */
export function assignRows(
  X: Float64Array, nRows: number, d: number, centroids: Float64Array, cOff: number, k: number,
  out: PassOutput | null, labels?: Float64Array,
): number {
  let inertia = 0;
  const sums = out?.sums ?? null;
  const counts = out?.counts ?? null;
  for (let i = 0; i < nRows; i++) {
    const xo = i * d;
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const co = cOff + c * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = X[xo + j]! - centroids[co + j]!;
        s += t * t;
        // Partial sums only grow: stop once this centroid cannot win (most rows exit early with k > 2).
        if (s >= bestD) break;
      }
      if (s < bestD) { bestD = s; best = c; }
    }
    inertia += bestD;
    if (labels) labels[i] = best;
    if (sums && counts) {
      counts[best]! += 1;
      const so = best * d;
      for (let j = 0; j < d; j++) sums[so + j]! += X[xo + j]!;
    }
  }
  return inertia;
}

/**
 * New centroids of one run from its summed sums (k·d at `off`, the same layout as the centroids) and
 * counts (k at `countOff`), written into `next`; a cluster that got no row keeps its previous
 * centroid (Spark MLlib's choice; scikit-learn relocates it to a far point instead). Returns the
 * squared centre shift Σ‖next − prev‖², scikit-learn's convergence measure.
 */
export function updateCentroids(prev: Float64Array, sums: Float64Array, off: number, counts: Float64Array, countOff: number, k: number, d: number, next: Float64Array): number {
  let shift = 0;
  for (let c = 0; c < k; c++) {
    const n = counts[countOff + c]!;
    for (let j = 0; j < d; j++) {
      const i = off + c * d + j;
      const old = prev[i]!;
      const v = n > 0 ? sums[i]! / n : old;
      next[i] = v;
      shift += (v - old) * (v - old);
    }
  }
  return shift;
}

/**
 * Greedy k-means++ (scikit-learn's `_kmeans_plusplus`: the first centre uniformly, then each next
 * one the best of 2 + ⌊ln k⌋ candidates drawn with probability ∝ D²) over the `n` rows of `X`.
 * Returns k·d centroids.
 */
export function kmeansPlusPlus(X: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  centers.set(X.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) { closest[i] = sqDist(X, i * d, X, first * d, d); pot += closest[i]!; }
  const cumsum = new Float64Array(n);
  let cand = new Float64Array(n);
  let best = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) { acc += closest[i]!; cumsum[i] = acc; }
    let bestPot = Infinity;
    let bestId = 0;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSorted(cumsum, rng.next() * pot), n - 1);
      let candPot = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.min(closest[i]!, sqDist(X, i * d, X, id * d, d));
        cand[i] = v;
        candPot += v;
      }
      if (candPot < bestPot) {
        bestPot = candPot;
        bestId = id;
        [best, cand] = [cand, best];
      }
    }
    centers.set(X.subarray(bestId * d, bestId * d + d), c * d);
    pot = bestPot;
    [closest, best] = [best, closest];
  }
  return centers;
}

/** First index whose cumulative sum is ≥ v (numpy's searchsorted, side 'left'). */
function searchSorted(cumsum: Float64Array, v: number): number {
  let lo = 0, hi = cumsum.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumsum[mid]! < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) { const t = a[ao + j]! - b[bo + j]!; s += t * t; }
  return s;
}
