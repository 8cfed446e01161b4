/**
 * One row's binary logistic loss and residual, with e^t and log1p written out (fdlibm's reductions
 * and polynomials, < 1 ulp) instead of Math.exp / Math.log1p: WebAssembly has neither, and the
 * SIMD pass (logistic.wat) must give the same bits as the JS fallback and ml/logreg/loss.ts. Every
 * expression here is the WAT's, operation for operation (IEEE double, no fused multiply-add).
 */

const INVLN2 = 1.44269504088896338700e+00;
const LN2HI = 6.93147180369123816490e-01;
const LN2LO = 1.90821492927058770002e-10;
/** Added and taken off to round to an integer, half to even (|v| < 2^51). */
const ROUND = 6755399441055744;
const P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;
const LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01, LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01, LG7 = 1.479819860511658591e-01;
const SQRT2 = 1.4142135623730951;
/** Margins below −708 are clamped there: e^−708 ≈ 3e−308 is still a normal number. */
const T_MIN = -708;

/** 2^−m for m in [0, 1022], exact (halving is exact down to the normal range's end). */
const POW2_NEG = (() => {
  const t = new Float64Array(1023);
  let p = 1;
  for (let m = 0; m < t.length; m++) { t[m] = p; p /= 2; }
  return t;
})();

/** e^t for t in [−708, 0] (fdlibm's e_exp: t = k·ln2 + r, e^r by its rational form). */
export function expNeg(t: number): number {
  const k = (t * INVLN2 + ROUND) - ROUND;
  const hi = t - k * LN2HI;
  const lo = k * LN2LO;
  const r = hi - lo;
  const r2 = r * r;
  const c = r - r2 * (P1 + r2 * (P2 + r2 * (P3 + r2 * (P4 + r2 * P5))));
  return (1 - ((lo - (r * c) / (2 - c)) - hi)) * POW2_NEG[-k]!;
}

/** log1p(e) for e in (0, 1], given u = 1 + e (fdlibm's s_log1p: k = 0 or 1). */
export function log1pUnit(e: number, u: number): number {
  const big = u >= SQRT2;
  const f = big ? u * 0.5 - 1 : e;
  const c = big ? (e - (u - 1)) / u : 0;
  const k = big ? 1 : 0;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k * LN2HI - ((hfsq - (s * (hfsq + R) + (k * LN2LO + c))) - f);
}

/** The residual σ(z) − y of the last {@link logisticTerm}. */
export let lastResidual = 0;

/**
 * Row loss max(z, 0) + log1p(e^−|z|) − y·z at margin `z`, label `y` (0 or 1); the residual
 * σ(z) − y goes to {@link lastResidual}. One e^t per row, shared by the loss and σ.
 */
export function logisticTerm(z: number, y: number): number {
  const t0 = -Math.abs(z);
  const e = expNeg(t0 > T_MIN ? t0 : T_MIN);
  const u = 1 + e;
  lastResidual = (z >= 0 ? 1 : e) / u - y;
  return ((0 < z ? z : 0) + log1pUnit(e, u)) - y * z;
}
