/**
 * A partition's rows held for the ml/ compute kernels: the k-means assignment pass and the
 * logistic-regression products X·Wᵀ and Xᵀ·residual. Two implementations give bit-identical
 * results, the same as the scalar loops of ml/kmeans/lloyd.ts and ml/logreg/loss.ts (the same
 * operations in the same order, see kernels.wat): WebAssembly SIMD (f64x2, two
 * rows per vector), used when the engine has it, and plain JS, used otherwise or when
 * `CRUCIAL_ML_KERNELS=js`.
 */
import { JsRows } from './js.ts';
import { wasmRows, wasmRowsFromColumns } from './wasm.ts';

/** Which implementation a {@link Rows} is. */
export type KernelKind = 'wasm' | 'js';

/** Rows (row-major, nRows × d) loaded once, then passed over once per iteration. */
export interface Rows {
  readonly kind: KernelKind;
  readonly nRows: number;
  readonly d: number;
  /**
   * The caller is done with these rows: their memory may serve the next Rows made in this thread
   * (no call on them, nor on a view they gave, after this).
   */
  release(): void;
  /** Copies row i's d features into out[at ..). */
  copyRow(i: number, out: Float64Array, at: number): void;
  /**
   * Assigns every row to its nearest (squared Euclidean; the first of equal ones) of the `k`
   * centroids at `centroids[cOff .. cOff + k·d)`; with `sums` (k·d) and `counts` (k) adds each row
   * to its cluster's sum and 1 to its count (bit-identical across kinds when they start at 0). Returns the inertia, summed in row order. Each row's
   * squared distance and cluster are then in {@link dist} and {@link labels}.
   */
  assign(centroids: Float64Array, cOff: number, k: number, sums: Float64Array | null, counts: Float64Array | null): number;
  /** Per-row squared distance to the nearest centroid of the last {@link assign} (valid until the next call). */
  readonly dist: Float64Array;
  /** Per-row nearest centroid of the last {@link assign} (valid until the next call). */
  readonly labels: Int32Array;
  /**
   * z[i·r + c] = bias[c] + Σ_j x_ij · w[c·d + j] (features in order) for the `r` weight rows at
   * w[0 .. r·d) (bias null: 0). Returns z (nRows × r), a view of a buffer owned by the Rows:
   * overwrite it with the residuals, then call {@link xtr}.
   */
  xw(w: Float64Array, r: number, bias: Float64Array | null): Float64Array;
  /**
   * grad[c·d + j] += Σ_i z[i·r + c] · x_ij over the rows, in row order, z = the last {@link xw}'s
   * buffer (bit-identical across kinds when grad starts at 0).
   */
  xtr(r: number, grad: Float64Array): void;
  /**
   * k-means++'s step: out[i] = min(closest[i], ‖x_i − c‖²) for the centre at c[cOff .. cOff + d)
   * (`out` may be `closest`); returns Σ out[i], summed in row order.
   */
  distMin(c: Float64Array, cOff: number, closest: Float64Array, out: Float64Array): number;
  /**
   * k-means++'s distance passes with each row's D² kept inside (no copy in and out per candidate),
   * the figures of {@link distMin} bit for bit. Any other call on these Rows spoils it.
   */
  seeding(): Seeding;
  /** `[n, mean(d), M2(d)]` of the rows (M2 = Σ(x − mean)², two passes for accuracy; each column summed in row order). */
  columnStats(): Float64Array;
}

/** See {@link Rows.seeding}: each row's D² to its nearest centre so far, kept by the kernels. */
export interface Seeding {
  /**
   * D²[i] = ‖x_i − c‖² for the centre at c[cOff .. cOff + d); returns acc + Σ D², added in row
   * order (acc: the sum over rows before these when the rows come in several Rows; default 0).
   */
  first(c: Float64Array, cOff: number, acc?: number): number;
  /** The current D² (a view, valid until the next call). */
  closest(): Float64Array;
  /**
   * out[at + i] = acc + D²[0] + ... + D²[i] for every row, added in row order (k-means++'s
   * cumulative potential; acc as in {@link first}); returns the last (acc when there is no row).
   */
  cumulate(out: Float64Array, at: number, acc: number): number;
  /**
   * For each candidate t at c[offs[t] .. offs[t] + d): min(D²[i], ‖x_i − c_t‖²) per row, kept
   * for {@link keep}; returns each candidate's Σ (row order), as {@link Rows.distMin} would,
   * continued from acc[t] when given (see {@link first}).
   */
  trials(c: Float64Array, offs: ArrayLike<number>, acc?: ArrayLike<number>): Float64Array;
  /** Candidate t of the last {@link trials} becomes the D². */
  keep(t: number): void;
}

/**
 * Rows for the kernels: WebAssembly SIMD when available (the rows are copied once into its
 * memory), else plain JS over `X` itself. `kind` forces one (default: `CRUCIAL_ML_KERNELS` if set
 * to `wasm` or `js`, else the fastest available).
 */
export function createRows(X: Float64Array, nRows: number, d: number, kind?: KernelKind): Rows {
  const want = kind ?? envKind();
  if (want !== 'js') {
    const rows = wasmRows(X, nRows, d);
    if (rows) return rows;
    if (want === 'wasm') throw new Error('WebAssembly SIMD kernels are unavailable here');
  }
  return new JsRows(X, nRows, d);
}

/** `CRUCIAL_ML_KERNELS` (`wasm` or `js`) when set: forces the kernels' kind. */
export function envKind(): KernelKind | undefined {
  const v = process.env['CRUCIAL_ML_KERNELS'];
  return v === 'js' || v === 'wasm' ? v : undefined;
}

/** Rows [s.row, s.row + s.n) of each slice, one Float64Array per feature (Arrow columns, untransposed). */
export interface ColumnSlices { row: number; n: number; columns: Float64Array[] }

/**
 * {@link createRows} from column slices (ml/data/read.ts readColumnSlices): the SIMD layout is
 * filled straight from the columns, with no row-major copy in between; the JS kernels get one.
 */
export function createRowsFromColumns(slices: ReadonlyArray<ColumnSlices>, nRows: number, d: number, kind?: KernelKind): Rows {
  const want = kind ?? envKind();
  if (want !== 'js') {
    const rows = wasmRowsFromColumns(slices, nRows, d);
    if (rows) return rows;
    if (want === 'wasm') throw new Error('WebAssembly SIMD kernels are unavailable here');
  }
  return new JsRows(rowMajor(slices, nRows, d), nRows, d);
}

/** The rows of column slices as one row-major matrix (nRows × d): the JS kernels' layout. */
export function rowMajor(slices: ReadonlyArray<ColumnSlices>, nRows: number, d: number): Float64Array {
  const X = new Float64Array(nRows * d);
  for (const s of slices) {
    for (let j = 0; j < d; j++) {
      const col = s.columns[j]!;
      for (let r = 0, o = s.row * d + j; r < s.n; r++, o += d) X[o] = col[r]!;
    }
  }
  return X;
}
