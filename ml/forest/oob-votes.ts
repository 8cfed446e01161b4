/**
 * Proxy of the node-side `ml.OobVotes` (ml/forest/node/oob-votes.ts): the forest's shared
 * out-of-bag vote matrix. Row indexes travel as an Int32Array and votes as a Float64Array (Arrow
 * attachments), so one tree's merge is one call whatever the number of rows.
 */
import { SharedObject, type SharedOptions } from '../../core/objects/shared-object.ts';
import { registerProxy } from '../../core/objects/proxy-registry.ts';

/** Node-side type name of the vote matrix. */
export const OOB_VOTES_TYPE = 'ml.OobVotes';

/**
 * The out-of-bag vote matrix of one fit, on the DSO node. Every method rejects as
 * {@link SharedObject} says, and with BadArgumentError for rows out of bounds or votes of the wrong length.
 */
export class OobVotes extends SharedObject {
  readonly typeName = OOB_VOTES_TYPE;

  /**
   * @param key the key
   * @param nRows training rows, used if the object does not exist yet
   * @param nClasses number of classes
   * @param labels class index of every row, so the node can score the votes
   */
  constructor(key?: string, nRows?: number, nClasses?: number, labels?: Int32Array, options?: SharedOptions) {
    super(key, nRows === undefined ? undefined : labels === undefined ? [nRows, nClasses] : [nRows, nClasses, labels], options);
  }

  /** `[nRows, nClasses]`. */
  shape(): Promise<[number, number]> { return this.invoke('shape'); }
  /**
   * Adds tree `tree`'s votes (`rows.length × nClasses` probabilities, row-major), once per tree
   * index; resolves to the trees merged so far.
   */
  addVotes(tree: number, rows: Int32Array, votes: Float64Array): Promise<number> { return this.invoke('addVotes', tree, rows, votes); }
  /** Makes every later `addVotes` fail (a cancelled or failed fit): the cloud threads stop after their current tree. */
  abort(reason: string): Promise<null> { return this.invoke('abort', reason); }
  /** Trees merged so far. */
  treesDone(): Promise<number> { return this.invoke('treesDone'); }
  /** Accuracy of the arg-max votes over rows out of bag at least once (scikit-learn's `oob_score_`); null if none. */
  score(): Promise<number | null> { return this.invoke('score'); }
  /** Rows out of bag at least once. */
  votedRows(): Promise<number> { return this.invoke('votedRows'); }
  /** Mean votes per row (scikit-learn's `oob_decision_function_`), row-major; zeros for rows never out of bag. */
  decision(): Promise<Float64Array> { return this.invoke('decision'); }
}

registerProxy(OOB_VOTES_TYPE, (key) => new OobVotes(key));
