/**
 * Models for the ml/model tests: seeded random arrays of every dtype and shape kind the format
 * has, and a bit-exact comparison (NaN payloads and -0 included) that does not go through the code
 * under test. `ML_TEST_SEED=<n>` replays a run; the seed is printed by the tests on failure.
 */
import { strict as assert } from 'node:assert';
import type { Model } from '../../../ml/model/format.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

/** The seed of this run: `ML_TEST_SEED` or a fresh one. */
export const SEED = Number(process.env.ML_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Seeded generator (bench/lib/rng.ts). */
export const rng = mulberry32;

/** A random-forest-shaped model of `nNodes` nodes whose every element is drawn from `seed`. */
export function forestModel(seed: number, nNodes: number, nClasses = 3, nTrees = 10): Model {
  const r = rng(seed);
  const f64 = (n: number) => Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6);
  const i32 = (n: number) => Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 32));
  const threshold = f64(nNodes);
  // Bit patterns a float64 → JSON or float32 path would lose.
  if (nNodes > 3) { threshold[0] = -0; threshold[1] = Number.MIN_VALUE; threshold[2] = NaN; threshold[3] = -Number.MAX_VALUE; }
  return {
    format: 'crucial-model/1', algorithm: 'random_forest',
    params: { nEstimators: nTrees, criterion: 'gini', maxDepth: null, seed },
    meta: { nFeatures: 16, classes: Array.from({ length: nClasses }, (_, i) => i), oobScore: r() },
    arrays: {
      feature: { dtype: 'int32', shape: [nNodes], data: i32(nNodes) },
      threshold: { dtype: 'float64', shape: [nNodes], data: threshold },
      left: { dtype: 'int32', shape: [nNodes], data: i32(nNodes) },
      right: { dtype: 'int32', shape: [nNodes], data: i32(nNodes) },
      value: { dtype: 'float64', shape: [nNodes, nClasses], data: f64(nNodes * nClasses) },
      treeOffsets: { dtype: 'int32', shape: [nTrees + 1], data: Int32Array.from({ length: nTrees + 1 }, (_, i) => Math.floor((i * nNodes) / nTrees)) },
    },
  };
}

/** A k-means model whose every centroid element equals `tag`: a mix of two versions shows. */
export function taggedModel(tag: number, k = 64, d = 64): Model {
  return {
    format: 'crucial-model/1', algorithm: 'kmeans', params: { k, tag }, meta: { nFeatures: d, tag },
    arrays: {
      centroids: { dtype: 'float64', shape: [k, d], data: new Float64Array(k * d).fill(tag) },
      counts: { dtype: 'int32', shape: [k], data: new Int32Array(k).fill(tag) },
    },
  };
}

const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Asserts `got` is `want` (name and version aside) with every array bit for bit. */
export function assertSameModel(got: Model, want: Model, what = 'model'): void {
  assert.equal(got.format, want.format, `${what}.format`);
  assert.equal(got.algorithm, want.algorithm, `${what}.algorithm`);
  assert.deepEqual(got.params, want.params, `${what}.params`);
  assert.deepEqual(got.meta, want.meta, `${what}.meta`);
  assert.deepEqual(Object.keys(got.arrays).sort(), Object.keys(want.arrays).sort(), `${what} array names`);
  for (const [name, w] of Object.entries(want.arrays)) {
    const g = got.arrays[name]!;
    assert.equal(g.dtype, w.dtype, `${what}.${name}.dtype`);
    assert.deepEqual(g.shape, w.shape, `${what}.${name}.shape`);
    assert.equal(g.data.constructor, w.data.constructor, `${what}.${name} typed array class`);
    assert.ok(bytes(g.data).equals(bytes(w.data)), `${what}.${name}: data differs`);
  }
}
