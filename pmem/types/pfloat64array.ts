/**
 * Persistent Float64 vectors and matrices (model weights), read in place as Float64Array views.
 * Element writes through `set` join failure-atomic blocks; bulk writes through `view()` are the
 * low-level path and become durable at `heap.flush()`.
 */
import type { Heap } from "../heap.ts";
import { A_COLS, A_DATA, A_LEN, A_ROWS, Kind } from "../layout.ts";
import { factories, PObject } from "../pobject.ts";

/** A persistent Float64 vector, read in place as a Float64Array view. */
export class PFloat64Array extends PObject {
  /** Allocates a zeroed array of `n` elements, or a persistent copy of `src`. */
  static create(heap: Heap, src: number | ArrayLike<number>): PFloat64Array {
    const n = typeof src === "number" ? src : src.length;
    const a = heap.alloc(16 + 8 * n, Kind.NumArray);
    heap.f64[(a + A_LEN) >>> 3] = n;
    if (typeof src !== "number") heap.f64.set(src, (a + A_DATA) >>> 3);
    heap.region.markDirty(a, 32 + 8 * n);
    return new PFloat64Array(heap, a);
  }

  /**
   * The number of elements.
   * @throws {PmemFreedError} if the object was freed
   */
  get length(): number {
    return this.heap.f64[(this.live() + A_LEN) >>> 3]!;
  }

  /**
   * Element `i`.
   * @throws {PmemFreedError} if the object was freed
   */
  get(i: number): number {
    const a = this.live();
    return this.heap.getF64(a + A_DATA + 8 * i);
  }

  /**
   * Sets element `i`, failure-atomically (joining `heap.atomic` when inside one).
   * @throws {RangeError} if `i` is out of bounds
   * @throws {PmemFreedError} if the object was freed
   */
  set(i: number, v: number): void {
    const a = this.live();
    if (i < 0 || i >= this.length) throw new RangeError(`index ${i} out of [0, ${this.length})`);
    this.heap.setF64(a, a + A_DATA + 8 * i, v);
  }

  /** The elements in place, without copying. */
  view(): Float64Array {
    const a = this.live();
    const n = this.heap.f64[(a + A_LEN) >>> 3]!;
    this.heap.settle(a + A_DATA, 8 * n);
    return new Float64Array(this.heap.u8.buffer, a + A_DATA, n);
  }

  /** Marks the whole array dirty so the next `heap.flush()` persists writes made through `view()`. */
  touch(): void {
    const a = this.live();
    this.heap.region.markDirty(a + A_DATA, 8 * this.length);
  }
}

/** A rows x cols row-major Float64 matrix. */
export class PFloat64Matrix extends PObject {
  /**
   * Allocates a `rows` x `cols` matrix, zeroed or a copy of `src` (row-major).
   * @throws {RangeError} if `src` does not hold `rows * cols` values
   * @throws {PmemOutOfMemoryError} if the heap has no room for it
   */
  static create(heap: Heap, rows: number, cols: number, src?: ArrayLike<number>): PFloat64Matrix {
    const n = rows * cols;
    if (src !== undefined && src.length !== n) throw new RangeError(`matrix ${rows}x${cols} needs ${n} values, got ${src.length}`);
    const a = heap.alloc(16 + 8 * n, Kind.Matrix);
    heap.u32[(a + A_ROWS) >>> 2] = rows;
    heap.u32[(a + A_COLS) >>> 2] = cols;
    if (src !== undefined) heap.f64.set(src, (a + A_DATA) >>> 3);
    heap.region.markDirty(a, 32 + 8 * n);
    return new PFloat64Matrix(heap, a);
  }

  /**
   * The number of rows.
   * @throws {PmemFreedError} if the object was freed
   */
  get rows(): number {
    return this.heap.u32[(this.live() + A_ROWS) >>> 2]!;
  }

  /**
   * The number of columns.
   * @throws {PmemFreedError} if the object was freed
   */
  get cols(): number {
    return this.heap.u32[(this.live() + A_COLS) >>> 2]!;
  }

  /**
   * Element (`r`, `c`).
   * @throws {PmemFreedError} if the object was freed
   */
  get(r: number, c: number): number {
    const a = this.live();
    return this.heap.getF64(a + A_DATA + 8 * (r * this.cols + c));
  }

  /**
   * Sets element (`r`, `c`), failure-atomically (joining `heap.atomic` when inside one).
   * @throws {RangeError} if (`r`, `c`) is outside the matrix
   * @throws {PmemFreedError} if the object was freed
   */
  set(r: number, c: number, v: number): void {
    const a = this.live();
    if (r < 0 || r >= this.rows || c < 0 || c >= this.cols) throw new RangeError(`(${r}, ${c}) outside ${this.rows}x${this.cols}`);
    this.heap.setF64(a, a + A_DATA + 8 * (r * this.cols + c), v);
  }

  /** Row `r` in place. */
  row(r: number): Float64Array {
    const a = this.live();
    const cols = this.cols;
    this.heap.settle(a + A_DATA + 8 * r * cols, 8 * cols);
    return new Float64Array(this.heap.u8.buffer, a + A_DATA + 8 * r * cols, cols);
  }

  /** All elements in place, row-major. */
  view(): Float64Array {
    const a = this.live();
    this.heap.settle(a + A_DATA, 8 * this.rows * this.cols);
    return new Float64Array(this.heap.u8.buffer, a + A_DATA, this.rows * this.cols);
  }

  /** Marks the matrix dirty so the next `heap.flush()` persists writes made through views. */
  touch(): void {
    const a = this.live();
    this.heap.region.markDirty(a + A_DATA, 8 * this.rows * this.cols);
  }
}

factories.set(Kind.NumArray, (heap, a) => new PFloat64Array(heap, a));
factories.set(Kind.Matrix, (heap, a) => new PFloat64Matrix(heap, a));
