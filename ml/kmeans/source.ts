/**
 * Where a cloud thread finds its partition: a row range of an Arrow file it reads itself (the data
 * never passes through the driver), or rows the driver already holds, shipped with the task as one
 * Float64Array (an Arrow frame). Shared by k-means and logistic regression.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { checkDataset, partitions, type Dataset } from '../data/dataset.ts';
import { readModule } from '../data/lazy.ts';
import { readF64Info } from '../kernels/read-f64.ts';

/** A partition: rows [from, to) of an Arrow file, or inline rows. */
export type PartitionSource =
  | { kind: 'file'; path: string; from: number; to: number; label?: string }
  | { kind: 'inline'; X: Float64Array; y: Float64Array | null; nRows: number; nCols: number; /** Row of the whole data where it starts (for errors). */ from?: number };

/** The partition's rows (labels when the source has them). */
export interface PartitionRows {
  X: Float64Array;
  y: Float64Array | null;
  nRows: number;
  nCols: number;
}

/** What the driver knows of the data before training: its shape and one source per partition. */
export interface DataPlan {
  nRows: number;
  nCols: number;
  featureNames: string[];
  hasLabel: boolean;
  /** Labels when the driver holds the data (a Dataset), for checks done before any task starts. */
  y: Float64Array | null;
  sources: PartitionSource[];
}

/**
 * Splits `data` into `workers` partitions (some empty when workers > rows), or as many as
 * `workers(nRows)` says. A path is opened for its shape only; each worker reads its own range.
 * @throws {BadArgumentError} if the Dataset is malformed or the file is not a readable Arrow dataset
 */
export async function planData(data: string | Dataset, parts: number | ((nRows: number) => number), label?: string): Promise<DataPlan> {
  if (typeof data === 'string') {
    // An all-float64 file's shape from its footer and batch metadata (~0.05 ms warm, ml/kernels/read-f64.ts);
    // datasetInfo opens it through apache-arrow's reader (~0.4-1 ms) and says what is wrong with any other.
    const info = await readF64Info(data, label) ?? await (await readModule()).datasetInfo(data, label === undefined ? {} : { label });
    const workers = typeof parts === 'number' ? parts : parts(info.nRows);
    const sources = partitions(info.nRows, workers).map(([from, to]): PartitionSource => ({ kind: 'file', path: data, from, to, ...(label === undefined ? {} : { label }) }));
    return { nRows: info.nRows, nCols: info.featureNames.length, featureNames: info.featureNames, hasLabel: info.hasLabel, y: null, sources };
  }
  if (typeof data !== 'object' || data === null) throw new BadArgumentError('data must be an Arrow file path or a Dataset {X, y?, nRows, nCols, featureNames}');
  const ds = checkDataset(data, 'data');
  const d = ds.nCols;
  const workers = typeof parts === 'number' ? parts : parts(ds.nRows);
  const sources = partitions(ds.nRows, workers).map(([from, to]): PartitionSource => ({
    kind: 'inline',
    from,
    X: ds.X.slice(from * d, to * d),
    y: ds.y ? ds.y.slice(from, to) : null,
    nRows: to - from,
    nCols: d,
  }));
  return { nRows: ds.nRows, nCols: d, featureNames: ds.featureNames, hasLabel: ds.y !== undefined, y: ds.y ?? null, sources };
}

/**
 * Loads a partition in the cloud thread.
 * @throws {BadArgumentError} if the file's columns do not match the `nCols` the fit was planned with
 */
export async function loadPartition(src: PartitionSource, nCols: number): Promise<PartitionRows> {
  if (src.kind === 'inline') return { X: src.X, y: src.y, nRows: src.nRows, nCols: src.nCols };
  const { readRows } = await readModule();
  const ds = await readRows(src.path, src.from, src.to, src.label === undefined ? {} : { label: src.label });
  if (ds.nCols !== nCols) throw new BadArgumentError(`${src.path} has ${ds.nCols} feature columns, the fit expected ${nCols}`);
  return { X: ds.X, y: ds.y ?? null, nRows: ds.nRows, nCols: ds.nCols };
}
