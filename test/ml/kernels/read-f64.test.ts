import { strict as assert } from 'node:assert';
import fs, { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { datasetInfo, readColumnSlices } from '../../../ml/data/read.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { readF64Info, readF64Slices } from '../../../ml/kernels/read-f64.ts';
import { createRng } from '../../../ml/kmeans/random.ts';

const SEED = Number(process.env['CRUCIAL_TEST_SEED'] ?? Date.now() % 100000);
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), String);

describe('ml/kernels - all-float64 Arrow files read the short way', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-read-f64-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('read-f64 - every row range across record batches gives readColumnSlices\' slices bit for bit, and the file\'s shape datasetInfo\'s (the oracles), with and without labels', async () => {
    const rng = createRng(SEED, 0);
    const n = 103, d = 4;
    const X = Float64Array.from({ length: n * d }, () => (rng.next() - 0.5) * 1e6);
    X[7] = -0;
    const y = Float64Array.from({ length: n }, () => rng.int(3));
    const withY = join(dir, 'y.arrow'), noY = join(dir, 'noy.arrow');
    await writeDataset(withY, { X, y, nRows: n, nCols: d, featureNames: ['a', 'b', 'c', 'd'] }, { batchRows: 10 });
    await writeDataset(noY, { X, nRows: n, nCols: d, featureNames: ['a', 'b', 'c', 'd'] }, { batchRows: 16 });
    for (const path of [withY, noY]) {
      assert.deepEqual(await readF64Info(path), await datasetInfo(path), path);
      for (const [from, to] of [[0, n], [0, 0], [5, 6], [9, 31], [10, 20], [17, 103], [100, 103]] as const) {
        const got = await readF64Slices(path, from, to, d);
        const want = await readColumnSlices(path, from, to);
        assert.ok(got, `${path} [${from}, ${to}) took the short way`);
        assert.equal(got.nRows, want.nRows);
        assert.equal(got.hasLabel, want.hasLabel);
        assert.deepEqual(got.slices.map((s) => [s.row, s.n]), want.slices.map((s) => [s.row, s.n]), `seed ${SEED} [${from}, ${to})`);
        got.slices.forEach((s, i) => {
          const w = want.slices[i]!;
          s.columns.forEach((c, j) => assert.deepEqual(bits(c), bits(w.columns[j]!), `seed ${SEED} [${from}, ${to}) column ${j}`));
          assert.equal(s.y === undefined, w.y === undefined);
          if (s.y) assert.deepEqual(bits(s.y), bits(w.y!));
        });
      }
    }
  });

  it('read-f64 - a file rewritten in place (same path) is read as it is now, not as this thread indexed it before; a lent buffer given back serves the next lent read, a result not lent keeps its values', async () => {
    const rng = createRng(SEED, 2);
    const path = join(dir, 'rewritten.arrow'), other = join(dir, 'other.arrow');
    const make = (n: number, d: number) => Float64Array.from({ length: n * d }, () => (rng.next() - 0.5) * 1e3);
    const names = (d: number) => Array.from({ length: d }, (_, j) => `f${j}`);
    const X1 = make(50, 3), X2 = make(70, 3), X3 = make(70, 2);
    await writeDataset(path, { X: X1, nRows: 50, nCols: 3, featureNames: names(3) }, { batchRows: 10 });
    assert.equal((await readF64Info(path))!.nRows, 50);
    const kept = (await readF64Slices(path, 0, 50, 3))!;
    await writeDataset(path, { X: X2, nRows: 70, nCols: 3, featureNames: names(3) }, { batchRows: 16 });
    assert.deepEqual(await readF64Info(path), await datasetInfo(path));
    assert.equal((await readF64Info(path))!.nRows, 70, `seed ${SEED}`);
    const lent = (await readF64Slices(path, 0, 70, 3, undefined, true))!;
    assert.ok(lent.giveBack, 'a lent read says how to give the buffer back');
    const want = await readColumnSlices(path, 0, 70);
    lent.slices.forEach((sl, i) => sl.columns.forEach((c, j) => assert.deepEqual(bits(c), bits(want.slices[i]!.columns[j]!), `seed ${SEED} slice ${i} column ${j}`)));
    const before = lent.slices[0]!.columns[0]!;
    lent.giveBack!();
    await writeDataset(other, { X: X3, nRows: 70, nCols: 2, featureNames: names(2) }, { batchRows: 70 });
    const next = (await readF64Slices(other, 0, 70, 2, undefined, true))!;
    assert.equal(next.slices[0]!.columns[0]!.buffer, before.buffer, 'the buffer given back is reused');
    // Taken by one read at a time: a second lent read before the first gives it back has its own.
    const second = (await readF64Slices(path, 0, 70, 3, undefined, true))!;
    assert.notEqual(second.slices[0]!.columns[0]!.buffer, before.buffer);
    assert.deepEqual(Array.from(next.slices[0]!.columns[1]!), Array.from({ length: 70 }, (_, r) => X3[r * 2 + 1]!), `seed ${SEED}`);
    second.giveBack!();
    next.giveBack!();
    // The first read (not lent) still holds the first file's rows.
    const first = kept.slices.flatMap((sl) => Array.from({ length: sl.n }, (_, r) => sl.columns.map((c) => c[r]!))).flat();
    assert.deepEqual(first, Array.from(X1), `seed ${SEED}`);
    await writeDataset(path, { X: X3, nRows: 70, nCols: 2, featureNames: names(2) }, { batchRows: 7 });
    assert.equal(await readF64Slices(path, 0, 70, 3), null, 'the rewritten file has 2 columns now');
    assert.deepEqual(await readF64Info(path), await datasetInfo(path));
  });

  it('read-f64 - a file rewritten in place with the same size while its times did not move (a coarse clock: 1 s on some file systems, a jiffy on kernels before 6.13) is read as it is now (its footer and batch metadata are compared again): the same columns in another order', async () => {
    const path = join(dir, 'same-times.arrow');
    const write = (t: Record<string, Float64Array>) => writeFileSync(path, tableToIPC(tableFromArrays(t), 'file'));
    write({ a: Float64Array.from([1, 2, 3]), y: Float64Array.from([0, 1, 0]) });
    const size = statSync(path).size;
    // The file system's clock does not tick between the writes below: every fstat reports the first write's times.
    const real = fs.fstatSync;
    const fd0 = openSync(path, 'r');
    const st0 = real(fd0, { bigint: true });
    closeSync(fd0);
    (fs as { fstatSync: unknown }).fstatSync = (fd: number, o?: { bigint?: boolean }) => {
      const st = real(fd, o as { bigint: true }) as unknown as Record<string, unknown>;
      if (o?.bigint) Object.assign(st, { mtimeNs: st0.mtimeNs, ctimeNs: st0.ctimeNs, mtimeMs: st0.mtimeMs, ctimeMs: st0.ctimeMs });
      return st;
    };
    syncBuiltinESMExports();
    try {
      const first = (await readF64Slices(path, 0, 3, 1))!;
      assert.deepEqual(Array.from(first.slices[0]!.columns[0]!), [1, 2, 3]);
      write({ y: Float64Array.from([7, 8, 9]), a: Float64Array.from([4, 5, 6]) });
      assert.equal(statSync(path).size, size, 'the same size (else the key differs anyway)');
      const now = (await readF64Slices(path, 0, 3, 1))!;
      assert.deepEqual(Array.from(now.slices[0]!.columns[0]!), [4, 5, 6], 'feature a, not the label column');
      assert.deepEqual(Array.from(now.slices[0]!.y!), [7, 8, 9]);
      assert.deepEqual(await readF64Info(path), await datasetInfo(path));
    } finally {
      (fs as { fstatSync: unknown }).fstatSync = real;
      syncBuiltinESMExports();
    }
  });

  it('read-f64 - anything else is left to the regular reader (null, for the shape too): another column type, an IPC stream, a bad range, another column count, a missing file or label', async () => {
    const ints = join(dir, 'ints.arrow'), stream = join(dir, 'stream.arrow'), f64 = join(dir, 'f64.arrow');
    writeFileSync(ints, tableToIPC(tableFromArrays({ a: Float64Array.from([1, 2]), b: Int32Array.from([3, 4]), y: Float64Array.from([0, 1]) }), 'file'));
    const t = tableFromArrays({ a: Float64Array.from([1, 2]), y: Float64Array.from([0, 1]) });
    writeFileSync(stream, tableToIPC(t, 'stream'));
    writeFileSync(f64, tableToIPC(t, 'file'));
    assert.ok(await readF64Slices(f64, 0, 2, 1), 'the control file takes the short way');
    assert.equal(await readF64Slices(ints, 0, 2, 2), null);
    assert.equal(await readF64Slices(stream, 0, 2, 1), null);
    assert.equal(await readF64Slices(f64, 0, 3, 1), null);
    assert.equal(await readF64Slices(f64, 1, 0, 1), null);
    assert.equal(await readF64Slices(f64, 0, 2, 2), null);
    assert.equal(await readF64Slices(join(dir, 'absent.arrow'), 0, 2, 1), null);
    assert.equal(await readF64Slices(f64, 0, 2, 1, 'label'), null);
    assert.deepEqual(await readF64Info(f64), { nRows: 2, featureNames: ['a'], hasLabel: true });
    for (const path of [ints, stream, join(dir, 'absent.arrow')]) assert.equal(await readF64Info(path), null, path);
    assert.equal(await readF64Info(f64, 'label'), null);
  });
});
