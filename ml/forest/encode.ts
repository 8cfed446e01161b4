/**
 * Trees ↔ the contract's flat `random_forest` arrays (ml/model/FORMAT.md): the nodes of all trees
 * concatenated, child indexes relative to their own tree, `treeOffsets` marking where each starts.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { Tree } from './cart.ts';

/** The arrays a forest model is made of. */
export interface ForestArrays {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** `N × nClasses` class probabilities, row-major. */
  value: Float64Array;
  /** `nTrees + 1` node offsets. */
  treeOffsets: Int32Array;
}

/** Concatenates trees (in order) into flat arrays. */
export function concatTrees(trees: readonly Tree[], nClasses: number): ForestArrays {
  const total = trees.reduce((s, t) => s + t.nNodes, 0);
  const a: ForestArrays = {
    feature: new Int32Array(total), threshold: new Float64Array(total), left: new Int32Array(total), right: new Int32Array(total),
    value: new Float64Array(total * nClasses), treeOffsets: new Int32Array(trees.length + 1),
  };
  let at = 0;
  trees.forEach((t, i) => {
    a.treeOffsets[i] = at;
    a.feature.set(t.feature, at);
    a.threshold.set(t.threshold, at);
    a.left.set(t.left, at);
    a.right.set(t.right, at);
    a.value.set(t.value, at * nClasses);
    at += t.nNodes;
  });
  a.treeOffsets[trees.length] = at;
  return a;
}

/** Concatenates already flat forests (one per cloud thread, in tree order). */
export function concatForests(parts: readonly ForestArrays[], nClasses: number): ForestArrays {
  const trees: Tree[] = [];
  for (const p of parts) {
    for (let i = 0; i + 1 < p.treeOffsets.length; i++) {
      const s = p.treeOffsets[i]!, e = p.treeOffsets[i + 1]!;
      trees.push({
        nNodes: e - s, feature: p.feature.subarray(s, e), threshold: p.threshold.subarray(s, e), left: p.left.subarray(s, e),
        right: p.right.subarray(s, e), value: p.value.subarray(s * nClasses, e * nClasses),
      });
    }
  }
  return concatTrees(trees, nClasses);
}

/**
 * Checks that flat arrays describe well-formed trees, so predict can walk them without bounds
 * checks: every tree non-empty, every split's children inside its own tree and after it (no
 * cycles), every split feature below `nFeatures`.
 * @throws {BadArgumentError} naming the first inconsistency
 */
export function checkForest(a: ForestArrays, nClasses: number, nFeatures: number): void {
  const N = a.feature.length;
  if (a.threshold.length !== N || a.left.length !== N || a.right.length !== N) throw new BadArgumentError('random_forest arrays feature, threshold, left and right must have the same length');
  if (a.value.length !== N * nClasses) throw new BadArgumentError(`random_forest value must be [${N}, ${nClasses}]`);
  const off = a.treeOffsets;
  if (off.length < 2 || off[0] !== 0 || off[off.length - 1] !== N) throw new BadArgumentError('random_forest treeOffsets must start at 0, end at the node count and name at least one tree');
  for (let t = 0; t + 1 < off.length; t++) {
    const s = off[t]!, size = off[t + 1]! - s;
    if (size <= 0) throw new BadArgumentError(`random_forest tree ${t} has no nodes`);
    for (let i = 0; i < size; i++) {
      const f = a.feature[s + i]!;
      if (f < 0) continue;
      if (f >= nFeatures) throw new BadArgumentError(`random_forest tree ${t} node ${i} splits on feature ${f} of ${nFeatures}`);
      const l = a.left[s + i]!, r = a.right[s + i]!;
      if (!(l > i && l < size && r > i && r < size)) throw new BadArgumentError(`random_forest tree ${t} node ${i} has children ${l}, ${r} outside (${i}, ${size})`);
    }
  }
}
