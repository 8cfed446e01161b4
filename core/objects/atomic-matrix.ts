/**
 * A dense rows×cols matrix of float64 shared by all cloud threads. Rows and the whole matrix travel
 * as Float64Array (Arrow attachments, no per-element encoding); `addToRow` runs the addition on the
 * DSO node, so workers can accumulate vectors (gradients, centroid sums) without read-modify-write.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A dense matrix of float64 on the DSO node (rows travel as Arrow arrays). Every method rejects as
 * {@link SharedObject} says, and with {@link BadArgumentError} for a row or column out of bounds
 * or a row of the wrong length.
 */
export class AtomicMatrix extends SharedObject {
  readonly typeName = 'AtomicMatrix';

  /**
   * @param key the key (undefined inside a `@Shared` field)
   * @param rows number of rows, used if the object does not exist yet
   * @param cols number of columns
   * @param initial optional row-major content of rows*cols numbers (zeros otherwise)
   */
  constructor(key?: string, rows?: number, cols?: number, initial?: Float64Array | number[], options?: SharedOptions) {
    const init = rows === undefined ? undefined : initial === undefined ? [rows, cols] : [rows, cols, initial];
    super(key, init, options);
  }

  /** `[rows, cols]`. */
  shape(): Promise<[number, number]> { return this.invoke('shape'); }
  /**
   * The value of one cell.
   * @throws {BadArgumentError} if `row` or `col` is out of bounds
   */
  get(row: number, col: number): Promise<number> { return this.invoke('get', row, col); }
  /**
   * Sets one cell.
   * @throws {BadArgumentError} if `row` or `col` is out of bounds
   */
  set(row: number, col: number, value: number): Promise<void> { return this.invoke('set', row, col, value); }
  /** Adds `delta` to one cell; resolves to the new value. */
  add(row: number, col: number, delta: number): Promise<number> { return this.invoke('add', row, col, delta); }
  /**
   * A copy of one row.
   * @throws {BadArgumentError} if `row` is out of bounds
   */
  getRow(row: number): Promise<Float64Array> { return this.invoke('getRow', row); }
  /**
   * Replaces one row.
   * @throws {BadArgumentError} if `row` is out of bounds or `values` is not `cols` numbers long
   */
  setRow(row: number, values: Float64Array | number[]): Promise<void> { return this.invoke('setRow', row, values); }
  /** Adds `values` to the row elementwise, on the node. */
  addToRow(row: number, values: Float64Array | number[]): Promise<void> { return this.invoke('addToRow', row, values); }
  /** The whole matrix, row-major. */
  toArray(): Promise<Float64Array> { return this.invoke('toArray'); }
}

registerProxy('AtomicMatrix', (key) => new AtomicMatrix(key));
