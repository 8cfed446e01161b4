/**
 * Reading training data from Arrow IPC files (Feather v2) or streams, by row range: each worker
 * reads its own partition, and only the record batches that overlap it are loaded (ipc-index.ts).
 * Features are every numeric column except the label, in the file's column order.
 */
import { Type, type DataType, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { DEFAULT_LABEL, type Dataset } from './dataset.ts';
import { openIpc } from './ipc-index.ts';

/** Options of {@link datasetInfo} and {@link readRows}. */
export interface ReadOptions {
  /** Name of the label column (default `'y'`). When given explicitly it must exist. */
  label?: string;
}

/** What {@link datasetInfo} tells about a file without reading its rows. */
export interface DatasetInfo {
  /** Total rows, summed from the record batches' metadata. */
  nRows: number;
  /** Feature columns: every numeric column but the label. */
  featureNames: string[];
  /** Whether the label column is present. */
  hasLabel: boolean;
}

const NUMERIC = new Set<Type>([Type.Int, Type.Float, Type.Bool]);

interface Columns { features: number[]; featureNames: string[]; label: number }

/** Picks feature and label columns; every column must be numeric (a string column is a mistake, not something to skip silently). */
function columnsOf(path: string, schema: Schema, opts: ReadOptions): Columns {
  const labelName = opts.label ?? DEFAULT_LABEL;
  const features: number[] = [];
  const featureNames: string[] = [];
  let label = -1;
  schema.fields.forEach((f: Field, i: number) => {
    if (!NUMERIC.has(f.type.typeId)) {
      throw new BadArgumentError(`${path}: column "${f.name}" is ${String(f.type)}, not numeric; crucial/ml reads numeric columns only (encode categories as numbers)`);
    }
    if (f.name === labelName) label = i;
    else { features.push(i); featureNames.push(f.name); }
  });
  if (opts.label !== undefined && label < 0) {
    throw new BadArgumentError(`${path}: no label column "${opts.label}" (columns: ${schema.fields.map((f) => f.name).join(', ')})`);
  }
  if (features.length === 0) throw new BadArgumentError(`${path}: no feature columns (only the label "${labelName}")`);
  return { features, featureNames, label };
}

/**
 * Row count, feature names and whether a label column exists, from the schema and the batches'
 * metadata only.
 * @param path an Arrow IPC file (Feather v2) or stream
 * @throws {BadArgumentError} when the file is missing or not Arrow, a column is not numeric, or an explicitly named label is absent
 */
export async function datasetInfo(path: string, opts: ReadOptions = {}): Promise<DatasetInfo> {
  const ipc = await openIpc(path);
  try {
    const cols = columnsOf(path, ipc.schema, opts);
    return { nRows: ipc.rowsPerBatch.reduce((a, b) => a + b, 0), featureNames: cols.featureNames, hasLabel: cols.label >= 0 };
  } finally {
    await ipc.close();
  }
}

/** Rows of one record batch, column by column: what {@link readColumnSlices} returns per batch. */
export interface ColumnSlice {
  /** Index, within the range read, of the slice's first row. */
  row: number;
  /** Rows in the slice. */
  n: number;
  /** One Float64Array of n values per feature column (views of float64 columns, converted copies of the rest). */
  columns: Float64Array[];
  /** The label column's n values, when the file has it. */
  y?: Float64Array;
}

/**
 * Rows `[from, to)` of a dataset file as the record batches hold them, column by column, not
 * transposed: for a consumer that lays the rows out its own way (the ml/kernels SIMD layout).
 * @throws {BadArgumentError} as {@link readRows}
 */
export async function readColumnSlices(path: string, from: number, to: number, opts: ReadOptions = {}): Promise<{ slices: ColumnSlice[]; nRows: number; nCols: number; featureNames: string[]; hasLabel: boolean }> {
  const ipc = await openIpc(path);
  try {
    const cols = columnsOf(path, ipc.schema, opts);
    const total = ipc.rowsPerBatch.reduce((a, b) => a + b, 0);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to > total) {
      throw new BadArgumentError(`readRows: range [${from}, ${to}) is not within the ${total} rows of ${path}`);
    }
    const nRows = to - from;
    // Batches overlapping [from, to), with the first row each one holds.
    const wanted: number[] = [];
    const starts: number[] = [];
    let start = 0;
    ipc.rowsPerBatch.forEach((rows, i) => {
      if (start < to && start + rows > from && rows > 0) { wanted.push(i); starts.push(start); }
      start += rows;
    });
    const batches = nRows === 0 ? [] : await ipc.load(wanted);
    const slices = batches.map((batch, k): ColumnSlice => {
      const first = starts[k]!;
      const lo = Math.max(from, first) - first;
      const hi = Math.min(to, first + batch.numRows) - first;
      const columns = cols.features.map((c) => columnSlice(path, batch, c, lo, hi));
      return { row: first + lo - from, n: hi - lo, columns, ...(cols.label >= 0 ? { y: columnSlice(path, batch, cols.label, lo, hi) } : {}) };
    });
    return { slices, nRows, nCols: cols.features.length, featureNames: cols.featureNames, hasLabel: cols.label >= 0 };
  } finally {
    await ipc.close();
  }
}

/**
 * Rows `[from, to)` of a dataset file as dense row-major features (and labels when the file has
 * the label column). Record batches outside the range are not decoded (and, in an IPC file, not read).
 * @param path an Arrow IPC file (Feather v2) or stream
 * @throws {BadArgumentError} as {@link datasetInfo}, when the range is not within `[0, nRows]`, or a column has nulls
 */
export async function readRows(path: string, from: number, to: number, opts: ReadOptions = {}): Promise<Dataset> {
  const { slices, nRows, nCols, featureNames, hasLabel } = await readColumnSlices(path, from, to, opts);
  const X = new Float64Array(nRows * nCols);
  const y = hasLabel ? new Float64Array(nRows) : undefined;
  for (const s of slices) {
    scatterRows(X, s.columns, s.row * nCols, s.n, nCols);
    if (y) y.set(s.y!, s.row);
  }
  return { X, y, nRows, nCols, featureNames };
}

/**
 * Column vectors into row-major X: in blocks of rows, so the rows being written stay in cache
 * while every column visits them (one column at a time over all rows strides through all of X).
 */
function scatterRows(X: Float64Array, columns: Float64Array[], base: number, n: number, nCols: number): void {
  const BLOCK = 256;
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const r1 = Math.min(n, r0 + BLOCK);
    for (let j = 0; j < nCols; j++) {
      const v = columns[j]!;
      for (let r = r0, o = base + r0 * nCols + j; r < r1; r++, o += nCols) X[o] = v[r]!;
    }
  }
}

/** Rows [lo, hi) of one column of one batch as float64: a view of a float64 column, a converted copy of any other. */
function columnSlice(path: string, batch: RecordBatch, c: number, lo: number, hi: number): Float64Array {
  const vec = batch.getChildAt(c)!;
  const type: DataType = vec.type;
  if (vec.nullCount > 0) {
    // Only a null inside the range matters.
    for (let i = lo; i < hi; i++) {
      if (!vec.isValid(i)) throw new BadArgumentError(`${path}: column "${batch.schema.fields[c]!.name}" has null values; crucial/ml needs complete numeric data`);
    }
  }
  const isF16 = type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 0;
  if (type.typeId === Type.Bool || isF16) return Float64Array.from({ length: hi - lo }, (_, i) => Number(vec.get(lo + i)));
  const arr = vec.toArray() as Float64Array | Float32Array | Int32Array | BigInt64Array | BigUint64Array;
  if (arr instanceof Float64Array) return arr.subarray(lo, hi);
  if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) return Float64Array.from(arr.subarray(lo, hi), Number);
  return Float64Array.from(arr.subarray(lo, hi));
}
