/**
 * A cloud thread's partition straight into kernel {@link Rows}: from an Arrow file the columns go
 * into the SIMD layout without the row-major copy ml/kmeans/source.ts loadPartition makes (which
 * the kernels would then copy again); inline rows (a Dataset the driver holds) as they are.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { PartitionSource } from '../kmeans/source.ts';
import { createRows, createRowsFromColumns, type Rows } from './rows.ts';
import { readModule } from '../data/lazy.ts';
import type { ColumnSlice } from '../data/read.ts';
import { readF64Slices } from './read-f64.ts';

/** The partition's rows for the kernels, and its labels when the source has them. */
export interface KernelPartition { rows: Rows; y: Float64Array | null; nRows: number }

/**
 * A partition as read, before any kernel layout: column slices of the file (views of the decoded
 * batches) or the inline row-major rows. A consumer that picks its layout after reading (the
 * binary logistic pass, ml/kernels/logistic.ts) starts from this.
 */
export interface PartitionData {
  slices: ColumnSlice[] | null; X: Float64Array | null; y: Float64Array | null; nRows: number;
  /** Set when the slices are views of a buffer lent by the reader (read-f64.ts): call once they are copied. */
  giveBack?: () => void;
}

/** {@link Rows} of a partition as read. */
export function kernelRows(p: PartitionData, nCols: number): Rows {
  return p.slices ? createRowsFromColumns(p.slices, p.nRows, nCols) : createRows(p.X!, p.nRows, nCols);
}

/**
 * Loads a partition in the cloud thread.
 * @throws {BadArgumentError} if the file's columns do not match the `nCols` the fit was planned with
 */
export async function loadKernelPartition(src: PartitionSource, nCols: number): Promise<KernelPartition> {
  const p = await readPartition(src, nCols);
  return { rows: kernelRows(p, nCols), y: p.y, nRows: p.nRows };
}

async function readPartition(src: PartitionSource, nCols: number, lend = false): Promise<PartitionData> {
  const p = await readPartitionAsIs(src, nCols, lend);
  try {
    checkFinite(p, nCols, src.kind === 'file' ? ` of ${src.path}` : ' of the data', src.from ?? 0);
  } catch (err) { p.giveBack?.(); throw err; }
  return p;
}

/**
 * Refuses NaN and ±Inf features (scikit-learn's check_array does too): the kernels would carry them
 * into a model of NaN centres or weights without a word.
 * @throws {BadArgumentError} naming the first such value's row (from `where`) and feature
 */
function checkFinite(p: PartitionData, nCols: number, where: string, firstRow = 0): void {
  if (p.X) {
    const i = firstNonFinite(p.X);
    if (i >= 0) throw nonFinite(where, firstRow + Math.floor(i / nCols), i % nCols, p.X[i]!);
    return;
  }
  for (const s of p.slices!) {
    for (let c = 0; c < s.columns.length; c++) {
      const i = firstNonFinite(s.columns[c]!);
      if (i >= 0) throw nonFinite(where, firstRow + s.row + i, c, s.columns[c]![i]!);
    }
  }
}

/** Index of the first NaN or ±Inf, or -1 (its own function: optimised in a thread's first fit). */
function firstNonFinite(v: Float64Array): number {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
}

function nonFinite(where: string, row: number, feature: number, value: number): BadArgumentError {
  return new BadArgumentError(`features must be finite numbers: feature ${feature} of row ${row}${where} is ${value}`);
}

async function readPartitionAsIs(src: PartitionSource, nCols: number, lend: boolean): Promise<PartitionData> {
  if (src.kind === 'inline') return { slices: null, X: src.X, y: src.y, nRows: src.nRows };
  const r = await readSlices(src.path, src.from, src.to, nCols, src.label, lend);
  if (r.nCols !== nCols) { r.giveBack?.(); throw new BadArgumentError(`${src.path} has ${r.nCols} feature columns, the fit expected ${nCols}`); }
  let y: Float64Array | null = null;
  if (r.hasLabel) {
    y = new Float64Array(r.nRows);
    for (const s of r.slices) y.set(s.y!, s.row);
  }
  return { slices: r.slices, X: null, y, nRows: r.nRows, ...(r.giveBack ? { giveBack: r.giveBack } : {}) };
}

/** The columns of rows [from, to): all-float64 files the short way (read-f64.ts), others through ml/data/read.ts. */
async function readSlices(path: string, from: number, to: number, nCols: number, label: string | undefined, lend: boolean): Promise<{ slices: ColumnSlice[]; nRows: number; nCols: number; hasLabel: boolean; giveBack?: () => void }> {
  const fast = await readF64Slices(path, from, to, nCols, label, lend);
  if (fast) return { ...fast, nCols };
  const { readColumnSlices } = await readModule();
  return readColumnSlices(path, from, to, label === undefined ? {} : { label });
}

/**
 * Loads a one-thread fit's partitions: when they are contiguous row ranges of one file (a split
 * fit's plan), the file is opened and its batches decoded once for all of them (each read opens
 * the file, parses its footer and schema, and decodes the batches: 1-2 ms per partition on small
 * data), then each partition's rows go into their own kernel layout as before.
 * @throws {BadArgumentError} as {@link loadKernelPartition}
 */
export async function loadKernelPartitions(srcs: ReadonlyArray<PartitionSource>, nCols: number): Promise<KernelPartition[]> {
  // The file's bytes in the thread's reusable buffer: the kernel layout copies them (labels are
  // copied by the read), so nothing refers to the buffer once the rows are made.
  const data = await readPartitions(srcs, nCols, true);
  try {
    return data.map((p) => ({ rows: kernelRows(p, nCols), y: p.y, nRows: p.nRows }));
  } finally {
    for (const p of data) p.giveBack?.();
  }
}

/**
 * {@link loadKernelPartitions} without the kernel layout: each partition as read (one read of the
 * file for contiguous ranges of it).
 * @throws {BadArgumentError} as {@link loadKernelPartition}
 */
export async function readPartitions(srcs: ReadonlyArray<PartitionSource>, nCols: number, lend = false): Promise<PartitionData[]> {
  const files = srcs.filter((s) => s.kind === 'file');
  const one = files.length === srcs.length && srcs.length > 1
    && files.every((s, i) => s.path === files[0]!.path && s.label === files[0]!.label && (i === 0 || s.from === files[i - 1]!.to));
  if (!one) {
    const out: PartitionData[] = [];
    for (const src of srcs) out.push(await readPartition(src, nCols, lend));
    return out;
  }
  const first = files[0]!, lastTo = files[files.length - 1]!.to;
  const r = await readSlices(first.path, first.from, lastTo, nCols, first.label, lend);
  if (r.nCols !== nCols) { r.giveBack?.(); throw new BadArgumentError(`${first.path} has ${r.nCols} feature columns, the fit expected ${nCols}`); }
  try {
    checkFinite({ slices: r.slices, X: null, y: null, nRows: r.nRows }, nCols, ` of ${first.path}`, first.from);
  } catch (err) { r.giveBack?.(); throw err; }
  return files.map((src, i) => {
    // The slices' rows within [src.from, src.to), as views (no copy), renumbered from the partition's first row.
    const a = src.from - first.from, b = src.to - first.from;
    const slices: ColumnSlice[] = [];
    for (const s of r.slices) {
      const lo = Math.max(a, s.row), hi = Math.min(b, s.row + s.n);
      if (hi <= lo) continue;
      const cut = (v: Float64Array): Float64Array => v.subarray(lo - s.row, hi - s.row);
      slices.push({ row: lo - a, n: hi - lo, columns: s.columns.map(cut), ...(s.y ? { y: cut(s.y) } : {}) });
    }
    const n = b - a;
    let y: Float64Array | null = null;
    if (r.hasLabel) {
      y = new Float64Array(n);
      for (const s of slices) y.set(s.y!, s.row);
    }
    return { slices, X: null, y, nRows: n, ...(i === 0 && r.giveBack ? { giveBack: r.giveBack } : {}) };
  });
}
