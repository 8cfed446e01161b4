/**
 * L-BFGS with a strong-Wolfe line search, written as a generator so the function can be evaluated
 * anywhere: the optimiser yields a point and is resumed with `{f, g}` there. The node-side
 * `ml.LogRegState` drives it with the loss and gradient summed over every partition, one evaluation
 * per round of cloud-thread reports. Defaults and stopping rules follow scipy's L-BFGS-B as
 * scikit-learn calls it: m = 10, stop when max|g| ≤ gtol, or when the relative decrease of f is
 * ≤ ftol (64·ε), or after maxIter iterations; line search with c1 = 1e-4, c2 = 0.9, at most 50 steps.
 */

/** The objective at a point. */
export interface Evaluation {
  f: number;
  g: Float64Array;
}

/** Options of {@link lbfgs}. */
export interface LbfgsOptions {
  /** Iterations (line searches) at most. */
  maxIter: number;
  /** Stop when max|g_i| ≤ gtol. */
  gtol: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol; default 64·ε. */
  ftol?: number;
  /** Correction pairs kept; default 10. */
  m?: number;
  /** Evaluations per line search at most; default 50. */
  maxLs?: number;
  /** Called after every iteration with its number and f. */
  onIteration?: (iteration: number, f: number) => void;
}

/** How the optimisation ended. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  g: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why it stopped (scipy's wording where there is one). */
  message: string;
}

const C1 = 1e-4;
const C2 = 0.9;

/** Minimises from `x0`; yields points to evaluate, is resumed with their {@link Evaluation}. */
export function* lbfgs(x0: Float64Array, opts: LbfgsOptions): Generator<Float64Array, LbfgsResult, Evaluation> {
  const n = x0.length;
  const m = opts.m ?? 10;
  const ftol = opts.ftol ?? 64 * Number.EPSILON;
  const maxLs = opts.maxLs ?? 50;
  let evaluations = 0;
  const evaluate = function* (x: Float64Array): Generator<Float64Array, Evaluation, Evaluation> {
    evaluations++;
    const e = yield x;
    return { f: e.f, g: Float64Array.from(e.g) };
  };

  let x: Float64Array = Float64Array.from(x0);
  let { f, g } = yield* evaluate(x);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const done = (iterations: number, converged: boolean, message: string): LbfgsResult =>
    ({ x, f, g, iterations, evaluations, converged, message });
  if (maxAbs(g) <= opts.gtol) return done(0, true, 'CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL');

  for (let iter = 1; iter <= opts.maxIter; iter++) {
    let d = direction(g, S, Y, rho);
    let gd = dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (curvature pairs gone stale): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      d = g.map((v) => -v);
      gd = dot(g, d);
    }
    // First step of a fresh memory: length 1 in x (scipy's 1/‖d‖); afterwards the unit quasi-Newton step.
    const a0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const ls = yield* lineSearch(x, f, gd, d, a0, maxLs, evaluate);
    if (!ls) return done(iter - 1, false, 'ABNORMAL_TERMINATION_IN_LNSRCH');
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { s[i] = ls.x[i]! - x[i]!; y[i] = ls.g[i]! - g[i]!; }
    const fOld = f;
    x = ls.x; f = ls.f; g = ls.g;
    opts.onIteration?.(iter, f);
    const sy = dot(s, y);
    if (sy > Number.EPSILON * dot(y, y)) {
      if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(y); rho.push(1 / sy);
    }
    if (maxAbs(g) <= opts.gtol) return done(iter, true, 'CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL');
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) return done(iter, true, 'CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH');
  }
  return done(opts.maxIter, false, 'STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT');
}

/** The two-loop recursion: −H·g with H0 = (s·y / y·y) I from the newest pair. */
function direction(g: Float64Array, S: Float64Array[], Y: Float64Array[], rho: number[]): Float64Array {
  const q = Float64Array.from(g);
  const k = S.length;
  const alpha = new Array<number>(k);
  for (let i = k - 1; i >= 0; i--) {
    alpha[i] = rho[i]! * dot(S[i]!, q);
    axpy(-alpha[i]!, Y[i]!, q);
  }
  if (k > 0) {
    const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
    for (let i = 0; i < q.length; i++) q[i]! *= gamma;
  }
  for (let i = 0; i < k; i++) {
    const beta = rho[i]! * dot(Y[i]!, q);
    axpy(alpha[i]! - beta, S[i]!, q);
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i]!;
  return q;
}

interface Point { a: number; f: number; d: number; x: Float64Array; g: Float64Array }

/**
 * Strong-Wolfe line search along `dir` (Nocedal & Wright, algorithms 3.5 and 3.6, cubic
 * interpolation with safeguards). Returns the accepted point, or the best decreasing point seen
 * when the budget runs out, or null when no step decreased f.
 */
function* lineSearch(
  x: Float64Array, f0: number, d0: number, dir: Float64Array, a0: number, maxLs: number,
  evaluate: (x: Float64Array) => Generator<Float64Array, Evaluation, Evaluation>,
): Generator<Float64Array, Point | null, Evaluation> {
  let evals = 0;
  let best: Point | null = null;
  const at = function* (a: number): Generator<Float64Array, Point, Evaluation> {
    evals++;
    const xa = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xa[i] = x[i]! + a * dir[i]!;
    const e = yield* evaluate(xa);
    const p = { a, f: e.f, d: dot(e.g, dir), x: xa, g: e.g };
    if (Number.isFinite(p.f) && p.f < f0 && (!best || p.f < best.f)) best = p;
    return p;
  };
  const armijo = (p: Point) => p.f <= f0 + C1 * p.a * d0;
  const curvature = (p: Point) => Math.abs(p.d) <= -C2 * d0;

  let prev: Point = { a: 0, f: f0, d: d0, x, g: new Float64Array(0) };
  let a = a0;
  let lo: Point, hi: Point;
  for (;;) {
    const p = yield* at(a);
    if (!Number.isFinite(p.f) || !armijo(p) || (evals > 1 && p.f >= prev.f)) { lo = prev; hi = p; break; }
    if (curvature(p)) return p;
    if (p.d >= 0) { lo = p; hi = prev; break; }
    if (evals >= maxLs) return best;
    prev = p;
    a *= 2;
  }
  // Zoom: lo satisfies Armijo with the lowest f so far; the minimiser lies between lo and hi.
  while (evals < maxLs) {
    const a1 = Number.isFinite(hi.f) ? cubicMin(lo, hi) : (lo.a + hi.a) / 2;
    const p = yield* at(a1);
    if (!Number.isFinite(p.f) || !armijo(p) || p.f >= lo.f) {
      hi = p;
    } else {
      if (curvature(p)) return p;
      if (p.d * (hi.a - lo.a) >= 0) hi = lo;
      lo = p;
    }
    if (Math.abs(hi.a - lo.a) <= 1e-12 * Math.max(1, lo.a)) break;
  }
  return best;
}

/** Minimiser of the cubic through two points with slopes, kept inside the middle 80 % of the interval. */
function cubicMin(p: Point, q: Point): number {
  const lo = Math.min(p.a, q.a), hi = Math.max(p.a, q.a);
  const w = hi - lo;
  const d1 = p.d + q.d - (3 * (p.f - q.f)) / (p.a - q.a);
  const disc = d1 * d1 - p.d * q.d;
  let a = NaN;
  if (disc >= 0) {
    const d2 = Math.sign(q.a - p.a) * Math.sqrt(disc);
    a = q.a - (q.a - p.a) * ((q.d + d2 - d1) / (q.d - p.d + 2 * d2));
  }
  if (!Number.isFinite(a)) a = (lo + hi) / 2;
  return Math.min(Math.max(a, lo + 0.1 * w), hi - 0.1 * w);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
