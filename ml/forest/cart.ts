/**
 * CART classification trees (Breiman et al.), grown the way scikit-learn's best splitter grows them
 * so a forest of ours and one of scikit-learn's agree on the same data: samples are the rows with a
 * positive weight (a bootstrap count, or a class weight without bootstrap), a split sits at the midpoint between two
 * distinct sorted values, constant features are not counted against `maxFeatures`, and a node splits
 * whenever some valid split exists.
 *
 * Speed: every feature is sorted once per data set (`prepareTrainingSet`); a tree keeps, per
 * feature, its rows in sorted order and partitions those lists stably at each split, so no node
 * ever sorts. A node's split search is one linear scan per tried feature, and a constant feature
 * is recognised in O(1) from the ends of its sorted range.
 */
import { Rng } from './rng.ts';

/** A data set prepared for growing trees: column-major values, class indexes, one sort per feature. */
export interface TrainingSet {
  nRows: number;
  nCols: number;
  nClasses: number;
  /** Column-major values: `cols[f * nRows + r]`. */
  cols: Float64Array;
  /** Class index (0..nClasses-1) of each row. */
  yIdx: Int32Array;
  /** Per feature, the rows in ascending order of value: `order[f * nRows + i]`. */
  order: Int32Array;
}

/** How a tree grows (counts already resolved against the number of rows). */
export interface GrowOptions {
  criterion: 'gini' | 'entropy';
  /** Nodes at this depth are leaves (Infinity: no limit). */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Non-constant features tried per split. */
  maxFeatures: number;
}

/** One tree as flat arrays (node 0 is the root; `feature` -1 marks a leaf). */
export interface Tree {
  nNodes: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class probabilities per node, `nNodes × nClasses` row-major (weighted class fractions). */
  value: Float64Array;
}

/** Values closer than this are one value (scikit-learn's FEATURE_THRESHOLD). */
const FEATURE_THRESHOLD = 1e-7;
const EPSILON = Number.EPSILON;

/** Copies row-major `X` column-major and sorts each feature once; trees of the same data share it. */
export function prepareTrainingSet(X: Float64Array, nRows: number, nCols: number, yIdx: Int32Array, nClasses: number): TrainingSet {
  const cols = new Float64Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    const base = r * nCols;
    for (let f = 0; f < nCols; f++) cols[f * nRows + r] = X[base + f]!;
  }
  const order = new Int32Array(nRows * nCols);
  const sorter = new RadixArgsort(nRows);
  for (let f = 0; f < nCols; f++) sorter.sort(cols.subarray(f * nRows, (f + 1) * nRows), order.subarray(f * nRows, (f + 1) * nRows));
  return { nRows, nCols, nClasses, cols, yIdx, order };
}

/**
 * Stable argsort of float64 values by LSD radix sort on their bits (four 16-bit digits), linear in
 * the rows: a comparator sort of a million indexes per feature costs seconds, this tens of ms.
 * Digits every key shares are skipped. Values must not be NaN (the caller refuses them).
 */
export class RadixArgsort {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly count = new Int32Array(65537);

  constructor(n: number) {
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
  }

  /** Writes into `out` the indexes of `values` in ascending order (ties by index). */
  sort(values: Float64Array, out: Int32Array): void {
    const n = values.length;
    const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    const { hi, lo, count } = this;
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    for (let i = 0; i < n; i++) {
      let h = words[2 * i + (little ? 1 : 0)]!, l = words[2 * i + (little ? 0 : 1)]!;
      if (values[i] === 0) { h = 0; l = 0; } // -0 and 0 are one value
      // Order-preserving map of IEEE-754 bits to unsigned: negatives flipped whole, positives get the sign bit.
      if (h & 0x80000000) { h = ~h >>> 0; l = ~l >>> 0; } else h = (h | 0x80000000) >>> 0;
      hi[i] = h;
      lo[i] = l;
    }
    let src = this.a, dst = this.b;
    for (let i = 0; i < n; i++) src[i] = i;
    for (let pass = 0; pass < 4; pass++) {
      const key = pass < 2 ? lo : hi;
      const shift = (pass & 1) * 16;
      count.fill(0);
      for (let i = 0; i < n; i++) count[((key[i]! >>> shift) & 0xffff) + 1]!++;
      if (count[((key[0]! >>> shift) & 0xffff) + 1] === n) continue; // one digit for all: nothing moves
      for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
      for (let i = 0; i < n; i++) {
        const r = src[i]!;
        dst[count[(key[r]! >>> shift) & 0xffff]!++] = r;
      }
      const t = src; src = dst; dst = t;
    }
    out.set(src.subarray(0, n));
  }
}

/** Grows trees of one training set; its buffers are reused from tree to tree. */
export class TreeGrower {
  private readonly idx: Int32Array;
  private readonly tmp: Int32Array;
  private readonly mark: Uint8Array;
  private readonly feats: Int32Array;
  private readonly cnt: Float64Array;
  private readonly wl: Float64Array;
  private out = new NodeBuffer(1);

  constructor(private readonly ts: TrainingSet) {
    this.idx = new Int32Array(ts.nRows * ts.nCols);
    this.tmp = new Int32Array(ts.nRows);
    this.mark = new Uint8Array(ts.nRows);
    this.feats = new Int32Array(ts.nCols);
    this.cnt = new Float64Array(ts.nClasses);
    this.wl = new Float64Array(ts.nClasses);
  }

  /**
   * Grows one tree on the rows of positive `weight` (their bootstrap count, or class weight without bootstrap).
   * `rng` picks the features tried at each node.
   */
  grow(weight: Float64Array, opts: GrowOptions, rng: Rng): Tree {
    const { nRows: n, nCols: d, nClasses: K, order } = this.ts;
    const idx = this.idx;
    let m = 0;
    for (let r = 0; r < n; r++) if (weight[r]! > 0) m++;
    for (let f = 0; f < d; f++) {
      let j = f * m;
      const o = f * n;
      for (let i = 0; i < n; i++) {
        const r = order[o + i]!;
        if (weight[r]! > 0) idx[j++] = r;
      }
    }
    this.out = new NodeBuffer(K);
    const out = this.out;
    // Depth-first with an explicit stack: [start, end, depth, node id, a feature whose list holds exactly the node's rows].
    const stack: number[] = [0, m, 0, out.add(), 0];
    while (stack.length > 0) {
      const exact = stack.pop()!, id = stack.pop()!, depth = stack.pop()!, e = stack.pop()!, s = stack.pop()!;
      const split = this.node(id, s, e, depth, m, exact, weight, opts, rng);
      if (split === undefined) continue;
      const l = out.add(), r = out.add(), f = out.feature[id]!;
      out.left[id] = l;
      out.right[id] = r;
      stack.push(split, e, depth + 1, r, f, s, split, depth + 1, l, f);
    }
    return out.finish();
  }

  /**
   * Fills node `id` of rows [s, e); splits it if it can and returns where the right child starts.
   * `exact` names a feature whose sorted list holds exactly this node's rows (see the partition).
   */
  private node(id: number, s: number, e: number, depth: number, m: number, exact: number, w: Float64Array, opts: GrowOptions, rng: Rng): number | undefined {
    const { nRows: n, nCols: d, nClasses: K, cols, yIdx } = this.ts;
    const { idx, cnt, wl, feats, out } = this;
    cnt.fill(0);
    let W = 0;
    for (let i = exact * m + s; i < exact * m + e; i++) {
      const r = idx[i]!;
      cnt[yIdx[r]!]! += w[r]!;
      W += w[r]!;
    }
    let sq = 0;
    for (let k = 0; k < K; k++) {
      out.value[id * K + k] = cnt[k]! / W;
      sq += cnt[k]! * cnt[k]!;
    }
    const gini = opts.criterion === 'gini';
    const impurity = gini ? 1 - sq / (W * W) : entropy(cnt, W, K);
    const nNode = e - s;
    out.feature[id] = -1;
    if (depth >= opts.maxDepth || nNode < opts.minSamplesSplit || nNode < 2 * opts.minSamplesLeaf || impurity <= EPSILON) return undefined;

    const minLeaf = opts.minSamplesLeaf;
    let best = -Infinity, bestF = -1, bestPos = -1, bestThr = 0;
    for (let f = 0; f < d; f++) feats[f] = f;
    let visited = 0;
    for (let j = 0; j < d && visited < opts.maxFeatures; j++) {
      const pick = j + rng.nextInt(d - j);
      const f = feats[pick]!;
      feats[pick] = feats[j]!;
      feats[j] = f;
      const b = f * m, xo = f * n;
      if (cols[xo + idx[b + e - 1]!]! <= cols[xo + idx[b + s]!]! + FEATURE_THRESHOLD) continue; // constant here: not counted
      visited++;
      wl.fill(0);
      let WL = 0, sqL = 0, sqR = sq;
      let x = cols[xo + idx[b + s]!]!;
      for (let i = s; i < e - 1; i++) {
        const r = idx[b + i]!;
        const wr = w[r]!, k = yIdx[r]!;
        const old = wl[k]!;
        sqL += (2 * old + wr) * wr;
        sqR += (wr - 2 * (cnt[k]! - old)) * wr;
        wl[k] = old + wr;
        WL += wr;
        const nl = i - s + 1;
        if (nNode - nl < minLeaf) break;
        const next = cols[xo + idx[b + i + 1]!]!;
        if (next <= x + FEATURE_THRESHOLD || nl < minLeaf) { x = next; continue; }
        const WR = W - WL;
        const proxy = gini ? sqL / WL + sqR / WR : -(WL * entropy(wl, WL, K) + WR * rightEntropy(cnt, wl, WR, K));
        if (proxy > best) {
          best = proxy;
          bestF = f;
          bestPos = i;
          bestThr = x / 2 + next / 2;
          if (bestThr === next || !Number.isFinite(bestThr)) bestThr = x;
        }
        x = next;
      }
    }
    if (bestF < 0) return undefined;

    // Stable partition of every feature's sorted list: rows of the split feature's prefix go left.
    // A feature constant here stays constant below and is never tried again, so its list is left
    // as it is: its range then holds other rows of this node, all of the same value, which is all
    // the constant test reads (and why counting uses `exact`).
    const { mark, tmp } = this;
    const fb = bestF * m;
    for (let i = s; i <= bestPos; i++) mark[idx[fb + i]!] = 1;
    for (let f = 0; f < d; f++) {
      if (f === bestF) continue;
      const b = f * m, xo = f * n;
      if (cols[xo + idx[b + e - 1]!]! <= cols[xo + idx[b + s]!]! + FEATURE_THRESHOLD) continue;
      // Branch-free: which side a row goes is a coin flip to the branch predictor.
      let l = b + s, t = 0;
      for (let i = b + s; i < b + e; i++) {
        const r = idx[i]!;
        const g = mark[r]!;
        idx[l] = r;
        tmp[t] = r;
        l += g;
        t += 1 - g;
      }
      for (let i = 0; i < t; i++) idx[l + i] = tmp[i]!;
    }
    for (let i = s; i <= bestPos; i++) mark[idx[fb + i]!] = 0;
    out.feature[id] = bestF;
    out.threshold[id] = bestThr;
    return bestPos + 1;
  }
}

/** Entropy (bits) of class weights `c` summing to `W`. */
function entropy(c: Float64Array, W: number, K: number): number {
  let h = 0;
  for (let k = 0; k < K; k++) {
    const p = c[k]! / W;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

/** Entropy of the right child: node counts minus the left child's. */
function rightEntropy(cnt: Float64Array, wl: Float64Array, WR: number, K: number): number {
  let h = 0;
  for (let k = 0; k < K; k++) {
    const p = (cnt[k]! - wl[k]!) / WR;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

/** The leaf a row of `X` (row-major, `nCols` wide, starting at `base`) lands in. */
export function leafOf(t: Pick<Tree, 'feature' | 'threshold' | 'left' | 'right'>, X: Float64Array, base: number, offset = 0): number {
  let node = 0;
  for (;;) {
    const f = t.feature[offset + node]!;
    if (f < 0) return node;
    node = X[base + f]! <= t.threshold[offset + node]! ? t.left[offset + node]! : t.right[offset + node]!;
  }
}

/** Growable node arrays; a tree's size is unknown until it is grown. */
class NodeBuffer {
  n = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value: Float64Array;

  constructor(private readonly k: number) {
    this.value = new Float64Array(64 * k);
  }

  add(): number {
    if (this.n === this.feature.length) {
      const cap = this.n * 2;
      this.feature = grow(this.feature, new Int32Array(cap));
      this.threshold = grow(this.threshold, new Float64Array(cap));
      this.left = grow(this.left, new Int32Array(cap));
      this.right = grow(this.right, new Int32Array(cap));
      this.value = grow(this.value, new Float64Array(cap * this.k));
    }
    this.left[this.n] = -1;
    this.right[this.n] = -1;
    return this.n++;
  }

  finish(): Tree {
    const n = this.n;
    return {
      nNodes: n,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.k),
    };
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
