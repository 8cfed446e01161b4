/**
 * The random forest cloud thread (the Smile port's training task): it reads the whole training set
 * itself (every tree bootstraps over all rows; the program that starts the fit never loads it),
 * grows its range of trees, and after each tree merges that tree's out-of-bag votes into the fit's
 * one shared `ml.OobVotes` with one call. Its first call creates the vote matrix from the data it
 * read, so no task waits for another and the driver needs neither rows nor labels.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { Serializable } from '../../core/threads/serializable.ts';
import { concatTrees, type ForestArrays } from './encode.ts';
import { encodeLabels, growTrees, prepareData } from './grow.ts';
import { OobVotes } from './oob-votes.ts';
import { readModule } from '../data/lazy.ts';
import type { ResolvedForestParams } from './params.ts';

/** Where a forest task finds the training set: an Arrow file it reads, or rows shipped with the task. */
export type ForestSource =
  | { kind: 'file'; path: string; label?: string }
  | { kind: 'inline'; X: Float64Array; y: Float64Array; nRows: number; nCols: number };

/** What a forest task returns: its trees, flat, and the classes it saw (all tasks see the same). */
export interface ForestTaskResult {
  from: number;
  to: number;
  classes: Float64Array;
  arrays: ForestArrays;
}

/** Grows trees `from` .. `to - 1` of a forest. */
@Serializable()
export class ForestTask {
  /**
   * @param votesKey key of the fit's `ml.OobVotes` (used when params.oobScore or for progress)
   * @param source the training set
   * @param params resolved forest parameters
   * @param from first tree index
   * @param to one past the last tree index
   */
  constructor(
    public votesKey: string,
    public source: ForestSource,
    public params: ResolvedForestParams,
    public from: number,
    public to: number,
  ) {}

  async call(): Promise<ForestTaskResult> {
    const { X, y, nRows, nCols } = await load(this.source);
    const labels = encodeLabels(y);
    const ts = prepareData(X, nRows, nCols, labels);
    const K = labels.classes.length;
    const votes = new OobVotes(this.votesKey, nRows, K, labels.yIdx);
    const none = { rows: new Int32Array(0), votes: new Float64Array(0) };
    const trees = await growTrees(ts, X, labels, this.params, this.from, this.to, async (t, _tree, oob) => {
      // One call per tree, votes or not: the node's tree count is the fit's progress.
      await votes.addVotes(t, oob?.rows ?? none.rows, oob?.votes ?? none.votes);
      await this.afterTree(t);
    });
    return { from: this.from, to: this.to, classes: labels.classes, arrays: concatTrees(trees, K) };
  }

  /** A hook after tree `t`'s votes are merged; a no-op here (fault-injection tests override it). */
  protected afterTree(_t: number): void | Promise<void> {}
}

async function load(source: ForestSource): Promise<{ X: Float64Array; y: Float64Array; nRows: number; nCols: number }> {
  if (source.kind === 'inline') return source;
  // Loaded on demand: apache-arrow stays out of a worker's graph until a task reads a file.
  const { readRows, datasetInfo } = await readModule();
  const opts = source.label === undefined ? {} : { label: source.label };
  const info = await datasetInfo(source.path, opts);
  const ds = await readRows(source.path, 0, info.nRows, opts);
  if (!ds.y) {
    throw new BadArgumentError(`${source.path}: no label column "${source.label ?? 'y'}"; a random forest needs labels`);
  }
  return { X: ds.X, y: ds.y, nRows: ds.nRows, nCols: ds.nCols };
}
