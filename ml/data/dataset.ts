/**
 * The in-memory form of training data every ml algorithm takes, and how rows are split among
 * workers. Features are one row-major Float64Array so a partition crosses to the DSO or a worker as
 * one Arrow buffer, never element by element.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';

/** Row-major dense features, with optional labels. */
export interface Dataset {
  /** nRows × nCols features, row-major. */
  X: Float64Array;
  /** nRows labels, when the data has a label column. */
  y?: Float64Array;
  /** Number of rows. */
  nRows: number;
  /** Number of feature columns. */
  nCols: number;
  /** Names of the feature columns, in order. */
  featureNames: string[];
}

/** The label column's name when none is given. */
export const DEFAULT_LABEL = 'y';

/**
 * An even split of `[0, nRows)` into `n` contiguous ranges `[from, to)`, in order, sizes differing
 * by at most one (the first `nRows % n` get the extra row). With `n > nRows` the last ranges are empty.
 * @param nRows number of rows (a non-negative integer)
 * @param n number of ranges (a positive integer)
 * @throws {BadArgumentError} if either is not such an integer
 */
export function partitions(nRows: number, n: number): Array<[number, number]> {
  if (!Number.isSafeInteger(nRows) || nRows < 0) throw new BadArgumentError(`partitions: nRows must be a non-negative integer, got ${nRows}`);
  if (!Number.isSafeInteger(n) || n <= 0) throw new BadArgumentError(`partitions: n must be a positive integer, got ${n}`);
  const base = Math.floor(nRows / n);
  const extra = nRows % n;
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    const to = from + base + (i < extra ? 1 : 0);
    out.push([from, to]);
    from = to;
  }
  return out;
}

/**
 * Checks a Dataset's shape (lengths agree with nRows × nCols, names match nCols).
 * @throws {BadArgumentError} naming the mismatch
 */
export function checkDataset(ds: Dataset, what = 'dataset'): Dataset {
  if (!ds || typeof ds !== 'object') throw new BadArgumentError(`${what} must be {X, y?, nRows, nCols, featureNames}`);
  if (!Number.isSafeInteger(ds.nRows) || ds.nRows < 0) throw new BadArgumentError(`${what}.nRows must be a non-negative integer`);
  if (!Number.isSafeInteger(ds.nCols) || ds.nCols <= 0) throw new BadArgumentError(`${what}.nCols must be a positive integer`);
  if (!(ds.X instanceof Float64Array) || ds.X.length !== ds.nRows * ds.nCols) {
    throw new BadArgumentError(`${what}.X must be a Float64Array of nRows*nCols = ${ds.nRows * ds.nCols} numbers`);
  }
  if (ds.y !== undefined && (!(ds.y instanceof Float64Array) || ds.y.length !== ds.nRows)) {
    throw new BadArgumentError(`${what}.y must be a Float64Array of nRows = ${ds.nRows} numbers`);
  }
  if (!Array.isArray(ds.featureNames) || ds.featureNames.length !== ds.nCols || !ds.featureNames.every((n) => typeof n === 'string')) {
    throw new BadArgumentError(`${what}.featureNames must be nCols = ${ds.nCols} strings`);
  }
  return ds;
}
