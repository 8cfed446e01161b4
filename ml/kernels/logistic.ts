/**
 * A partition's rows and binary targets held for the binary logistic loss: one pass per
 * evaluation computes the margins, the loss and the gradient together (logistic.wat, WebAssembly
 * SIMD), instead of X·w in a kernel, the loss and residuals in a JS loop and Xᵀ·residual in a
 * second kernel (ml/kernels/rows.ts, still used for the multinomial loss). The JS fallback (no
 * SIMD, or `CRUCIAL_ML_KERNELS=js`) runs ml/logreg/loss.ts's scalar loop; both give the same bits.
 */
import { LOGISTIC_WASM_BASE64 } from './logistic-wasm.ts';
import { envKind, rowMajor, type ColumnSlices, type KernelKind } from './rows.ts';
import { MAX_BYTES, PAGE, WA, lazyModule, type WasmMemory } from './wasm-api.ts';

const module = lazyModule(LOGISTIC_WASM_BASE64);
import { logisticTerm, lastResidual } from './logistic-math.ts';

/** Rows and 0/1 targets, loaded once, then passed over once per evaluation. */
export interface LogisticRows {
  readonly kind: KernelKind;
  readonly nRows: number;
  readonly d: number;
  /**
   * Σ_i loss_i at weights `w` (d) and `bias`, loss_i = max(z_i, 0) + log1p(e^−|z_i|) − y_i·z_i,
   * z_i = bias + Σ_j x_ij·w_j; adds Σ_i (σ(z_i) − y_i)·x_ij to grad[j] and, with `intercept`,
   * Σ_i (σ(z_i) − y_i) to grad[d]. Summed in row order (bit-identical across kinds when grad starts at 0).
   */
  pass(w: Float64Array, bias: number, grad: Float64Array, intercept: boolean): number;
  /**
   * The caller is done with these rows: their memory may serve the next LogisticRows made in this
   * thread (no call on them after this), as ml/kernels/rows.ts's Rows.release.
   */
  release(): void;
}

interface Exports {
  memory: WasmMemory;
  lr_bin(x: number, n: number, d: number, y: number, w: number, b: number, g: number, tmp: number): number;
}

/** Rows copied into the pair layout per block: the block's destination stays in cache while every column visits it. */
const BLOCK = 2048;
/** lr_bin's scratch: the margins, then residuals, of a block of 64 row pairs. */
const TMP_BYTES = 64 * 16;
let compiled: object | null | undefined;

/**
 * Instances of released LogisticRows, for the next of this thread: their memory is already mapped
 * in, where a fresh instance page-faults every page its rows fill (~35 ms per 51 MB). A few, of at
 * most 64 MiB together, so an idle thread does not hold much (the same bounds as rows.ts's).
 */
const spare: Exports[] = [];
const SPARE_COUNT = 4;
const SPARE_BYTES = 64 * 1024 * 1024;
const spareBytes = (): number => spare.reduce((n, e) => n + e.memory.buffer.byteLength, 0);


/**
 * Rows for the binary logistic pass from column slices (ml/data/read.ts readColumnSlices, as
 * ml/kernels/load.ts cuts them) and the targets `y01` (0 or 1 per row): the SIMD layout when
 * available, else row-major rows for the scalar loop. `kind` forces one (default:
 * `CRUCIAL_ML_KERNELS` if set to `wasm` or `js`, else the fastest available).
 */
export function createLogisticRows(slices: ReadonlyArray<ColumnSlices>, nRows: number, d: number, y01: Float64Array, kind?: KernelKind): LogisticRows {
  const want = kind ?? envKind();
  if (want !== 'js') {
    const rows = wasmLogistic(slices, nRows, d, y01);
    if (rows) return rows;
    if (want === 'wasm') throw new Error('WebAssembly SIMD kernels are unavailable here');
  }
  return new JsLogisticRows(rowMajor(slices, nRows, d), nRows, d, y01);
}

/** {@link createLogisticRows} from row-major `X` (nRows × d). */
export function createLogisticRowsFromMatrix(X: Float64Array, nRows: number, d: number, y01: Float64Array, kind?: KernelKind): LogisticRows {
  const columns = Array.from({ length: d }, (_, j) => {
    const c = new Float64Array(nRows);
    for (let i = 0; i < nRows; i++) c[i] = X[i * d + j]!;
    return c;
  });
  return createLogisticRows(nRows ? [{ row: 0, n: nRows, columns }] : [], nRows, d, y01, kind);
}


/**
 * The binary loss over row-major rows, in row order: the scalar form of logistic.wat (and of
 * ml/logreg/loss.ts's binary branch, which calls this).
 */
export function logisticPassScalar(X: Float64Array, y01: ArrayLike<number>, nRows: number, d: number, w: Float64Array, bias: number, grad: Float64Array, intercept: boolean): number {
  let loss = 0;
  for (let i = 0; i < nRows; i++) {
    const xo = i * d;
    let z = bias;
    for (let j = 0; j < d; j++) z += X[xo + j]! * w[j]!;
    loss += logisticTerm(z, y01[i]!);
    const res = lastResidual;
    for (let j = 0; j < d; j++) grad[j]! += res * X[xo + j]!;
    if (intercept) grad[d]! += res;
  }
  return loss;
}

class JsLogisticRows implements LogisticRows {
  readonly kind = 'js' as const;
  constructor(private readonly X: Float64Array, readonly nRows: number, readonly d: number, private readonly y: Float64Array) {}

  pass(w: Float64Array, bias: number, grad: Float64Array, intercept: boolean): number {
    return logisticPassScalar(this.X, this.y, this.nRows, this.d, w, bias, grad, intercept);
  }

  release(): void {}
}

function wasmLogistic(slices: ReadonlyArray<ColumnSlices>, nRows: number, d: number, y01: Float64Array): LogisticRows | null {
  const mod = module();
  const nPad = nRows + (nRows & 1);
  const bytes = nPad * d * 8 + nPad * 8 + (2 * d + 2) * 8 + TMP_BYTES;
  if (!mod || d === 0 || bytes + PAGE > MAX_BYTES) return null;
  let ex: Exports;
  try {
    ex = spare.pop() ?? new WA.Instance(mod, {}).exports as unknown as Exports;
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / PAGE));
  } catch (e) {
    if (e instanceof RangeError) return null; // the memory could not grow: the JS pass needs no copy
    throw e;
  }
  const mem = new Float64Array(ex.memory.buffer, 0, nPad * d + nPad);
  fillPairs(mem, slices, d);
  mem.set(y01.subarray(0, nRows), nPad * d);
  // The zero row of an odd n (a reused instance's memory holds an earlier fit's values there).
  if (nPad !== nRows) {
    for (let j = 0, at = (nPad - 2) * d + 1; j < d; j++, at += 2) mem[at] = 0;
    mem[nPad * d + nRows] = 0;
  }
  return new WasmLogisticRows(ex, nRows, d, nPad);
}

/**
 * Column slices into the pair layout, block by block of rows (every column into the block before
 * the next: one column over all rows at a time would stride through the whole layout once per
 * feature), two rows (the two lanes of a position) per step.
 */
function fillPairs(mem: Float64Array, slices: ReadonlyArray<ColumnSlices>, d: number): void {
  const d2 = 2 * d;
  for (const s of slices) {
    for (let b0 = 0; b0 < s.n; b0 += BLOCK) {
      const b1 = Math.min(s.n, b0 + BLOCK);
      for (let j = 0; j < d; j++) {
        const col = s.columns[j]!;
        let r = b0, i = s.row + b0;
        let at = (i >> 1) * d2 + 2 * j;
        // A block starting on an odd row fills that row's lane 1 first.
        if ((i & 1) === 1) { mem[at + 1] = col[r]!; r++; at += d2; }
        for (; r + 1 < b1; r += 2, at += d2) { mem[at] = col[r]!; mem[at + 1] = col[r + 1]!; }
        if (r < b1) mem[at] = col[r]!;
      }
    }
  }
}

class WasmLogisticRows implements LogisticRows {
  readonly kind = 'wasm' as const;
  private readonly yAt: number;
  private readonly wAt: number;
  private readonly gAt: number;
  private readonly tmpAt: number;
  private released = false;

  constructor(private readonly ex: Exports, readonly nRows: number, readonly d: number, nPad: number) {
    this.yAt = nPad * d * 8;
    this.wAt = this.yAt + nPad * 8;
    this.gAt = this.wAt + d * 8;
    this.tmpAt = this.gAt + (d + 1) * 8 + 8;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (spare.length < SPARE_COUNT && spareBytes() + this.ex.memory.buffer.byteLength <= SPARE_BYTES) spare.push(this.ex);
  }

  pass(w: Float64Array, bias: number, grad: Float64Array, intercept: boolean): number {
    const { d } = this;
    const mem = new Float64Array(this.ex.memory.buffer);
    mem.set(w.subarray(0, d), this.wAt / 8);
    mem.fill(0, this.gAt / 8, this.gAt / 8 + d + 1);
    const loss = this.ex.lr_bin(0, this.nRows, d, this.yAt, this.wAt, bias, this.gAt, this.tmpAt);
    const at = this.gAt / 8;
    for (let j = 0; j < d; j++) grad[j]! += mem[at + j]!;
    if (intercept) grad[d]! += mem[at + d]!;
    return loss;
  }
}
