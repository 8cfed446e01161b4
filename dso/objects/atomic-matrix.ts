/**
 * Node side of AtomicMatrix: a dense rows×cols matrix of float64, row-major. Rows travel as
 * Float64Array (Arrow attachments), so a worker can push a whole gradient row with one call and the
 * addition runs on the node (`addToRow`).
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { IN_MEMORY_ONLY, index, vector } from './values.ts';
import { chargeBytes } from '../limits.ts';
import { recycleFrame } from '../../core/protocol/transport/frame-pool.ts';

export class AtomicMatrix {
  private readonly rows: number;
  private readonly cols: number;
  private readonly data: Float64Array;
  /**
   * Set by the store when this object is in memory only: a row `setRow` / `addToRow` has consumed
   * into `data` is then referenced by nothing else (no stable storage commits the call's arguments
   * afterwards), so a large row's received frame goes back to the receive pool for the next push.
   */
  [IN_MEMORY_ONLY] = false;

  /**
   * @param rows number of rows (> 0)
   * @param cols number of columns (> 0)
   * @param initial optional content, row-major, rows*cols numbers; zeros otherwise
   */
  constructor(rows: unknown, cols: unknown, initial?: unknown) {
    this.rows = arg.positiveInt(rows, 'AtomicMatrix(rows)');
    this.cols = arg.positiveInt(cols, 'AtomicMatrix(cols)');
    if (this.rows * this.cols > 2 ** 27) throw new BadArgumentError(`AtomicMatrix of ${this.rows}x${this.cols} exceeds 2^27 cells`);
    chargeBytes(this.rows * this.cols * 8, `AtomicMatrix(${this.rows}, ${this.cols})`);
    this.data = new Float64Array(this.rows * this.cols);
    if (initial !== undefined && initial !== null) this.data.set(vector(initial, 'AtomicMatrix(initial)', this.data.length));
  }

  /** `[rows, cols]`. */
  shape(): [number, number] { return [this.rows, this.cols]; }
  get(i: unknown, j: unknown): number { return this.data[this.cell(i, j, 'get')]!; }
  set(i: unknown, j: unknown, v: unknown): null { this.data[this.cell(i, j, 'set')] = arg.number(v, 'set(value)'); return null; }
  /** Adds `delta` to one cell; returns the new value. */
  add(i: unknown, j: unknown, delta: unknown): number {
    const c = this.cell(i, j, 'add');
    return (this.data[c]! += arg.number(delta, 'add(delta)'));
  }
  /** A copy of row `i`. */
  getRow(i: unknown): Float64Array {
    const r = index(i, this.rows, 'getRow(row)');
    return this.data.slice(r * this.cols, (r + 1) * this.cols);
  }
  setRow(i: unknown, values: unknown): null {
    const r = index(i, this.rows, 'setRow(row)');
    this.data.set(vector(values, 'setRow(values)', this.cols), r * this.cols);
    if (this[IN_MEMORY_ONLY]) recycleFrame(values);
    return null;
  }
  /** Adds `values` to row `i` elementwise. */
  addToRow(i: unknown, values: unknown): null {
    const r = index(i, this.rows, 'addToRow(row)');
    const v = vector(values, 'addToRow(values)', this.cols);
    const base = r * this.cols;
    for (let j = 0; j < this.cols; j++) this.data[base + j]! += v[j]!;
    if (this[IN_MEMORY_ONLY]) recycleFrame(values);
    return null;
  }
  /** The whole matrix, row-major (a copy). */
  toArray(): Float64Array { return this.data.slice(); }

  private cell(i: unknown, j: unknown, m: string): number {
    return index(i, this.rows, `${m}(row)`) * this.cols + index(j, this.cols, `${m}(col)`);
  }
}
