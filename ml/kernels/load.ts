/**
 * A cloud thread's partition straight into kernel {@link Rows}: from an Arrow file the columns go
 * into the SIMD layout without the row-major copy ml/kmeans/source.ts loadPartition makes (which
 * the kernels would then copy again); inline rows (a Dataset the driver holds) as they are.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { PartitionSource } from '../kmeans/source.ts';
import { createRows, createRowsFromColumns, type Rows } from './rows.ts';
import { readModule } from '../data/lazy.ts';

/** The partition's rows for the kernels, and its labels when the source has them. */
export interface KernelPartition { rows: Rows; y: Float64Array | null; nRows: number }

/**
 * Loads a partition in the cloud thread.
 * @throws {BadArgumentError} if the file's columns do not match the `nCols` the fit was planned with
 */
export async function loadKernelPartition(src: PartitionSource, nCols: number): Promise<KernelPartition> {
  if (src.kind === 'inline') return { rows: createRows(src.X, src.nRows, src.nCols), y: src.y, nRows: src.nRows };
  const { readColumnSlices } = await readModule();
  const r = await readColumnSlices(src.path, src.from, src.to, src.label === undefined ? {} : { label: src.label });
  if (r.nCols !== nCols) throw new BadArgumentError(`${src.path} has ${r.nCols} feature columns, the fit expected ${nCols}`);
  let y: Float64Array | null = null;
  if (r.hasLabel) {
    y = new Float64Array(r.nRows);
    for (const s of r.slices) y.set(s.y!, s.row);
  }
  return { rows: createRowsFromColumns(r.slices, r.nRows, nCols), y, nRows: r.nRows };
}
