import { strict as assert } from 'node:assert';
import { lbfgs, type Evaluation, type LbfgsOptions } from '../../../ml/logreg/lbfgs.ts';
import { lossAndGradient, paramCount } from '../../../ml/logreg/loss.ts';
import { createRng } from '../../../ml/kmeans/random.ts';

function minimise(fg: (x: Float64Array) => Evaluation, x0: Float64Array, opts: LbfgsOptions) {
  const gen = lbfgs(x0, opts);
  let step = gen.next();
  while (!step.done) step = gen.next(fg(step.value));
  return step.value;
}

function rosenbrock(x: Float64Array): Evaluation {
  let f = 0;
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i]! += -400 * a * x[i]! - 2 * b;
    g[i + 1]! += 200 * a;
  }
  return { f, g };
}

describe('ml/logreg - L-BFGS (generator form) and the logistic loss', () => {
  it('lbfgs - minimises the 10-dimensional Rosenbrock function from (-1.2, ...) to (1, ..., 1)', () => {
    const r = minimise(rosenbrock, new Float64Array(10).fill(-1.2), { maxIter: 500, gtol: 1e-8 });
    assert.equal(r.converged, true, r.message);
    for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-4, `x = ${Array.from(r.x)}`);
    assert.ok(r.iterations < 200, `${r.iterations} iterations`);
  });

  it('lbfgs - an ill-conditioned quadratic (condition 1e4) reaches its minimiser; f never rises between iterations', () => {
    const n = 20;
    const h = Float64Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1)));
    const xs = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const fs: number[] = [];
    const r = minimise((x) => {
      let f = 0;
      const g = new Float64Array(n);
      for (let i = 0; i < n; i++) { const t = x[i]! - xs[i]!; f += 0.5 * h[i]! * t * t; g[i] = h[i]! * t; }
      return { f, g };
    }, new Float64Array(n), { maxIter: 1000, gtol: 1e-9, onIteration: (_i, f) => fs.push(f) });
    assert.equal(r.converged, true, r.message);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(r.x[i]! - xs[i]!) < 1e-6, `x[${i}] = ${r.x[i]} vs ${xs[i]}`);
    for (let i = 1; i < fs.length; i++) assert.ok(fs[i]! <= fs[i - 1]!, `f rose at iteration ${i + 1}`);
  });

  it('lbfgs - stops at maxIter, not converged, saying so as scipy does', () => {
    const r = minimise(rosenbrock, new Float64Array(10).fill(-1.2), { maxIter: 5, gtol: 1e-12 });
    assert.equal(r.iterations, 5);
    assert.equal(r.converged, false);
    assert.match(r.message, /ITERATIONS REACHED LIMIT/);
  });

  it('lbfgs - a start at the minimum converges at once with zero iterations', () => {
    const r = minimise(rosenbrock, new Float64Array(4).fill(1), { maxIter: 10, gtol: 1e-6 });
    assert.equal(r.iterations, 0);
    assert.equal(r.converged, true);
    assert.equal(r.evaluations, 1);
  });

  for (const r of [1, 3]) {
    it(`loss - the ${r === 1 ? 'binary' : 'multinomial'} gradient matches central finite differences`, () => {
      const rng = createRng(42, r);
      const n = 40, d = 5;
      const X = Float64Array.from({ length: n * d }, () => rng.next() * 4 - 2);
      const y = Int32Array.from({ length: n }, () => rng.int(r === 1 ? 2 : r));
      const layout = { d, r, fitIntercept: true };
      const w = Float64Array.from({ length: paramCount(layout) }, () => rng.next() - 0.5);
      const g = new Float64Array(w.length);
      lossAndGradient(X, y, n, layout, w, g);
      for (let i = 0; i < w.length; i++) {
        const h = 1e-6;
        const wp = w.slice(); wp[i]! += h;
        const wm = w.slice(); wm[i]! -= h;
        const fd = (lossAndGradient(X, y, n, layout, wp, new Float64Array(w.length)) - lossAndGradient(X, y, n, layout, wm, new Float64Array(w.length))) / (2 * h);
        assert.ok(Math.abs(fd - g[i]!) <= 1e-5 * Math.max(1, Math.abs(fd)), `param ${i}: analytic ${g[i]} vs numeric ${fd}`);
      }
    });
  }

  it('loss - is finite for huge margins (no overflow in exp)', () => {
    const layout = { d: 1, r: 1, fitIntercept: false };
    const g = new Float64Array(1);
    const l = lossAndGradient(Float64Array.from([1e6, -1e6]), Int32Array.from([0, 1]), 2, layout, Float64Array.from([1]), g);
    assert.equal(l, 2e6);
    assert.deepEqual(Array.from(g), [2e6]);
  });
});
