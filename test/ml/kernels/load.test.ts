import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { readRows } from '../../../ml/data/read.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { loadKernelPartition, loadKernelPartitions } from '../../../ml/kernels/load.ts';
import { createRng } from '../../../ml/kmeans/random.ts';
import { rejectsWithCode } from '../../helpers/dso.ts';

const SEED = Number(process.env['CRUCIAL_TEST_SEED'] ?? Date.now() % 100000);

describe('ml/kernels - a partition straight from an Arrow file into kernel rows', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-kernels-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('load - every row range across record batches gives the rows and labels readRows gives (the oracle)', async () => {
    const rng = createRng(SEED, 0);
    const n = 103, d = 5;
    const X = Float64Array.from({ length: n * d }, () => rng.next() * 100 - 50);
    const y = Float64Array.from({ length: n }, () => rng.int(3));
    const path = join(dir, 'd.arrow');
    await writeDataset(path, { X, y, nRows: n, nCols: d, featureNames: ['a', 'b', 'c', 'd', 'e'] }, { batchRows: 10 });
    for (const [from, to] of [[0, n], [0, 0], [5, 6], [9, 31], [17, 103], [100, 103]] as const) {
      const want = await readRows(path, from, to);
      const got = await loadKernelPartition({ kind: 'file', path, from, to }, d);
      assert.equal(got.nRows, to - from);
      assert.deepEqual(Array.from(got.y!), Array.from(want.y!), `seed ${SEED} [${from}, ${to})`);
      const out = new Float64Array(d);
      for (let i = 0; i < got.nRows; i++) {
        got.rows.copyRow(i, out, 0);
        assert.deepEqual(Array.from(out), Array.from(want.X.subarray(i * d, i * d + d)), `seed ${SEED} [${from}, ${to}) row ${i}`);
      }
    }
  });

  it('load - contiguous partitions read in one go give each partition the rows and labels readRows gives (the oracle)', async () => {
    const rng = createRng(SEED, 1);
    const n = 97, d = 3;
    const X = Float64Array.from({ length: n * d }, () => rng.next() * 100 - 50);
    const y = Float64Array.from({ length: n }, () => rng.int(3));
    const path = join(dir, 'p.arrow');
    await writeDataset(path, { X, y, nRows: n, nCols: d, featureNames: ['a', 'b', 'c'] }, { batchRows: 10 });
    // Cuts inside and on batch edges, an empty partition, a range not starting at row 0.
    for (const cuts of [[0, 48, 97], [0, 10, 20, 97], [3, 3, 41, 60], [0, 33, 65, 97], [15, 16, 96]]) {
      const srcs = cuts.slice(1).map((to, i) => ({ kind: 'file' as const, path, from: cuts[i]!, to }));
      const got = await loadKernelPartitions(srcs, d);
      assert.equal(got.length, srcs.length);
      for (const [q, src] of srcs.entries()) {
        const want = await readRows(path, src.from, src.to);
        const g = got[q]!;
        const at = `seed ${SEED} cuts ${cuts.join(',')} partition ${q}`;
        assert.equal(g.nRows, src.to - src.from, at);
        assert.deepEqual(Array.from(g.y!), Array.from(want.y!), at);
        const out = new Float64Array(d);
        for (let i = 0; i < g.nRows; i++) {
          g.rows.copyRow(i, out, 0);
          assert.deepEqual(Array.from(out), Array.from(want.X.subarray(i * d, i * d + d)), `${at} row ${i}`);
        }
      }
    }
    await rejectsWithCode(loadKernelPartitions([{ kind: 'file', path, from: 0, to: 50 }, { kind: 'file', path, from: 50, to: 97 }], d + 1), ErrorCode.BAD_ARGUMENT);
  });

  it('load - partitions loaded while others load (the reader lends this thread one buffer) keep their own rows and labels, wasm and JS kernels', async () => {
    const rng = createRng(SEED, 2);
    const d = 4;
    const files = [0, 1, 2].map((f) => {
      const n = 60 + 7 * f;
      return { path: join(dir, `lend-${f}.arrow`), n, X: Float64Array.from({ length: n * d }, () => rng.next() * 100 - 50), y: Float64Array.from({ length: n }, () => rng.int(5) + 10 * f) };
    });
    for (const f of files) await writeDataset(f.path, { X: f.X, y: f.y, nRows: f.n, nCols: d, featureNames: ['a', 'b', 'c', 'd'] }, { batchRows: 16 });
    const before = process.env['CRUCIAL_ML_KERNELS'];
    try {
      for (const kind of ['wasm', 'js']) {
        process.env['CRUCIAL_ML_KERNELS'] = kind;
        const srcs = (f: typeof files[number]) => [{ kind: 'file' as const, path: f.path, from: 0, to: 30 }, { kind: 'file' as const, path: f.path, from: 30, to: f.n }];
        const first = await loadKernelPartitions(srcs(files[0]!), d);
        const together = await Promise.all([files[1]!, files[2]!, files[1]!].map((f) => loadKernelPartitions(srcs(f), d)));
        const again = await loadKernelPartitions(srcs(files[2]!), d);
        for (const [f, parts] of [[files[0]!, first], [files[1]!, together[0]!], [files[2]!, together[1]!], [files[1]!, together[2]!], [files[2]!, again]] as const) {
          const out = new Float64Array(d);
          let row = 0;
          for (const p of parts) {
            assert.equal(p.rows.kind, kind);
            for (let i = 0; i < p.nRows; i++, row++) {
              p.rows.copyRow(i, out, 0);
              assert.deepEqual(Array.from(out), Array.from(f.X.subarray(row * d, row * d + d)), `${kind} ${f.path} row ${row}, seed ${SEED}`);
              assert.equal(p.y![i], f.y[row], `${kind} ${f.path} label ${row}, seed ${SEED}`);
            }
          }
        }
      }
    } finally {
      if (before === undefined) delete process.env['CRUCIAL_ML_KERNELS'];
      else process.env['CRUCIAL_ML_KERNELS'] = before;
    }
  });

  it('load - a file whose feature count differs from the plan fails with ERR_BAD_ARGUMENT', async () => {
    const path = join(dir, 'e.arrow');
    await writeDataset(path, { X: new Float64Array(6), nRows: 3, nCols: 2, featureNames: ['a', 'b'] });
    await rejectsWithCode(loadKernelPartition({ kind: 'file', path, from: 0, to: 3 }, 3), ErrorCode.BAD_ARGUMENT);
  });
});
