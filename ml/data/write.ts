/**
 * Writing a Dataset as an Arrow IPC file (Feather v2), float64 columns, in record batches of
 * `batchRows` rows so that readers of a row range load only the batches they need.
 */
import { writeFile } from 'node:fs/promises';
import { Field, Float64, RecordBatch, Schema, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { DEFAULT_LABEL, checkDataset, type Dataset } from './dataset.ts';

/** Options of {@link writeDataset}. */
export interface WriteOptions {
  /** Name of the label column (default `'y'`); written only when the dataset has labels. */
  label?: string;
  /** Rows per record batch (default 65,536). */
  batchRows?: number;
}

/**
 * Writes `ds` to `path` as an uncompressed Arrow IPC file: one float64 column per feature (named
 * by `featureNames`), then the label column when `ds.y` is set.
 * @throws {BadArgumentError} if the dataset's lengths disagree, `batchRows` is not a positive integer, or a feature is named like the label
 */
export async function writeDataset(path: string, ds: Dataset, opts: WriteOptions = {}): Promise<void> {
  checkDataset(ds);
  const label = opts.label ?? DEFAULT_LABEL;
  const batchRows = opts.batchRows ?? 65_536;
  if (!Number.isSafeInteger(batchRows) || batchRows <= 0) throw new BadArgumentError(`writeDataset: batchRows must be a positive integer, got ${batchRows}`);
  if (ds.y && ds.featureNames.includes(label)) throw new BadArgumentError(`writeDataset: a feature is named "${label}", like the label column`);
  if (new Set(ds.featureNames).size !== ds.featureNames.length) throw new BadArgumentError('writeDataset: feature names must be distinct');
  const names = ds.y ? [...ds.featureNames, label] : ds.featureNames;
  const fields = names.map((n) => new Field(n, new Float64(), false));
  const schema = new Schema(fields);
  const batches: RecordBatch[] = [];
  const { nRows, nCols } = ds;
  for (let from = 0; from < nRows || (nRows === 0 && batches.length === 0); from += batchRows) {
    const to = Math.min(nRows, from + batchRows);
    const n = to - from;
    const columns: Float64Array[] = Array.from({ length: nCols }, () => new Float64Array(n));
    for (let r = 0; r < n; r++) {
      const base = (from + r) * nCols;
      for (let j = 0; j < nCols; j++) columns[j]![r] = ds.X[base + j]!;
    }
    if (ds.y) columns.push(ds.y.slice(from, to));
    const children = columns.map((data) => makeData({ type: new Float64(), length: n, data }));
    batches.push(new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, children, nullCount: 0 })));
    if (nRows === 0) break;
  }
  await writeFile(path, tableToIPC(new Table(schema, batches), 'file'));
}
