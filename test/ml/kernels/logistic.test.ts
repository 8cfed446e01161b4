import { strict as assert } from 'node:assert';
import { createLogisticRows, createLogisticRowsFromMatrix, logisticPassScalar } from '../../../ml/kernels/logistic.ts';
import { expNeg, log1pUnit } from '../../../ml/kernels/logistic-math.ts';
import { lossAndGradient } from '../../../ml/logreg/loss.ts';
import { createRng } from '../../../ml/kmeans/random.ts';

// Seeds: CRUCIAL_TEST_SEED replays a failure (printed in the assertion messages).
const SEED = Number(process.env['CRUCIAL_TEST_SEED'] ?? Date.now() % 100000);

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => Object.is(v, -0) ? '-0' : String(v));
/** Distance in units in the last place between two doubles of the same sign. */
const ulps = (a: number, b: number): number => {
  const v = new BigInt64Array(new Float64Array([a, b]).buffer);
  const d = v[0]! - v[1]!;
  return Number(d < 0n ? -d : d);
};

function problem(seed: number, n: number, d: number, scale: number) {
  const rng = createRng(seed, 0);
  const X = Float64Array.from({ length: n * d }, () => (rng.next() - 0.5) * scale);
  const y = Float64Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
  const w = Float64Array.from({ length: d + 1 }, () => rng.next() - 0.5);
  return { X, y, w };
}

/** X as column slices of uneven lengths, some starting on an odd row (as record batches cut them). */
function slicesOf(X: Float64Array, n: number, d: number, cuts: number[]) {
  const out = [];
  let from = 0;
  for (const to of [...cuts.filter((c) => c > 0 && c < n), n]) {
    const columns = Array.from({ length: d }, (_, j) => Float64Array.from({ length: to - from }, (_, r) => X[(from + r) * d + j]!));
    out.push({ row: from, n: to - from, columns });
    from = to;
  }
  return n === 0 ? [] : out;
}

describe('ml/kernels - the binary logistic pass (one pass: margins, loss, gradient)', () => {
  for (const d of [1, 2, 3, 16]) {
    for (const fitIntercept of [true, false]) {
      it(`logistic - d = ${d}${fitIntercept ? '' : ', no intercept'}: wasm, JS and the scalar lossAndGradient bit-identical, blocks and odd rows included`, () => {
        for (const n of [0, 1, 2, 3, 127, 128, 129, 257, 1001, 4099]) {
          const seed = SEED + n * 31 + d;
          const { X, y, w } = problem(seed, n, d, 12);
          const bias = fitIntercept ? w[d]! : 0;
          const run = (kind: 'wasm' | 'js', fromSlices: boolean) => {
            const rows = fromSlices ? createLogisticRows(slicesOf(X, n, d, [5, 6, 70, 300]), n, d, y, kind) : createLogisticRowsFromMatrix(X, n, d, y, kind);
            assert.equal(rows.kind, kind);
            const grad = new Float64Array(d + 1);
            return { loss: rows.pass(w, bias, grad, fitIntercept), grad };
          };
          const want = (() => {
            const grad = new Float64Array(d + (fitIntercept ? 1 : 0));
            const loss = lossAndGradient(X, Int32Array.from(y), n, { d, r: 1, fitIntercept }, fitIntercept ? w : w.subarray(0, d), grad);
            return { loss, grad: fitIntercept ? grad : Float64Array.from([...grad, 0]) };
          })();
          for (const [kind, fromSlices] of [['wasm', true], ['wasm', false], ['js', true], ['js', false]] as const) {
            const got = run(kind, fromSlices);
            assert.deepEqual(bits([got.loss]), bits([want.loss]), `${kind} n ${n}, seed ${seed}`);
            assert.deepEqual(bits(got.grad), bits(want.grad), `${kind} n ${n}, seed ${seed}`);
          }
          const direct = new Float64Array(d + 1);
          assert.deepEqual(bits([logisticPassScalar(X, y, n, d, w, bias, direct, fitIntercept)]), bits([want.loss]));
        }
      });
    }
  }

  it('logistic - rows made on a released instance (larger and odd before, smaller after) give the JS pass\'s bits: no earlier fit\'s values leak in', () => {
    const d = 7;
    for (const [first, then] of [[1001, 999], [1000, 3], [4099, 1], [5, 4]] as const) {
      const a = problem(SEED + first, first, d, 9);
      const before = createLogisticRowsFromMatrix(a.X, first, d, a.y, 'wasm');
      before.pass(a.w, a.w[d]!, new Float64Array(d + 1), true);
      before.release();
      before.release(); // twice: still one spare
      const b = problem(SEED + then + 7, then, d, 9);
      const reused = createLogisticRowsFromMatrix(b.X, then, d, b.y, 'wasm');
      const gw = new Float64Array(d + 1), gj = new Float64Array(d + 1);
      const lw = reused.pass(b.w, b.w[d]!, gw, true);
      const lj = createLogisticRowsFromMatrix(b.X, then, d, b.y, 'js').pass(b.w, b.w[d]!, gj, true);
      assert.deepEqual(bits([lw, ...gw]), bits([lj, ...gj]), `${first} then ${then} rows, seed ${SEED}`);
      reused.release();
    }
  });

  it('logistic - the loss and gradient match the textbook formula with Math.exp / Math.log1p (an independent oracle)', () => {
    for (const scale of [0.1, 4, 60, 4000]) {
      const n = 777, d = 5, seed = SEED + scale;
      const { X, y, w } = problem(seed, n, d, scale);
      const grad = new Float64Array(d + 1);
      const loss = createLogisticRowsFromMatrix(X, n, d, y, 'wasm').pass(w, w[d]!, grad, true);
      let L = 0;
      const G = new Float64Array(d + 1);
      for (let i = 0; i < n; i++) {
        let z = w[d]!;
        for (let j = 0; j < d; j++) z += X[i * d + j]! * w[j]!;
        // log(1 + e^z) − y·z and σ(z) − y, computed the other way round from the kernel's.
        L += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i]! * z;
        const res = 1 / (1 + Math.exp(-z)) - y[i]!;
        for (let j = 0; j < d; j++) G[j]! += res * X[i * d + j]!;
        G[d]! += res;
      }
      assert.ok(Math.abs(loss - L) <= 1e-12 * Math.max(1, Math.abs(L)), `loss ${loss} vs ${L}, scale ${scale}, seed ${seed}`);
      const norm = Math.max(1, ...Array.from(G, Math.abs));
      for (let j = 0; j <= d; j++) assert.ok(Math.abs(grad[j]! - G[j]!) <= 1e-11 * norm, `grad[${j}] ${grad[j]} vs ${G[j]}, scale ${scale}, seed ${seed}`);
    }
  });

  it('logistic - e^t and log1p are within 1 ulp of Math.exp and Math.log1p over their whole range', () => {
    const rng = createRng(SEED, 1);
    let worstExp = 0, worstLog = 0;
    for (let i = 0; i < 200_000; i++) {
      const t = -rng.next() * [708, 40, 1, 1e-6][i % 4]!;
      const e = expNeg(t);
      worstExp = Math.max(worstExp, ulps(e, Math.exp(t)));
      worstLog = Math.max(worstLog, ulps(log1pUnit(e, 1 + e), Math.log1p(e)));
    }
    for (const t of [0, -0, -708, -Math.LN2, -0.5 * Math.LN2, -1e-300]) {
      const e = expNeg(t);
      worstExp = Math.max(worstExp, ulps(e, Math.exp(t)));
      worstLog = Math.max(worstLog, ulps(log1pUnit(e, 1 + e), Math.log1p(e)));
    }
    assert.ok(worstExp <= 1, `e^t off by ${worstExp} ulp (seed ${SEED})`);
    assert.ok(worstLog <= 1, `log1p off by ${worstLog} ulp (seed ${SEED})`);
  });

  it('logistic - huge margins give a finite loss ≈ |z| for the wrong class and residuals of ±1 (no overflow in e^t)', () => {
    const X = Float64Array.from([1e6, -1e6, 1e6, -1e6]);
    const y = Float64Array.from([0, 1, 1, 0]);
    for (const kind of ['wasm', 'js'] as const) {
      const grad = new Float64Array(2);
      const loss = createLogisticRowsFromMatrix(X, 4, 1, y, kind).pass(Float64Array.from([1]), 0, grad, true);
      assert.equal(loss, 2e6, kind);
      // Residuals 1, −1, 0 and e^−708 (margins are clamped at −708, where e^t is still a normal number).
      assert.equal(grad[0], 2e6, kind);
      assert.ok(Math.abs(grad[1]!) < 1e-300, `${kind}: ${grad[1]}`);
    }
  });
});
