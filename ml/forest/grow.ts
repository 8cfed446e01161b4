/**
 * Grows a range of a forest's trees on one data set: the body of each cloud thread, kept free of
 * DSO calls so it also runs (and is tested) in process. Tree `t` draws its bootstrap sample and its
 * feature picks from its own stream `deriveSeed(seed, t)`, so a forest depends on its seed only,
 * not on how its trees were spread over workers.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { TreeGrower, leafOf, prepareTrainingSet, type GrowOptions, type TrainingSet, type Tree } from './cart.ts';
import { classWeights, featuresPerSplit, sampleCount, type ResolvedForestParams } from './params.ts';
import { Rng, deriveSeed } from './rng.ts';

/** Labels as sorted distinct class values and each row's class index. */
export interface Labels {
  classes: Float64Array;
  yIdx: Int32Array;
}

/**
 * The classes of `y` (ascending, as scikit-learn's `classes_`) and each row's index among them.
 * @throws {BadArgumentError} if a label is not finite, or there are fewer than two classes
 */
export function encodeLabels(y: Float64Array): Labels {
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new BadArgumentError(`label of row ${i} is ${y[i]}: labels must be finite numbers`);
  const classes = Float64Array.from(new Set(y)).sort();
  if (classes.length < 2) {
    throw new BadArgumentError(`a random forest classifier needs at least two classes in the labels, got ${classes.length === 0 ? 'no rows' : `only class ${classes[0]}`}`);
  }
  const index = new Map<number, number>();
  classes.forEach((c, i) => index.set(c, i));
  const yIdx = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) yIdx[i] = index.get(y[i]!)!;
  return { classes, yIdx };
}

/**
 * Checks the features and prepares them for growing trees.
 * @throws {BadArgumentError} on a NaN or infinite feature value (the trees have no missing-value rule)
 */
export function prepareData(X: Float64Array, nRows: number, nCols: number, labels: Labels): TrainingSet {
  if (X.length !== nRows * nCols) throw new BadArgumentError(`X has ${X.length} values, ${nRows} rows of ${nCols} features need ${nRows * nCols}`);
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i]!)) throw new BadArgumentError(`feature ${i % nCols} of row ${Math.floor(i / nCols)} is ${X[i]}: features must be finite numbers`);
  }
  return prepareTrainingSet(X, nRows, nCols, labels.yIdx, labels.classes.length);
}

/** One tree's out-of-bag rows and their class probabilities (`rows.length × nClasses`). */
export interface OobTreeVotes {
  rows: Int32Array;
  votes: Float64Array;
}

/** The per-tree growth options of a forest on `nRows` × `nCols` data. */
export function growOptions(p: ResolvedForestParams, nRows: number, nCols: number): GrowOptions {
  const minSamplesLeaf = sampleCount(p.minSamplesLeaf, nRows);
  const minSplit = Number.isInteger(p.minSamplesSplit) ? p.minSamplesSplit : Math.max(2, sampleCount(p.minSamplesSplit, nRows));
  return {
    criterion: p.criterion,
    maxDepth: p.maxDepth ?? Infinity,
    minSamplesLeaf,
    minSamplesSplit: Math.max(minSplit, 2 * minSamplesLeaf),
    maxFeatures: featuresPerSplit(p.maxFeatures, nCols),
  };
}

/**
 * Grows trees `from` .. `to - 1` of the forest. After each tree, `onTree` receives it and, when
 * `withOob`, its out-of-bag votes; it is awaited, so a caller's merge is done before the next tree.
 * `X` (row-major) is needed only for the out-of-bag votes.
 */
export async function growTrees(
  ts: TrainingSet, X: Float64Array, labels: Labels, p: ResolvedForestParams, from: number, to: number,
  onTree: (t: number, tree: Tree, oob: OobTreeVotes | undefined) => unknown,
): Promise<Tree[]> {
  const { nRows: n, nCols: d, nClasses: K } = ts;
  const opts = growOptions(p, n, d);
  const cw = classWeights(p.classWeight, labels.classes, labels.yIdx);
  const grower = new TreeGrower(ts);
  const draw = bootstrapSampler(labels, cw);
  const counts = new Int32Array(n);
  const weight = new Float64Array(n);
  const trees: Tree[] = [];
  for (let t = from; t < to; t++) {
    const rng = new Rng(deriveSeed(p.seed, t));
    if (p.bootstrap) {
      // scikit-learn >= 1.6: class weights shape the bootstrap draw itself (rows drawn with
      // probability proportional to their weight); the tree then weighs each row by its count.
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[draw(rng)]!++;
      for (let r = 0; r < n; r++) weight[r] = counts[r]!;
    } else {
      counts.fill(1);
      for (let r = 0; r < n; r++) weight[r] = cw[labels.yIdx[r]!]!;
    }
    const tree = grower.grow(weight, opts, rng);
    trees.push(tree);
    let oob: OobTreeVotes | undefined;
    if (p.bootstrap && p.oobScore) {
      let m = 0;
      for (let r = 0; r < n; r++) if (counts[r] === 0) m++;
      const rows = new Int32Array(m);
      const votes = new Float64Array(m * K);
      let j = 0;
      for (let r = 0; r < n; r++) {
        if (counts[r] !== 0) continue;
        const leaf = leafOf(tree, X, r * d);
        rows[j] = r;
        for (let k = 0; k < K; k++) votes[j * K + k] = tree.value[leaf * K + k]!;
        j++;
      }
      oob = { rows, votes };
    }
    await onTree(t, tree, oob);
  }
  return trees;
}

/**
 * Draws one bootstrap row: uniformly, or with probability proportional to its class's weight
 * (pick a class by its total weight, then a row of that class uniformly: the same distribution,
 * without a cumulative sum over all rows).
 */
function bootstrapSampler(labels: Labels, cw: Float64Array): (rng: Rng) => number {
  const n = labels.yIdx.length, K = cw.length;
  if (cw.every((w) => w === cw[0])) return (rng) => rng.nextInt(n);
  const counts = new Int32Array(K);
  for (let i = 0; i < n; i++) counts[labels.yIdx[i]!]!++;
  const starts = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) starts[k + 1] = starts[k]! + counts[k]!;
  const rowsByClass = new Int32Array(n);
  const fill = starts.slice(0, K);
  for (let i = 0; i < n; i++) rowsByClass[fill[labels.yIdx[i]!]!++] = i;
  const cum = new Float64Array(K);
  let total = 0;
  for (let k = 0; k < K; k++) cum[k] = total += cw[k]! * counts[k]!;
  if (!(total > 0)) throw new BadArgumentError('classWeight gives every row a weight of 0');
  return (rng) => {
    const u = rng.nextFloat() * total;
    let k = 0;
    while (k < K - 1 && (cum[k]! <= u || counts[k] === 0)) k++;
    return rowsByClass[starts[k]! + rng.nextInt(counts[k]!)]!;
  };
}
