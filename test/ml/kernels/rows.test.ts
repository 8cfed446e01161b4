import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createRows, createRowsFromColumns, type Rows } from '../../../ml/kernels/rows.ts';
import { assignRows } from '../../../ml/kmeans/lloyd.ts';
import { createRng } from '../../../ml/kmeans/random.ts';
import { lossAndGradient, lossAndGradientRows, paramCount } from '../../../ml/logreg/loss.ts';

// Seeds: CRUCIAL_TEST_SEED replays a failure (printed in the assertion messages).
const SEED = Number(process.env['CRUCIAL_TEST_SEED'] ?? Date.now() % 100000);

function data(seed: number, n: number, d: number): Float64Array {
  const rng = createRng(seed, 0);
  return Float64Array.from({ length: n * d }, () => (rng.next() - 0.5) * 20);
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => Object.is(v, -0) ? '-0' : String(v));

describe('ml/kernels - WebAssembly SIMD and JS kernels', () => {
  it('kernels - the engine here has WebAssembly SIMD (else the fits run on the JS fallback)', () => {
    assert.equal(createRows(new Float64Array(4), 2, 2, 'wasm').kind, 'wasm'); // throws without SIMD
  });

  it('kernels - CRUCIAL_ML_KERNELS=js selects the JS kernels, wasm or unset the SIMD ones', () => {
    const before = process.env['CRUCIAL_ML_KERNELS'];
    try {
      process.env['CRUCIAL_ML_KERNELS'] = 'js';
      assert.equal(createRows(new Float64Array(4), 2, 2).kind, 'js');
      assert.equal(createRowsFromColumns([], 0, 2).kind, 'js');
      process.env['CRUCIAL_ML_KERNELS'] = 'wasm';
      assert.equal(createRows(new Float64Array(4), 2, 2).kind, 'wasm');
      delete process.env['CRUCIAL_ML_KERNELS'];
      assert.equal(createRows(new Float64Array(4), 2, 2).kind, 'wasm');
    } finally {
      if (before === undefined) delete process.env['CRUCIAL_ML_KERNELS'];
      else process.env['CRUCIAL_ML_KERNELS'] = before;
    }
  });

  for (const d of [1, 2, 3, 16, 17]) {
    for (const k of [1, 3, 8, 9]) {
      it(`kernels - assign, d = ${d}, k = ${k}, odd and even rows: wasm, JS and the scalar assignRows bit-identical`, () => {
        const seed = SEED + d * 100 + k;
        const n = 301 - (k & 1); // odd and even row counts: the last pair of rows is half empty
        const X = data(seed, n, d);
        const C = data(seed + 1, k + 2, d); // centroids at an offset of 2 rows: cOff is honoured
        const out = (rows: Rows) => {
          const sums = new Float64Array(k * d), counts = new Float64Array(k);
          const inertia = rows.assign(C, 2 * d, k, sums, counts);
          return { inertia, sums: Array.from(sums), counts: Array.from(counts), dist: Array.from(rows.dist), labels: Array.from(rows.labels) };
        };
        const w = out(createRows(X, n, d, 'wasm'));
        const j = out(createRows(X, n, d, 'js'));
        assert.deepEqual(bits([w.inertia]), bits([j.inertia]), `seed ${seed}`);
        assert.deepEqual(bits(w.sums), bits(j.sums), `seed ${seed}`);
        assert.deepEqual(w.counts, j.counts, `seed ${seed}`);
        assert.deepEqual(bits(w.dist), bits(j.dist), `seed ${seed}`);
        assert.deepEqual(w.labels, j.labels, `seed ${seed}`);
        // Oracle: the scalar kernel the fits used before (the same summation order).
        const sums = new Float64Array(k * d), counts = new Float64Array(k), labels = new Float64Array(n);
        const inertia = assignRows(X, n, d, C, 2 * d, k, { sums, counts }, labels);
        assert.deepEqual(bits([inertia]), bits([w.inertia]), `seed ${seed}`);
        assert.deepEqual(Array.from(labels), w.labels, `seed ${seed}`);
        assert.deepEqual(bits(sums), bits(w.sums), `seed ${seed}`);
        assert.deepEqual(Array.from(counts), w.counts, `seed ${seed}`);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let jj = 0; jj < d; jj++) s += (X[i * d + jj]! - C[(2 + w.labels[i]!) * d + jj]!) ** 2;
          assert.ok(Math.abs(s - w.dist[i]!) <= 1e-12 * s, `seed ${seed}: row ${i}`);
        }
        // Inertia-only pass: same distances, no sums.
        const rows = createRows(X, n, d, 'wasm');
        assert.deepEqual(bits([rows.assign(C, 2 * d, k, null, null)]), bits([w.inertia]));
      });
    }
  }

  for (const [n, d] of [[0, 3], [1, 3], [300, 16], [301, 5]] as const) {
    it(`kernels - columnStats, ${n} × ${d}: wasm and JS bit-identical, and [n, mean, Σ(x − mean)²] per column`, () => {
      const X = data(SEED + n, n, d);
      const a = createRows(X, n, d, 'wasm').columnStats();
      const b = createRows(X, n, d, 'js').columnStats();
      assert.deepEqual(bits(a), bits(b), `seed ${SEED + n}`);
      assert.equal(a[0], n);
      for (let j = 0; j < d && n > 0; j++) {
        const col = Array.from({ length: n }, (_, i) => X[i * d + j]!);
        const mean = col.reduce((s, v) => s + v, 0) / n;
        const m2 = col.reduce((s, v) => s + (v - mean) ** 2, 0);
        assert.ok(Math.abs(a[1 + j]! - mean) <= 1e-12 * (1 + Math.abs(mean)), `seed ${SEED + n}`);
        assert.ok(Math.abs(a[1 + d + j]! - m2) <= 1e-12 * m2, `seed ${SEED + n}`);
      }
    });
  }

  for (const n of [0, 1, 7, 300, 1201]) {
    it(`kernels - rows from column slices (${n} rows): the same rows as from row-major X, for wasm and JS`, () => {
      const d = 3;
      const X = data(SEED + 11 * n, n, d);
      // Slices as Arrow batches give them: uneven, one Float64Array per column.
      const cuts = [0, Math.floor(n / 3), Math.floor(n / 3) + 1, n].filter((v, i, a) => i === 0 || v > a[i - 1]!);
      const slices = cuts.slice(1).map((to, i) => {
        const row = cuts[i]!;
        return { row, n: to - row, columns: Array.from({ length: d }, (_, j) => Float64Array.from({ length: to - row }, (_, r) => X[(row + r) * d + j]!)) };
      });
      const C = data(SEED + 1, 5, d);
      for (const kind of ['wasm', 'js'] as const) {
        const a = createRowsFromColumns(slices, n, d, kind), b = createRows(X, n, d, kind);
        const out = new Float64Array(d);
        for (let i = 0; i < n; i++) { a.copyRow(i, out, 0); assert.deepEqual(Array.from(out), Array.from(X.subarray(i * d, i * d + d)), `${kind} row ${i}`); }
        assert.deepEqual(bits([a.assign(C, 0, 5, null, null)]), bits([b.assign(C, 0, 5, null, null)]), kind);
        assert.deepEqual(Array.from(a.labels), Array.from(b.labels), kind);
        assert.deepEqual(bits(a.columnStats()), bits(b.columnStats()), kind);
      }
    });
  }

  for (const [n, d] of [[1, 3], [300, 16], [301, 5]] as const) {
    it(`kernels - distMin (k-means++), ${n} × ${d}: wasm, JS and a scalar loop bit-identical`, () => {
      const X = data(SEED + 3 * n, n, d);
      const rng = createRng(SEED, 5);
      const closest = Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? Infinity : rng.next() * 400 * d));
      const id = rng.int(n);
      const want = new Float64Array(n);
      let pot = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) { const t = X[i * d + j]! - X[id * d + j]!; s += t * t; }
        want[i] = Math.min(closest[i]!, s);
        pot += want[i]!;
      }
      for (const kind of ['wasm', 'js'] as const) {
        const out = new Float64Array(n);
        const got = createRows(X, n, d, kind).distMin(X, id * d, closest, out);
        assert.deepEqual(bits([got]), bits([pot]), `${kind} seed ${SEED}`);
        assert.deepEqual(bits(out), bits(want), `${kind} seed ${SEED}`);
        const inPlace = Float64Array.from(closest);
        createRows(X, n, d, kind).distMin(X, id * d, inPlace, inPlace);
        assert.deepEqual(bits(inPlace), bits(want), `${kind} in place, seed ${SEED}`);
      }
    });
  }

  for (const [n, d] of [[1, 3], [2, 4], [300, 16], [301, 5], [302, 3], [303, 16]] as const) {
    it(`kernels - seeding (k-means++ with D² kept inside), ${n} × ${d}, 1-6 candidates a step: wasm and JS give distMin's figures bit for bit`, () => {
      const X = data(SEED + 5 * n, n, d);
      const rng = createRng(SEED, 6);
      for (const kind of ['wasm', 'js'] as const) {
        const rows = createRows(X, n, d, kind), ref = createRows(X, n, d, 'js');
        const seeding = rows.seeding();
        let want = new Float64Array(n).fill(Infinity);
        const first = rng.int(n);
        const pot0 = ref.distMin(X, first * d, want, want);
        assert.deepEqual(bits([seeding.first(X, first * d)]), bits([pot0]), `${kind} seed ${SEED}`);
        assert.deepEqual(bits(seeding.closest()), bits(want), `${kind} seed ${SEED}`);
        for (let m = 1; m <= 6; m++) {
          const offs = Array.from({ length: m }, () => rng.int(n) * d);
          const outs = offs.map(() => new Float64Array(n));
          const pots = offs.map((off, t) => ref.distMin(X, off, want, outs[t]!));
          assert.deepEqual(bits(seeding.trials(X, offs)), bits(pots), `${kind} ${m} candidates, seed ${SEED}`);
          const keep = rng.int(m);
          seeding.keep(keep);
          want = outs[keep]!;
          assert.deepEqual(bits(seeding.closest()), bits(want), `${kind} ${m} candidates, kept ${keep}, seed ${SEED}`);
          // The cumulative D², from a start (another part's sum) and into an offset, as a scalar loop.
          const acc0 = m === 1 ? 0 : rng.next() * 1e4, cum = new Float64Array(n + 3).fill(-1), wantCum = new Float64Array(n + 3).fill(-1);
          let acc = acc0;
          for (let i = 0; i < n; i++) { acc += want[i]!; wantCum[3 + i] = acc; }
          assert.deepEqual(bits([seeding.cumulate(cum, 3, acc0)]), bits([acc]), `${kind} cumulate, seed ${SEED}`);
          assert.deepEqual(bits(cum), bits(wantCum), `${kind} cumulate, seed ${SEED}`);
        }
      }
    });
  }

  it('kernels - seeding over rows in several parts (odd sizes) with the sums continued (acc): the figures of one seeding over all the rows, bit for bit', () => {
    const n = 301, d = 5;
    const X = data(SEED + 41, n, d);
    const rng = createRng(SEED, 8);
    for (const kind of ['wasm', 'js'] as const) {
      for (const cuts of [[0, 1, 301], [0, 150, 301], [0, 77, 78, 301]]) {
        const whole = createRows(X, n, d, 'js').seeding();
        const parts = cuts.slice(1).map((to, q) => createRows(X.slice(cuts[q]! * d, to * d), to - cuts[q]!, d, kind));
        const seedings = parts.map((p) => p.seeding());
        const first = rng.int(n);
        let pot = 0;
        for (const s of seedings) pot = s.first(X, first * d, pot);
        const msg = `${kind}, parts at ${cuts.join(',')}, seed ${SEED}`;
        assert.deepEqual(bits([pot]), bits([whole.first(X, first * d)]), msg);
        for (let m = 1; m <= 5; m++) {
          const offs = Array.from({ length: m }, () => rng.int(n) * d);
          let pots: Float64Array | undefined;
          for (const s of seedings) pots = s.trials(X, offs, pots);
          assert.deepEqual(bits(pots!), bits(whole.trials(X, offs)), `${m} candidates, ${msg}`);
          const keep = rng.int(m);
          for (const s of seedings) s.keep(keep);
          whole.keep(keep);
          assert.deepEqual(bits(seedings.flatMap((s) => Array.from(s.closest()))), bits(whole.closest()), `${m} candidates, kept ${keep}, ${msg}`);
        }
        for (const p of parts) p.release();
      }
    }
  });

  it('kernels - released rows: the next rows of the thread (reusing the memory, odd and even counts) give the JS figures bit for bit', () => {
    for (const [n, d] of [[301, 5], [40, 16], [299, 5], [7, 3]] as const) {
      const big = createRows(data(SEED + 21, 401, 16), 401, 16, 'wasm');
      big.assign(data(SEED + 22, 4, 16), 0, 4, null, null); // norms and scratch written
      big.release();
      const X = data(SEED + 23 + n, n, d), C = data(SEED + 24, 6, d);
      const w = createRows(X, n, d, 'wasm'), j = createRows(X, n, d, 'js');
      const run = (rows: Rows) => {
        const sums = new Float64Array(6 * d), counts = new Float64Array(6);
        const inertia = rows.assign(C, 0, 6, sums, counts);
        return { inertia: bits([inertia]), sums: bits(sums), counts: Array.from(counts), labels: Array.from(rows.labels), stats: bits(rows.columnStats()) };
      };
      assert.deepEqual(run(w), run(j), `${n} × ${d}, seed ${SEED}`);
      w.release();
      w.release(); // a second release is a no-op (the instance is not handed out twice)
    }
  });

  it('kernels - assign: of equal distances the first centroid wins (padding centroids never do)', () => {
    const X = Float64Array.from([0, 0, 1, 1, 5, 5]);
    const C = Float64Array.from([1, 1, 1, 1, 5, 5, 5, 5, 5, 5]); // 0 = 1, 2 = 3 = 4
    for (const kind of ['wasm', 'js'] as const) {
      const rows = createRows(X, 3, 2, kind);
      const counts = new Float64Array(5);
      rows.assign(C, 0, 5, new Float64Array(10), counts);
      assert.deepEqual(Array.from(rows.labels), [0, 0, 2], kind);
      assert.deepEqual(Array.from(counts), [2, 0, 1, 0, 0], kind);
    }
  });

  for (const [d, classes, fitIntercept] of [[5, 2, true], [16, 2, false], [7, 4, true], [16, 10, true], [1, 3, false]] as const) {
    it(`kernels - logistic loss and gradient, d = ${d}, ${classes} classes${fitIntercept ? '' : ', no intercept'}: wasm, JS and the scalar lossAndGradient bit-identical`, () => {
      const seed = SEED + 7 * d + classes;
      const n = 257 + (d & 1); // odd and even row counts
      const X = data(seed, n, d);
      const rng = createRng(seed, 1);
      const yIdx = Int32Array.from({ length: n }, () => rng.int(classes));
      const layout = { d, r: classes === 2 ? 1 : classes, fitIntercept };
      const w = Float64Array.from({ length: paramCount(layout) }, () => (rng.next() - 0.5) * 0.4);
      const run = (rows: Rows) => {
        const grad = new Float64Array(paramCount(layout));
        return { loss: lossAndGradientRows(rows, yIdx, layout, w, grad), grad };
      };
      const a = run(createRows(X, n, d, 'wasm'));
      const b = run(createRows(X, n, d, 'js'));
      assert.deepEqual(bits([a.loss]), bits([b.loss]), `seed ${seed}`);
      assert.deepEqual(bits(a.grad), bits(b.grad), `seed ${seed}`);
      const grad = new Float64Array(paramCount(layout));
      const loss = lossAndGradient(X, yIdx, n, layout, w, grad);
      assert.deepEqual(bits([loss]), bits([a.loss]), `seed ${seed}`);
      assert.deepEqual(bits(grad), bits(a.grad), `seed ${seed}`);
      // A second evaluation on the same rows reuses the buffers and gives the same answer.
      const again = run(createRows(X, n, d, 'wasm'));
      const rows = createRows(X, n, d, 'wasm');
      run(rows);
      assert.deepEqual(bits(run(rows).grad), bits(again.grad));
    });
  }

  it('kernels - kernels-wasm.ts is what build.mjs makes from kernels.wat (reproducible)', () => {
    const out = execFileSync(process.execPath, ['ml/kernels/build.mjs', '--check'], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });
});
