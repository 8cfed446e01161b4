/**
 * The k-means kernels, shared by the cloud threads (assignment pass over a partition) and the node
 * (k-means++ on the init sample, centroid update): plain loops over row-major Float64Arrays.
 */
import { createRows, type Rows } from '../kernels/rows.ts';
import type { Rng } from './random.ts';

/** What one pass over a partition yields for one run: per-cluster sums and counts, and the inertia. */
export interface PassOutput {
  /** k·d sums of the rows assigned to each cluster (row-major), or null for an inertia-only pass. */
  sums: Float64Array | null;
  /** k counts, or null for an inertia-only pass. */
  counts: Float64Array | null;
}

/**
 * The rows farthest from their assigned centroid seen in a pass, largest distance first (at most
 * `capacity`): scikit-learn moves an empty cluster's centre to the farthest such row.
 */
export class FarRows {
  /** Squared distances, descending. */
  readonly dist: Float64Array;
  /** Row index of each. */
  readonly row: Int32Array;
  /** Assigned cluster of each. */
  readonly label: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.dist = new Float64Array(capacity);
    this.row = new Int32Array(capacity);
    this.label = new Int32Array(capacity);
  }

  /** Offers a row; kept if among the `capacity` farthest (a later row loses a tie). */
  offer(dist: number, row: number, label: number): void {
    if (this.capacity === 0 || (this.size === this.capacity && dist <= this.dist[this.size - 1]!)) return;
    let i = Math.min(this.size, this.capacity - 1);
    while (i > 0 && this.dist[i - 1]! < dist) {
      this.dist[i] = this.dist[i - 1]!; this.row[i] = this.row[i - 1]!; this.label[i] = this.label[i - 1]!;
      i--;
    }
    this.dist[i] = dist; this.row[i] = row; this.label[i] = label;
    if (this.size < this.capacity) this.size++;
  }
}

/**
 * Assigns each of `nRows` rows of `X` to its nearest centroid (squared Euclidean) among the `k`
 * centroids at `centroids[cOff .. cOff + k·d)`; adds every row to its cluster's sum and count when
 * `out` has them, writes labels when `labels` is given, and returns the inertia (sum of squared
 * distances to the nearest centroid). `far` collects the rows farthest from their centroid.
 */
export function assignRows(
  X: Float64Array, nRows: number, d: number, centroids: Float64Array, cOff: number, k: number,
  out: PassOutput | null, labels?: Float64Array, far?: FarRows,
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
    if (far) far.offer(bestD, i, best);
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
 * counts (k at `countOff`), written into `next`; a cluster still without a row (no row left to
 * relocate, see {@link relocateEmpty}) keeps its previous centroid. Returns the
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

/** Values per far-row entry: run, squared distance, assigned cluster, then the row's d features. */
export const FAR_ENTRY_HEAD = 3;

/**
 * scikit-learn's relocation of empty clusters (`_relocate_empty_clusters_dense`) for one run: each
 * cluster that got no row, in index order, takes the next-farthest row of `far` (entries of
 * {@link FAR_ENTRY_HEAD} + d values, farthest first), which leaves its old cluster. Changes `sums`
 * and `counts` (the layout of {@link updateCentroids}) before the update. Returns how many moved.
 */
export function relocateEmpty(sums: Float64Array, off: number, counts: Float64Array, countOff: number, k: number, d: number, far: Float64Array[]): number {
  let moved = 0;
  for (let c = 0; c < k && moved < far.length; c++) {
    if (counts[countOff + c]! > 0) continue;
    const e = far[moved++]!;
    const old = e[2]!;
    for (let j = 0; j < d; j++) {
      const x = e[FAR_ENTRY_HEAD + j]!;
      sums[off + old * d + j]! -= x;
      sums[off + c * d + j] = x;
    }
    counts[countOff + old]! -= 1;
    counts[countOff + c] = 1;
  }
  return moved;
}

/**
 * Greedy k-means++ (scikit-learn's `_kmeans_plusplus`: the first centre uniformly, then each next
 * one the best of 2 + ⌊ln k⌋ candidates drawn with probability ∝ D²) over the `n` rows of `X`.
 * Draws from `rng` as scikit-learn draws from its RandomState (the first centre by numpy's
 * `choice` with uniform p, each candidate by `uniform() · potential` searched in the cumulative
 * D²), so with {@link numpyRandomState} on the same rows it picks scikit-learn's centres.
 * Returns k·d centroids.
 */
export function kmeansPlusPlus(X: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const rows = createRows(X, n, d);
  try {
    return kmeansPlusPlusRows([rows], d, k, rng);
  } finally {
    rows.release();
  }
}

/**
 * {@link kmeansPlusPlus} over the rows of `parts` taken one after the other (partition order), in
 * place: no copy of the rows. Every sum over the rows runs in row order across the parts (the
 * kernels continue a sum from the previous part's), so the centres are bit for bit those of
 * kmeansPlusPlus on the concatenated rows (a split fit's gathered sample). The parts' Rows serve
 * the seeding's D² (Rows.seeding): call it before their passes.
 */
export function kmeansPlusPlusRows(parts: readonly Rows[], d: number, k: number, rng: Rng): Float64Array {
  let n = 0;
  for (const p of parts) n += p.nRows;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const cumsum = new Float64Array(n);
  const cand = new Float64Array(trials * d);
  const candOffs = Array.from({ length: trials }, (_, t) => t * d);
  copyRowOf(parts, uniformChoice(n, rng), centers, 0);
  // The distance passes run in the SIMD kernels (the same sums in the same order as a scalar
  // loop), the candidates of a step in one pass, each row's D² kept in the kernels' memory.
  const seedings = parts.map((p) => p.seeding());
  let pot = 0;
  for (const s of seedings) pot = s.first(centers, 0, pot);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let q = 0, at = 0; q < parts.length; at += parts[q]!.nRows, q++) acc = seedings[q]!.cumulate(cumsum, at, acc);
    for (let t = 0; t < trials; t++) copyRowOf(parts, Math.min(searchSorted(cumsum, rng.next() * pot), n - 1), cand, t * d);
    let pots: Float64Array | undefined;
    for (const s of seedings) pots = s.trials(cand, candOffs, pots);
    // The first of the lowest potentials (NaN never wins).
    let best = 0;
    for (let t = 1; t < trials; t++) if (pots![t]! < pots![best]! || Number.isNaN(pots![best]!)) best = t;
    for (const s of seedings) s.keep(best);
    centers.set(cand.subarray(best * d, best * d + d), c * d);
    pot = pots![best]!;
  }
  return centers;
}

/** Row `i` of the parts taken one after the other, into out[at ..). */
function copyRowOf(parts: readonly Rows[], i: number, out: Float64Array, at: number): void {
  let q = 0;
  while (i >= parts[q]!.nRows) i -= parts[q++]!.nRows;
  parts[q]!.copyRow(i, out, at);
}

/**
 * numpy's `RandomState.choice(n, p=ones(n)/n)`: one `random_sample` u, then the first index whose
 * normalised cumulative p exceeds u (searchsorted, side 'right'), the cumulative sums rounded as
 * numpy's.
 */
function uniformChoice(n: number, rng: Rng): number {
  const cdf = uniformCdf(n);
  const u = rng.next();
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! <= u) lo = mid + 1; else hi = mid;
  }
  return Math.min(lo, n - 1);
}

/** The last n's normalised uniform cdf (it depends on n alone): every fit on the same rows draws from one. */
let lastCdf = new Float64Array(0);

/** numpy's `cumsum(ones(n) / n) / cdf[-1]`, summed in order as numpy does. */
function uniformCdf(n: number): Float64Array {
  if (lastCdf.length === n) return lastCdf;
  const cdf = new Float64Array(n);
  const p = 1 / n;
  let acc = 0;
  for (let i = 0; i < n; i++) { acc += p; cdf[i] = acc; }
  const last = cdf[n - 1]!;
  for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / last;
  lastCdf = cdf;
  return cdf;
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
