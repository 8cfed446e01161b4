/**
 * The logistic loss and its gradient over a partition's rows (scikit-learn's HalfBinomialLoss and
 * HalfMultinomialLoss), summed, not averaged: the node adds the partitions, divides by the total
 * rows and adds the L2 term. Parameters are laid out as `coef` (r·d, row-major) then, with an
 * intercept, `intercept` (r); r = 1 for the binary loss, the number of classes for the multinomial.
 */
import type { Rows } from '../kernels/rows.ts';
import { logisticPassScalar } from '../kernels/logistic.ts';
import { lastResidual, logisticTerm } from '../kernels/logistic-math.ts';

/** The layout of the parameter vector. */
export interface ParamLayout {
  /** Features. */
  d: number;
  /** Rows of coef: 1 (binary) or the number of classes (multinomial). */
  r: number;
  fitIntercept: boolean;
}

/** Length of the parameter vector. */
export function paramCount(l: ParamLayout): number {
  return l.r * l.d + (l.fitIntercept ? l.r : 0);
}

/**
 * Σ loss over `nRows` rows of `X` with class indexes `yIdx` (0/1 for the binary loss), at `w`;
 * adds Σ ∂loss/∂w into `grad` (length {@link paramCount}) and returns Σ loss.
 */
export function lossAndGradient(X: Float64Array, yIdx: Int32Array, nRows: number, l: ParamLayout, w: Float64Array, grad: Float64Array): number {
  const { d, r, fitIntercept } = l;
  const bOff = r * d;
  let loss = 0;
  // The binary loss as the SIMD pass computes it (ml/kernels/logistic-math.ts: e^t and log1p written out).
  if (r === 1) return logisticPassScalar(X, yIdx, nRows, d, w, fitIntercept ? w[bOff]! : 0, grad, fitIntercept);
  const z = new Float64Array(r);
  const ez = new Float64Array(r);
  for (let i = 0; i < nRows; i++) {
    const xo = i * d;
    let max = -Infinity;
    for (let c = 0; c < r; c++) {
      let s = fitIntercept ? w[bOff + c]! : 0;
      const wo = c * d;
      for (let j = 0; j < d; j++) s += X[xo + j]! * w[wo + j]!;
      z[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < r; c++) { const e = Math.exp(z[c]! - max); ez[c] = e; sum += e; }
    const y = yIdx[i]!;
    loss += max + Math.log(sum) - z[y]!;
    for (let c = 0; c < r; c++) {
      const res = ez[c]! / sum - (c === y ? 1 : 0);
      const wo = c * d;
      for (let j = 0; j < d; j++) grad[wo + j]! += res * X[xo + j]!;
      if (fitIntercept) grad[bOff + c]! += res;
    }
  }
  return loss;
}

/**
 * {@link lossAndGradient} over {@link Rows} (the SIMD kernels): X·Wᵀ + b in the kernel, then the
 * loss and the residuals row by row here, then Xᵀ·residual in the kernel (the binary fit uses the
 * one-pass ml/kernels/logistic.ts instead, which gives the same bits). Bit-identical to
 * {@link lossAndGradient} (the same sums in the same order) when `grad` starts at 0.
 */
export function lossAndGradientRows(rows: Rows, yIdx: Int32Array, l: ParamLayout, w: Float64Array, grad: Float64Array): number {
  const { d, r, fitIntercept } = l;
  const nRows = rows.nRows;
  const bOff = r * d;
  const z = rows.xw(w, r, fitIntercept ? w.subarray(bOff, bOff + r) : null);
  let loss = 0;
  if (r === 1) {
    for (let i = 0; i < nRows; i++) {
      loss += logisticTerm(z[i]!, yIdx[i]!);
      const res = lastResidual;
      z[i] = res;
      if (fitIntercept) grad[bOff]! += res;
    }
  } else {
    for (let i = 0; i < nRows; i++) {
      const zo = i * r;
      let max = -Infinity;
      for (let c = 0; c < r; c++) if (z[zo + c]! > max) max = z[zo + c]!;
      const y = yIdx[i]!;
      const zy = z[zo + y]!;
      let sum = 0;
      for (let c = 0; c < r; c++) { const e = Math.exp(z[zo + c]! - max); z[zo + c] = e; sum += e; }
      loss += max + Math.log(sum) - zy;
      for (let c = 0; c < r; c++) {
        const res = z[zo + c]! / sum - (c === y ? 1 : 0);
        z[zo + c] = res;
        if (fitIntercept) grad[bOff + c]! += res;
      }
    }
  }
  rows.xtr(r, grad);
  return loss;
}

/**
 * Class probabilities (nRows × nClasses, row-major) of rows `X` under `coef` (r × d) and
 * `intercept` (r): the sigmoid for r = 1 (two columns, positive class second), the softmax otherwise.
 */
export function probabilities(X: Float64Array, nRows: number, d: number, coef: Float64Array, intercept: Float64Array, r: number): Float64Array {
  const k = r === 1 ? 2 : r;
  const out = new Float64Array(nRows * k);
  for (let i = 0; i < nRows; i++) {
    const xo = i * d;
    if (r === 1) {
      let z = intercept[0]!;
      for (let j = 0; j < d; j++) z += X[xo + j]! * coef[j]!;
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < r; c++) {
      let s = intercept[c]!;
      for (let j = 0; j < d; j++) s += X[xo + j]! * coef[c * d + j]!;
      out[i * k + c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < r; c++) { const e = Math.exp(out[i * k + c]! - max); out[i * k + c] = e; sum += e; }
    for (let c = 0; c < r; c++) out[i * k + c]! /= sum;
  }
  return out;
}
