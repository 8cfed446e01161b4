/**
 * CART trees and forest prediction against independent oracles: a brute-force search over every
 * feature and midpoint for the best split, direct counts of the rows in each leaf, a comparator
 * sort for the radix argsort, a hand-made tree for predict.
 */
import { strict as assert } from 'node:assert';
import { RadixArgsort, TreeGrower, leafOf, prepareTrainingSet, type GrowOptions, type Tree } from '../../../ml/forest/cart.ts';
import { concatTrees } from '../../../ml/forest/encode.ts';
import { predictForest } from '../../../ml/forest/predict.ts';
import { Rng } from '../../../ml/forest/rng.ts';
import { BadArgumentError } from '../../../core/protocol/errors.ts';
import { MODEL_FORMAT, type Model } from '../../../ml/model/format.ts';

const SEED = Number(process.env.CRUCIAL_ML_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replay = `(replay with CRUCIAL_ML_SEED=${SEED})`;

/** Random data with repeated values (rounded), `k` classes. */
function data(rng: Rng, n: number, d: number, k: number, levels = 7) {
  const X = new Float64Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = Math.round(rng.nextFloat() * levels) / 2 - 1;
  // Labels follow the first feature most of the time, so splits are worth something.
  const y = Int32Array.from({ length: n }, (_, i) => (rng.nextFloat() < 0.7 ? (X[i * d]! > 0 ? 1 : 0) % k : rng.nextInt(k)));
  return { X, y };
}

const all = (d: number): GrowOptions => ({ criterion: 'gini', maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: d });

function impurity(c: number[], W: number, gini: boolean): number {
  if (gini) return 1 - c.reduce((s, x) => s + (x / W) ** 2, 0);
  return -c.reduce((s, x) => (x > 0 ? s + (x / W) * Math.log2(x / W) : s), 0);
}

/** The lowest weighted child impurity over every feature and every midpoint between distinct values. */
function bruteForceBest(X: Float64Array, y: Int32Array, w: Float64Array, n: number, d: number, k: number, gini: boolean): number {
  let best = Infinity;
  for (let f = 0; f < d; f++) {
    const vals = [...new Set(Array.from({ length: n }, (_, i) => X[i * d + f]!))].sort((a, b) => a - b);
    for (let j = 0; j + 1 < vals.length; j++) {
      const thr = vals[j]! / 2 + vals[j + 1]! / 2;
      const L = new Array(k).fill(0), R = new Array(k).fill(0);
      for (let i = 0; i < n; i++) (X[i * d + f]! <= thr ? L : R)[y[i]!] += w[i]!;
      const WL = L.reduce((a, b) => a + b, 0), WR = R.reduce((a, b) => a + b, 0);
      best = Math.min(best, WL * impurity(L, WL, gini) + WR * impurity(R, WR, gini));
    }
  }
  return best;
}

/** Rows of the training set per leaf, found by walking the tree. */
function rowsPerLeaf(t: Tree, X: Float64Array, n: number, d: number): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const leaf = leafOf(t, X, i * d);
    m.set(leaf, [...(m.get(leaf) ?? []), i]);
  }
  return m;
}

function depths(t: Tree): number[] {
  const out = new Array<number>(t.nNodes).fill(0);
  for (let i = 0; i < t.nNodes; i++) if (t.feature[i]! >= 0) { out[t.left[i]!] = out[i]! + 1; out[t.right[i]!] = out[i]! + 1; }
  return out;
}

describe('ml/forest - CART trees and predict', () => {
  for (const criterion of ['gini', 'entropy'] as const) {
    it(`cart - the root split (${criterion}) is as good as the best found by brute force over every feature and midpoint, with row weights`, () => {
      const rng = new Rng(SEED);
      for (let trial = 0; trial < 20; trial++) {
        const n = 30 + rng.nextInt(40), d = 1 + rng.nextInt(4), k = 2 + rng.nextInt(3);
        const { X, y } = data(rng, n, d, k);
        const w = Float64Array.from({ length: n }, () => 1 + rng.nextInt(3));
        const ts = prepareTrainingSet(X, n, d, y, k);
        const t = new TreeGrower(ts).grow(w, { ...all(d), criterion, maxDepth: 1 }, new Rng(trial));
        const expected = bruteForceBest(X, y, w, n, d, k, criterion === 'gini');
        if (t.nNodes === 1) { assert.equal(expected, Infinity, `no split found but one exists ${replay}`); continue; }
        const leaves = rowsPerLeaf(t, X, n, d);
        let got = 0;
        for (const rows of leaves.values()) {
          const c = new Array(k).fill(0);
          let W = 0;
          for (const r of rows) { c[y[r]!] += w[r]!; W += w[r]!; }
          got += W * impurity(c, W, criterion === 'gini');
        }
        assert.ok(Math.abs(got - expected) < 1e-9, `trial ${trial}: root split impurity ${got} vs best ${expected} ${replay}`);
      }
    });
  }

  it('cart - a tree grown without limits on distinct rows classifies its training rows exactly, leaves pure', () => {
    const rng = new Rng(SEED + 1);
    const n = 300, d = 4, k = 3;
    const X = Float64Array.from({ length: n * d }, () => rng.nextFloat());
    const y = Int32Array.from({ length: n }, () => rng.nextInt(k));
    const t = new TreeGrower(prepareTrainingSet(X, n, d, y, k)).grow(new Float64Array(n).fill(1), all(d), new Rng(1));
    for (let i = 0; i < n; i++) {
      const leaf = leafOf(t, X, i * d);
      assert.equal(t.value[leaf * k + y[i]!], 1, `row ${i} lands in an impure or wrong leaf ${replay}`);
    }
  });

  it('cart - every leaf keeps minSamplesLeaf rows, no node is deeper than maxDepth, leaf values are weighted class fractions', () => {
    const rng = new Rng(SEED + 2);
    const n = 400, d = 5, k = 3;
    const { X, y } = data(rng, n, d, k, 40);
    const w = Float64Array.from({ length: n }, () => rng.nextInt(3)); // 0 = not in the sample
    const opts: GrowOptions = { criterion: 'gini', maxDepth: 4, minSamplesSplit: 2, minSamplesLeaf: 7, maxFeatures: 2 };
    const t = new TreeGrower(prepareTrainingSet(X, n, d, y, k)).grow(w, opts, new Rng(3));
    assert.ok(Math.max(...depths(t)) <= 4);
    const inSample = Array.from({ length: n }, (_, i) => i).filter((i) => w[i]! > 0);
    const sub = new Float64Array(inSample.flatMap((i) => Array.from(X.subarray(i * d, i * d + d))));
    for (const [leaf, rows] of rowsPerLeaf(t, sub, inSample.length, d)) {
      assert.ok(rows.length >= 7, `leaf ${leaf} holds ${rows.length} rows ${replay}`);
      const c = new Array(k).fill(0);
      for (const r of rows) c[y[inSample[r]!]!] += w[inSample[r]!]!;
      const W = c.reduce((a, b) => a + b, 0);
      for (let j = 0; j < k; j++) assert.ok(Math.abs(t.value[leaf * k + j]! - c[j] / W) < 1e-12);
    }
  });

  it('cart - constant features are never split on; all-constant data is one leaf of the class frequencies', () => {
    const n = 50, d = 3;
    const X = new Float64Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) { X[i * d] = 7; X[i * d + 1] = i % 5; X[i * d + 2] = -1; y[i] = i % 5 < 2 ? 0 : 1; }
    const ts = prepareTrainingSet(X, n, d, y, 2);
    const t = new TreeGrower(ts).grow(new Float64Array(n).fill(1), { ...all(d), maxFeatures: 1 }, new Rng(5));
    for (let i = 0; i < t.nNodes; i++) if (t.feature[i]! >= 0) assert.equal(t.feature[i], 1);
    assert.ok(t.nNodes > 1, 'the varying feature is found although maxFeatures is 1');
    const flat = new Float64Array(n * d).fill(3);
    const one = new TreeGrower(prepareTrainingSet(flat, n, d, y, 2)).grow(new Float64Array(n).fill(1), all(d), new Rng(5));
    assert.equal(one.nNodes, 1);
    assert.deepEqual([...one.value], [20 / 50, 30 / 50]);
  });

  it('cart - maxDepth 1 grows a stump of three nodes', () => {
    const rng = new Rng(SEED + 3);
    const { X, y } = data(rng, 200, 3, 2, 30);
    const t = new TreeGrower(prepareTrainingSet(X, 200, 3, y, 2)).grow(new Float64Array(200).fill(1), { ...all(3), maxDepth: 1 }, new Rng(1));
    assert.equal(t.nNodes, 3);
    assert.deepEqual([t.feature[1], t.feature[2]], [-1, -1]);
  });

  it('radix argsort - same order as a stable comparator sort, negatives, -0 and ties included', () => {
    const rng = new Rng(SEED + 4);
    for (const n of [1, 2, 17, 1000, 70_000]) {
      const v = Float64Array.from({ length: n }, () => {
        const u = rng.nextFloat();
        return u < 0.2 ? rng.nextInt(5) - 2 : u < 0.25 ? -0 : u < 0.3 ? -1e300 : (rng.nextFloat() - 0.5) * 10 ** (rng.nextInt(40) - 20);
      });
      const out = new Int32Array(n);
      new RadixArgsort(n).sort(v, out);
      const ref = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]! || a - b);
      assert.deepEqual([...out], ref, `n=${n} ${replay}`);
    }
  });

  it('predict - mean of the leaf probabilities of every tree, label of the first highest class; malformed forests are refused', () => {
    // Tree 0: x0 <= 0.5 ? [1,0,0] : [0,1,0]. Tree 1: a leaf [0.2,0.2,0.6].
    const t0: Tree = { nNodes: 3, feature: Int32Array.of(0, -1, -1), threshold: Float64Array.of(0.5, 0, 0), left: Int32Array.of(1, -1, -1), right: Int32Array.of(2, -1, -1), value: Float64Array.of(0, 0, 0, 1, 0, 0, 0, 1, 0) };
    const t1: Tree = { nNodes: 1, feature: Int32Array.of(-1), threshold: Float64Array.of(0), left: Int32Array.of(-1), right: Int32Array.of(-1), value: Float64Array.of(0.2, 0.2, 0.6) };
    const a = concatTrees([t0, t1], 3);
    const model = (over: Partial<Record<string, Int32Array | Float64Array>> = {}): Model => {
      const arr = { ...a, ...over } as Record<string, Int32Array | Float64Array>;
      const A = (name: string) => ({ dtype: (arr[name] instanceof Int32Array ? 'int32' : 'float64') as 'int32' | 'float64', shape: name === 'value' ? [arr[name]!.length / 3, 3] : [arr[name]!.length], data: arr[name]! });
      return { format: MODEL_FORMAT, algorithm: 'random_forest', params: {}, meta: { nFeatures: 2, classes: [10, 20, 30] }, arrays: Object.fromEntries(['feature', 'threshold', 'left', 'right', 'value', 'treeOffsets'].map((n) => [n, A(n)])) };
    };
    const p = predictForest(model(), Float64Array.of(0.5, 9, 0.7, 9), 2);
    assert.deepEqual([...p.proba].map((x) => +x.toFixed(12)), [0.6, 0.1, 0.3, 0.1, 0.6, 0.3]);
    assert.deepEqual([...p.labels], [10, 20]);
    assert.throws(() => predictForest(model(), new Float64Array(3), 2), BadArgumentError);
    assert.throws(() => predictForest(model({ left: Int32Array.of(5, -1, -1, -1) }), new Float64Array(2), 1), BadArgumentError);
    assert.throws(() => predictForest(model({ feature: Int32Array.of(2, -1, -1, -1) }), new Float64Array(2), 1), BadArgumentError);
    assert.throws(() => predictForest(model({ left: Int32Array.of(0, -1, -1, -1) }), new Float64Array(2), 1), BadArgumentError, 'a cycle');
  });
});
