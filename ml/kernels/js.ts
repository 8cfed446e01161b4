/**
 * The kernels in plain JS, for engines without WebAssembly SIMD: the scalar loops of
 * ml/kmeans/lloyd.ts and ml/logreg/loss.ts. kernels.wat sums in the same order (each row's features
 * in feature order, rows in row order), so both are bit-identical (test/ml/kernels/rows.test.ts).
 */
import type { Rows, Seeding } from './rows.ts';

/** {@link Rows} over the caller's Float64Array, no copy. */
export class JsRows implements Rows {
  readonly kind = 'js' as const;
  private distBuf: Float64Array | null = null;
  private labelBuf: Int32Array | null = null;
  private zBuf = new Float64Array(0);
  private zR = 0;

  constructor(private readonly X: Float64Array, readonly nRows: number, readonly d: number) {}

  release(): void {}

  copyRow(i: number, out: Float64Array, at: number): void {
    out.set(this.X.subarray(i * this.d, i * this.d + this.d), at);
  }

  get dist(): Float64Array { return this.distBuf ??= new Float64Array(this.nRows); }
  get labels(): Int32Array { return this.labelBuf ??= new Int32Array(this.nRows); }

  assign(centroids: Float64Array, cOff: number, k: number, sums: Float64Array | null, counts: Float64Array | null): number {
    const { X, nRows, d } = this;
    const dist = this.dist, labels = this.labels;
    let inertia = 0;
    for (let i = 0; i < nRows; i++) {
      const xo = i * d;
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const co = cOff + c * d;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = X[xo + j]! - centroids[co + j]!;
          s += t * t;
          // Partial sums only grow: this centroid cannot win (the full sum would not either).
          if (s >= bestD) break;
        }
        if (s < bestD) { bestD = s; best = c; }
      }
      dist[i] = bestD;
      labels[i] = best;
      inertia += bestD;
      if (sums && counts) {
        counts[best]! += 1;
        const so = best * d;
        for (let j = 0; j < d; j++) sums[so + j]! += X[xo + j]!;
      }
    }
    return inertia;
  }

  xw(w: Float64Array, r: number, bias: Float64Array | null): Float64Array {
    const { X, nRows, d } = this;
    if (this.zBuf.length < nRows * r) this.zBuf = new Float64Array(nRows * r);
    this.zR = r;
    const z = this.zBuf;
    for (let i = 0; i < nRows; i++) {
      const xo = i * d;
      for (let c = 0; c < r; c++) {
        const wo = c * d;
        let s = bias ? bias[c]! : 0;
        for (let j = 0; j < d; j++) s += X[xo + j]! * w[wo + j]!;
        z[i * r + c] = s;
      }
    }
    return z.subarray(0, nRows * r);
  }

  xtr(r: number, grad: Float64Array): void {
    if (this.zR !== r) throw new Error('xtr without a matching xw');
    const { X, nRows, d } = this;
    const z = this.zBuf;
    for (let i = 0; i < nRows; i++) {
      const xo = i * d;
      for (let c = 0; c < r; c++) {
        const res = z[i * r + c]!;
        const go = c * d;
        for (let j = 0; j < d; j++) grad[go + j]! += res * X[xo + j]!;
      }
    }
  }

  distMin(c: Float64Array, cOff: number, closest: Float64Array, out: Float64Array, acc = 0): number {
    const { X, nRows, d } = this;
    let pot = acc;
    for (let i = 0; i < nRows; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const t = X[i * d + j]! - c[cOff + j]!; s += t * t; }
      const v = Math.min(closest[i]!, s);
      out[i] = v;
      pot += v;
    }
    return pot;
  }

  seeding(): Seeding {
    const n = this.nRows;
    let closest: Float64Array = new Float64Array(n);
    const outs: Float64Array[] = [];
    return {
      first: (c, cOff, acc = 0) => this.distMin(c, cOff, closest.fill(Infinity), closest, acc),
      closest: () => closest,
      cumulate: (out, at, acc) => cumulate(closest, n, out, at, acc),
      trials: (c, offs, acc) => {
        while (outs.length < offs.length) outs.push(new Float64Array(n));
        return Float64Array.from(offs, (off, t) => this.distMin(c, off, closest, outs[t]!, acc ? acc[t]! : 0));
      },
      keep: (t) => { [closest, outs[t]] = [outs[t]!, closest]; },
    };
  }

  columnStats(): Float64Array {
    const { X, nRows, d } = this;
    const out = new Float64Array(1 + 2 * d);
    out[0] = nRows;
    if (nRows === 0) return out;
    for (let i = 0; i < nRows; i++) for (let j = 0; j < d; j++) out[1 + j]! += X[i * d + j]!;
    for (let j = 0; j < d; j++) out[1 + j]! /= nRows;
    for (let i = 0; i < nRows; i++) {
      for (let j = 0; j < d; j++) { const t = X[i * d + j]! - out[1 + j]!; out[1 + d + j]! += t * t; }
    }
    return out;
  }
}

/** out[at + i] = acc + src[0] + ... + src[i] (row order); the last. Its own function, so it is optimised early. */
function cumulate(src: Float64Array, n: number, out: Float64Array, at: number, acc: number): number {
  for (let i = 0; i < n; i++) { acc += src[i]!; out[at + i] = acc; }
  return acc;
}
