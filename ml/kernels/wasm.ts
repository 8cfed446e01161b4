/**
 * The kernels in WebAssembly SIMD (kernels.wat, embedded as base64 by build.mjs). Each Rows owns
 * one instance: its rows are copied once into the instance's memory (padded to an even number of
 * features), and each call lays out its small operands after them.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';
import type { Rows, Seeding } from './rows.ts';
import { MAX_BYTES, PAGE, WA, lazyModule, type WasmMemory } from './wasm-api.ts';

/** The compiled module, or null when this engine cannot compile it (no WebAssembly SIMD). */
const module = lazyModule(KERNELS_WASM_BASE64);


interface Exports {
  memory: WasmMemory;
  km_assign(x: number, n: number, d: number, c: number, kp: number, dist: number, lab: number, sums: number, counts: number): number;
  lr_xw(x: number, n: number, d: number, w: number, b: number, r: number, z: number): void;
  lr_xtr(x: number, n: number, d: number, res: number, r: number, g: number): void;
  col_acc(x: number, n: number, d: number, mean: number, out: number, sq: number): void;
  pp_dist(x: number, n: number, d: number, c: number, closest: number, out: number, pot: number): number;
  pp_trials(x: number, n: number, d: number, cand: number, closest: number, o0: number, o1: number, o2: number, o3: number, pots: number): void;
  pp_cumsum(src: number, n: number, out: number, acc: number): number;
}



/** Rows in a WebAssembly instance, or null when SIMD is unavailable or the rows do not fit in 4 GiB. */
export function wasmRows(X: Float64Array, nRows: number, d: number): Rows | null {
  // Pairs of rows interleaved (see kernels.wat); an odd last row is paired with zeros.
  return build(nRows, d, (mem) => {
    for (let i = 0; i < nRows; i++) {
      const at = (i >> 1) * 2 * d + (i & 1);
      const xo = i * d;
      for (let j = 0; j < d; j++) mem[at + 2 * j] = X[xo + j]!;
    }
  });
}

/** {@link wasmRows} from columns: slice s holds rows [s.row, s.row + s.n), one Float64Array per feature. */
export function wasmRowsFromColumns(slices: ReadonlyArray<{ row: number; n: number; columns: Float64Array[] }>, nRows: number, d: number): Rows | null {
  return build(nRows, d, (mem) => {
    for (const s of slices) fillSlice(mem, s.columns, s.row, s.n, d);
  });
}

/** Rows per call of {@link fillPairs} (even, so every block starts a pair). */
const FILL_BLOCK = 256;

/**
 * Rows [row, row + n) from their columns into the pair layout, a row pair at a time (the writes
 * run forward through the layout; column by column, each column's writes stride through all of
 * it and miss the cache: 1.3-1.9 ms at 8,000 × 16, CPU profile). In blocks of {@link FILL_BLOCK}
 * rows, each a call of a small function, which is optimised within a thread's first fit (a loop
 * called once per partition ran unoptimised code for several fits).
 */
function fillSlice(mem: Float64Array, cols: Float64Array[], row: number, n: number, d: number): void {
  const d2 = 2 * d;
  let r = 0;
  // A slice starting on an odd row fills that row's lane 1 first.
  if ((row & 1) === 1 && n > 0) {
    const at = (row >> 1) * d2 + 1;
    for (let j = 0; j < d; j++) mem[at + 2 * j] = cols[j]![0]!;
    r = 1;
  }
  for (; r < n; r += FILL_BLOCK) fillPairs(mem, cols, r, Math.min(n, r + FILL_BLOCK), ((row + r) >> 1) * d2, d);
}

/** Slice rows [r, end) (r at lane 0 of the pair at `at`); a last lone row goes to lane 0. */
function fillPairs(mem: Float64Array, cols: Float64Array[], r: number, end: number, at: number, d: number): void {
  for (; r + 1 < end; r += 2, at += 2 * d) {
    for (let j = 0; j < d; j++) {
      const c = cols[j]!;
      mem[at + 2 * j] = c[r]!;
      mem[at + 2 * j + 1] = c[r + 1]!;
    }
  }
  if (r < end) for (let j = 0; j < d; j++) mem[at + 2 * j] = cols[j]![r]!;
}

/**
 * Instances of released Rows ({@link Rows.release}), for the next Rows of this thread: their memory
 * is already mapped in, where a fresh instance's page-faults every page its rows fill. A few, of
 * at most 64 MiB together, so an idle thread does not hold much.
 */
const spare: Exports[] = [];
const SPARE_COUNT = 4;
const SPARE_BYTES = 64 * 1024 * 1024;
const spareBytes = (): number => spare.reduce((n, e) => n + e.memory.buffer.byteLength, 0);

function build(nRows: number, d: number, fill: (mem: Float64Array) => void): Rows | null {
  const mod = module();
  const nPad = nRows + (nRows & 1);
  if (!mod || d === 0 || nPad * d * 8 + (1 << 20) > MAX_BYTES) return null;
  try {
    const exports = spare.pop() ?? new WA.Instance(mod, {}).exports as unknown as Exports;
    return new WasmRows(exports, nRows, d, nPad, fill);
  } catch (e) {
    if (e instanceof RangeError) return null; // the memory could not grow: the JS kernels need no copy
    throw e;
  }
}

class WasmRows implements Rows {
  readonly kind = 'wasm' as const;
  /** First free byte after the rows (16-aligned). */
  private readonly base: number;
  private distOff = 0;
  private labOff = 0;
  private zOff = 0;
  private gOff = 0;
  private zR = 0;
  private rowView: Float64Array | null = null;
  private released = false;

  constructor(private readonly ex: Exports, readonly nRows: number, readonly d: number, private readonly nPad: number, fill: (mem: Float64Array) => void) {
    this.base = nPad * d * 8;
    this.ensure(this.base);
    const mem = new Float64Array(ex.memory.buffer, 0, nPad * d);
    fill(mem);
    // The zero row of an odd n (a reused instance's memory holds an earlier fit's values there).
    if (nPad !== nRows) for (let j = 0, at = (nPad - 2) * d + 1; j < d; j++, at += 2) mem[at] = 0;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (spare.length < SPARE_COUNT && spareBytes() + this.ex.memory.buffer.byteLength <= SPARE_BYTES) spare.push(this.ex);
  }

  copyRow(i: number, out: Float64Array, at: number): void {
    // One view for every row (a k-means++ sample copies tens of thousands): a new view per row
    // cost more than the copy. A grown memory has a new buffer, so the view follows it.
    const buf = this.ex.memory.buffer;
    if (this.rowView?.buffer !== buf) this.rowView = new Float64Array(buf, 0, this.nPad * this.d);
    const mem = this.rowView;
    const base = (i >> 1) * 2 * this.d + (i & 1);
    for (let j = 0; j < this.d; j++) out[at + j] = mem[base + 2 * j]!;
  }

  get dist(): Float64Array { return new Float64Array(this.ex.memory.buffer, this.distOff, this.nRows); }
  get labels(): Int32Array { return new Int32Array(this.ex.memory.buffer, this.labOff, this.nRows); }

  assign(centroids: Float64Array, cOff: number, k: number, sums: Float64Array | null, counts: Float64Array | null): number {
    const { nRows, d } = this;
    const cb = d * 8;
    const kp = (k + 3) & ~3;
    const cAt = this.base;
    const sAt = cAt + kp * cb;
    const nAt = sAt + kp * cb;
    this.distOff = nAt + kp * 8;
    this.labOff = this.distOff + this.nPad * 8;
    this.ensure(this.labOff + this.nPad * 4);
    const mem = new Float64Array(this.ex.memory.buffer);
    // In groups of 4 interleaved by feature (kernels.wat km_assign). Padding centroids repeat the
    // last one: equal distances, and the first of equal ones wins.
    for (let c = 0, base = cAt / 8; c < kp; c++) {
      const src = cOff + Math.min(c, k - 1) * d;
      for (let j = 0, at = base + (c >> 2) * 4 * d + (c & 3); j < d; j++, at += 4) mem[at] = centroids[src + j]!;
    }
    const acc = sums !== null && counts !== null;
    if (acc) mem.fill(0, sAt / 8, (nAt + kp * 8) / 8);
    const inertia = this.ex.km_assign(0, nRows, d, cAt, kp, this.distOff, this.labOff, acc ? sAt : 0, acc ? nAt : 0);
    if (acc) {
      for (let c = 0; c < k; c++) counts[c]! += mem[nAt / 8 + c]!;
      const at = sAt / 8;
      for (let i = 0; i < k * d; i++) sums[i]! += mem[at + i]!;
    }
    return inertia;
  }

  xw(w: Float64Array, r: number, bias: Float64Array | null): Float64Array {
    const { nRows, d, nPad } = this;
    const wAt = this.base;
    const bAt = wAt + r * d * 8;
    this.gOff = bAt + r * 8 + ((r & 1) * 8);
    this.zOff = this.gOff + r * d * 8 + ((r * d) & 1) * 8;
    this.zR = r;
    this.ensure(this.zOff + nPad * r * 8);
    const mem = new Float64Array(this.ex.memory.buffer);
    mem.set(w.subarray(0, r * d), wAt / 8);
    if (bias) mem.set(bias.subarray(0, r), bAt / 8);
    else mem.fill(0, bAt / 8, bAt / 8 + r);
    this.ex.lr_xw(0, nRows, d, wAt, bAt, r, this.zOff);
    // The zero row's residuals must be 0 for lr_xtr.
    if (nPad !== nRows) mem.fill(0, this.zOff / 8 + nRows * r, this.zOff / 8 + nPad * r);
    return new Float64Array(this.ex.memory.buffer, this.zOff, nRows * r);
  }

  xtr(r: number, grad: Float64Array): void {
    if (this.zR !== r) throw new Error('xtr without a matching xw');
    const { nRows, d } = this;
    const mem = new Float64Array(this.ex.memory.buffer);
    mem.fill(0, this.gOff / 8, this.gOff / 8 + r * d);
    this.ex.lr_xtr(0, nRows, d, this.zOff, r, this.gOff);
    const at = this.gOff / 8;
    for (let i = 0; i < r * d; i++) grad[i]! += mem[at + i]!;
  }

  distMin(c: Float64Array, cOff: number, closest: Float64Array, out: Float64Array): number {
    const { nRows, d } = this;
    const cAt = this.base, clAt = cAt + d * 8 + (d & 1) * 8, outAt = clAt + this.nPad * 8;
    this.ensure(outAt + this.nPad * 8);
    const mem = new Float64Array(this.ex.memory.buffer);
    mem.set(c.subarray(cOff, cOff + d), cAt / 8);
    mem.set(closest.subarray(0, nRows), clAt / 8);
    const pot = this.ex.pp_dist(0, nRows, d, cAt, clAt, outAt, 0);
    out.set(mem.subarray(outAt / 8, outAt / 8 + nRows));
    return pot;
  }

  seeding(): Seeding {
    const { nRows, d, nPad } = this;
    // After the rows: 4 candidates (interleaved as pp_trials reads them), their 4 sums, the
    // cumulative D², then regions of nPad D² values: one holds the current D², the others the
    // candidates' mins.
    const region = nPad * 8, candAt = this.base, potsAt = candAt + 32 * d, cumAt = potsAt + 32, regionsAt = cumAt + region;
    let cur = 0;
    let slots: number[] = [];
    const at = (r: number): number => regionsAt + r * region;
    const mem = (): Float64Array => new Float64Array(this.ex.memory.buffer);
    return {
      first: (c, cOff, acc = 0) => {
        this.ensure(at(1));
        const m = mem();
        m.fill(Infinity, at(cur) / 8, at(cur + 1) / 8);
        m.set(c.subarray(cOff, cOff + d), candAt / 8);
        return this.ex.pp_dist(0, nRows, d, candAt, at(cur), at(cur), acc);
      },
      closest: () => new Float64Array(this.ex.memory.buffer, at(cur), nRows),
      cumulate: (out, outAt, acc) => {
        this.ensure(at(1));
        const last = this.ex.pp_cumsum(at(cur), nRows, cumAt, acc);
        out.set(new Float64Array(this.ex.memory.buffer, cumAt, nRows), outAt);
        return last;
      },
      trials: (c, offs, acc) => {
        const m4 = (offs.length + 3) & ~3;
        slots = Array.from({ length: m4 }, (_, t) => (t < cur ? t : t + 1));
        this.ensure(at(m4 + 1));
        const pots = new Float64Array(offs.length);
        for (let g = 0; g < offs.length; g += 4) {
          const m = mem();
          for (let t = 0; t < 4; t++) {
            const off = offs[Math.min(g + t, offs.length - 1)]!;
            for (let j = 0; j < d; j++) m[candAt / 8 + 4 * j + t] = c[off + j]!;
            m[potsAt / 8 + t] = acc && g + t < offs.length ? acc[g + t]! : 0;
          }
          const o = slots.slice(g, g + 4).map(at);
          this.ex.pp_trials(0, nRows, d, candAt, at(cur), o[0]!, o[1]!, o[2]!, o[3]!, potsAt);
          for (let t = g; t < Math.min(g + 4, offs.length); t++) pots[t] = m[potsAt / 8 + t - g]!;
        }
        return pots;
      },
      keep: (t) => { cur = slots[t]!; },
    };
  }

  columnStats(): Float64Array {
    const { nRows, d } = this;
    const out = new Float64Array(1 + 2 * d);
    out[0] = nRows;
    if (nRows === 0) return out;
    const meanAt = this.base, accAt = meanAt + d * 8;
    this.ensure(accAt + d * 8);
    const mem = new Float64Array(this.ex.memory.buffer);
    mem.fill(0, meanAt / 8, accAt / 8 + d);
    this.ex.col_acc(0, nRows, d, meanAt, accAt, 0);
    for (let j = 0; j < d; j++) out[1 + j] = mem[accAt / 8 + j]! / nRows;
    mem.set(out.subarray(1, 1 + d), meanAt / 8);
    mem.fill(0, accAt / 8, accAt / 8 + d);
    this.ex.col_acc(0, nRows, d, meanAt, accAt, 1);
    out.set(mem.subarray(accAt / 8, accAt / 8 + d), 1 + d);
    return out;
  }

  /** Grows the memory to at least `bytes` (a RangeError if it cannot). */
  private ensure(bytes: number): void {
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
  }
}
