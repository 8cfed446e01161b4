/**
 * Node side of `ml.OobVotes`: the random forest's out-of-bag vote matrix (the Smile port's shared
 * OOB matrix). Each cloud thread, after growing a tree, adds that tree's class probabilities for
 * its out-of-bag rows with one `addVotes` call, so the merge runs on the node and no worker ever
 * reads the matrix. The first call creates it from the creation arguments the first task carries
 * (nRows, nClasses, labels): no barrier, no data loaded by the program that starts the fit. The
 * node also scores it, so the OOB accuracy costs one number on the wire, not the matrix.
 */
import { BadArgumentError, IllegalStateError } from '../../../core/protocol/errors.ts';
import { arg, describe } from '../../../dso/registry.ts';

const MAX_CELLS = 2 ** 27;

export class OobVotes {
  private readonly nRows: number;
  private readonly nClasses: number;
  private readonly sums: Float64Array;
  private readonly counts: Int32Array;
  private readonly labels: Int32Array | undefined;
  /** Trees merged so far: a retried task re-sends trees it merged before its failure, and they count once. */
  private readonly merged = new Set<number>();
  private aborted: string | null = null;

  /**
   * @param nRows rows of the training data (> 0)
   * @param nClasses number of classes (> 0)
   * @param labels optional class index of every row (0..nClasses-1), for {@link OobVotes.score}
   */
  constructor(nRows: unknown, nClasses: unknown, labels?: unknown) {
    this.nRows = arg.positiveInt(nRows, 'ml.OobVotes(nRows)');
    this.nClasses = arg.positiveInt(nClasses, 'ml.OobVotes(nClasses)');
    if (this.nRows * this.nClasses > MAX_CELLS) throw new BadArgumentError(`ml.OobVotes of ${this.nRows}x${this.nClasses} exceeds 2^27 cells`);
    this.sums = new Float64Array(this.nRows * this.nClasses);
    this.counts = new Int32Array(this.nRows);
    if (labels !== undefined && labels !== null) {
      const l = ints(labels, 'ml.OobVotes(labels)');
      if (l.length !== this.nRows) throw new BadArgumentError(`ml.OobVotes(labels) has ${l.length} labels for ${this.nRows} rows`);
      for (let i = 0; i < l.length; i++) {
        if (!(l[i]! >= 0 && l[i]! < this.nClasses)) throw new BadArgumentError(`ml.OobVotes(labels)[${i}] = ${l[i]} is not a class index below ${this.nClasses}`);
      }
      this.labels = l;
    }
  }

  /** `[nRows, nClasses]`. */
  shape(): [number, number] { return [this.nRows, this.nClasses]; }

  /**
   * Adds the votes of tree `tree`: `votes` holds `rows.length × nClasses` class probabilities,
   * row-major, for the rows named in `rows`. Checked whole before anything is added, so a bad call
   * changes nothing; a tree already merged is ignored (a retried cloud thread grows the same trees
   * again). Returns the number of trees merged so far.
   */
  addVotes(tree: unknown, rows: unknown, votes: unknown): number {
    // How a cancelled fit's cloud threads learn it: their next tree's merge fails.
    if (this.aborted !== null) throw new IllegalStateError(`random forest aborted: ${this.aborted}`);
    const t = arg.int(tree, 'addVotes(tree)');
    if (t < 0) throw new BadArgumentError(`addVotes(tree) must be >= 0, got ${t}`);
    const r = ints(rows, 'addVotes(rows)');
    const v = floats(votes, 'addVotes(votes)');
    const K = this.nClasses;
    if (v.length !== r.length * K) throw new BadArgumentError(`addVotes(votes) needs ${r.length}x${K} = ${r.length * K} numbers, got ${v.length}`);
    for (let i = 0; i < r.length; i++) {
      if (!(r[i]! >= 0 && r[i]! < this.nRows)) throw new BadArgumentError(`addVotes(rows)[${i}] = ${r[i]} is out of bounds for ${this.nRows} rows`);
    }
    if (this.merged.has(t)) return this.merged.size;
    this.merged.add(t);
    for (let i = 0; i < r.length; i++) {
      const base = r[i]! * K;
      for (let k = 0; k < K; k++) this.sums[base + k]! += v[i * K + k]!;
      this.counts[r[i]!]!++;
    }
    return this.merged.size;
  }

  /**
   * Ends the fit (cancelled, or a cloud thread failed for good): every later `addVotes` fails, so
   * each cloud thread stops after the tree it is growing. The driver may call it before any tree
   * landed, creating the object (then with 1 row and 1 class: nothing is merged into it anyway).
   */
  abort(reason: unknown): null {
    if (this.aborted === null) this.aborted = typeof reason === 'string' && reason ? reason : 'aborted';
    return null;
  }

  /** Trees merged so far (the fit's progress). */
  treesDone(): number { return this.merged.size; }

  /**
   * scikit-learn's `oob_score_`: the accuracy of the arg-max of the summed votes over the rows that
   * were out of bag at least once; null without labels or with no such row.
   */
  score(): number | null {
    if (!this.labels) return null;
    const K = this.nClasses;
    let voted = 0, correct = 0;
    for (let i = 0; i < this.nRows; i++) {
      if (this.counts[i] === 0) continue;
      voted++;
      let best = 0;
      for (let k = 1; k < K; k++) if (this.sums[i * K + k]! > this.sums[i * K + best]!) best = k;
      if (best === this.labels[i]) correct++;
    }
    return voted === 0 ? null : correct / voted;
  }

  /** Rows that were out of bag at least once. */
  votedRows(): number {
    let n = 0;
    for (let i = 0; i < this.nRows; i++) if (this.counts[i]! > 0) n++;
    return n;
  }

  /** scikit-learn's `oob_decision_function_`: summed votes divided by each row's vote count (0 where none), row-major. */
  decision(): Float64Array {
    const K = this.nClasses;
    const out = new Float64Array(this.sums.length);
    for (let i = 0; i < this.nRows; i++) {
      const c = this.counts[i]!;
      if (c > 0) for (let k = 0; k < K; k++) out[i * K + k] = this.sums[i * K + k]! / c;
    }
    return out;
  }
}

function ints(v: unknown, what: string): Int32Array {
  if (v instanceof Int32Array) return v;
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Float32Array) && !(v instanceof Float64Array))) {
    const src = v as ArrayLike<number | bigint>;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const x = typeof src[i] === 'bigint' ? Number(src[i]) : src[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) throw new BadArgumentError(`${what}[${i}] must be a 32-bit integer, got ${describe(x)}`);
      out[i] = x;
    }
    return out;
  }
  throw new BadArgumentError(`${what} must be an Int32Array or a list of integers, got ${describe(v)}`);
}

function floats(v: unknown, what: string): Float64Array {
  if (v instanceof Float64Array) return v;
  if (Array.isArray(v) || v instanceof Float32Array) {
    const src = v as ArrayLike<unknown>;
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      if (typeof src[i] !== 'number') throw new BadArgumentError(`${what}[${i}] must be a number, got ${describe(src[i])}`);
      out[i] = src[i] as number;
    }
    return out;
  }
  throw new BadArgumentError(`${what} must be a Float64Array or a list of numbers, got ${describe(v)}`);
}
