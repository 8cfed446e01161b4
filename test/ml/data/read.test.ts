/**
 * Reading datasets by row range: every range (across record-batch boundaries, empty, whole) equals
 * the same rows of a full read made by apache-arrow's own tableFromIPC (the oracle), for IPC files
 * and streams, written by us and by pyarrow; batches outside the range are not read from an IPC
 * file; bad files fail with ERR_BAD_ARGUMENT and a message naming the problem.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bool, Field, Float32, Float64, Int32, Int64, Int8, RecordBatchReader, Schema, Table, Uint8, Utf8, makeBuilder, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { datasetInfo, readRows } from '../../../ml/data/read.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { rejectsWithCode } from '../../helpers/dso.ts';
import { SEED, rng } from '../model/models.ts';

/** The oracle: the whole file through tableFromIPC, rows → plain number arrays (features, label). */
function fullRead(path: string, label = 'y'): { X: number[][]; y: number[] | undefined; names: string[] } {
  const t = tableFromIPC(readFileSync(path));
  const names = t.schema.fields.map((f) => f.name).filter((n) => n !== label);
  const X: number[][] = [];
  const y: number[] | undefined = t.getChild(label) ? [] : undefined;
  for (let r = 0; r < t.numRows; r++) {
    X.push(names.map((n) => Number(t.getChild(n)!.get(r))));
    y?.push(Number(t.getChild(label)!.get(r)));
  }
  return { X, y, names };
}

async function assertRange(path: string, from: number, to: number, oracle: ReturnType<typeof fullRead>): Promise<void> {
  const ds = await readRows(path, from, to);
  const what = `${path} [${from}, ${to})`;
  assert.equal(ds.nRows, to - from, what);
  assert.equal(ds.nCols, oracle.names.length, what);
  assert.deepEqual(ds.featureNames, oracle.names, what);
  assert.deepEqual(Array.from(ds.X), oracle.X.slice(from, to).flat(), `${what}: X`);
  if (oracle.y) assert.deepEqual(Array.from(ds.y!), oracle.y.slice(from, to), `${what}: y`);
  else assert.equal(ds.y, undefined, what);
}

/** A table of mixed numeric column types in batches of the given sizes. */
function mixedTable(r: () => number, batchSizes: number[]): Table {
  const types = { i8: new Int8(), u8: new Uint8(), i32: new Int32(), i64: new Int64(), f32: new Float32(), f64: new Float64(), flag: new Bool(), y: new Int32() };
  const batches = batchSizes.map((n) => {
    const cols = Object.fromEntries(Object.entries(types).map(([name, type]) => {
      const values = Array.from({ length: n }, () => {
        const v = r();
        if (type instanceof Bool) return v < 0.5;
        if (type instanceof Int64) return BigInt(Math.floor((v - 0.5) * 2 ** 40));
        if (type instanceof Float32 || type instanceof Float64) return (v - 0.5) * 1000;
        if (type instanceof Uint8) return Math.floor(v * 255);
        if (type instanceof Int8) return Math.floor((v - 0.5) * 200);
        return Math.floor((v - 0.5) * 2 ** 31);
      });
      return [name, vectorFromArray(values as never, type as never)];
    }));
    return new Table(cols).batches[0]!;
  });
  return new Table(batches);
}

describe('ml/data readRows and datasetInfo', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-ml-data-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(function () { if (this.currentTest?.state === 'failed') console.log(`    replay with ML_TEST_SEED=${SEED}`); });

  it('data - every row range of a file we wrote (batches of 7 rows) equals the same rows of a full read', async () => {
    const r = rng(SEED);
    const nRows = 45, nCols = 4;
    const path = join(dir, 'ours.arrow');
    await writeDataset(path, {
      X: Float64Array.from({ length: nRows * nCols }, () => r() * 100 - 50), y: Float64Array.from({ length: nRows }, () => Math.floor(r() * 3)),
      nRows, nCols, featureNames: ['a', 'b', 'c', 'd'],
    }, { batchRows: 7 });
    assert.equal(readFileSync(path).subarray(0, 6).toString(), 'ARROW1', 'an IPC file (Feather v2)');
    assert.equal(tableFromIPC(readFileSync(path)).batches.length, 7);
    const oracle = fullRead(path);
    assert.deepEqual(await datasetInfo(path), { nRows, featureNames: ['a', 'b', 'c', 'd'], hasLabel: true });
    // Every boundary case: inside one batch, exactly on boundaries, across several, empty, whole.
    const ranges: Array<[number, number]> = [[0, nRows], [0, 0], [nRows, nRows], [0, 7], [7, 14], [6, 8], [3, 40], [44, 45], [13, 13], [14, 15]];
    for (let i = 0; i < 30; i++) { const a = Math.floor(r() * (nRows + 1)), b = Math.floor(r() * (nRows + 1)); ranges.push([Math.min(a, b), Math.max(a, b)]); }
    for (const [from, to] of ranges) await assertRange(path, from, to, oracle);
  });

  it('data - the same for an IPC stream, and for mixed numeric types (int8..int64, uint8, float32, bool) with an int label', async () => {
    const r = rng(SEED + 1);
    const table = mixedTable(r, [5, 1, 9, 0, 6]);
    const file = join(dir, 'mixed.arrow');
    const stream = join(dir, 'mixed.arrows');
    writeFileSync(file, tableToIPC(table, 'file'));
    writeFileSync(stream, tableToIPC(table, 'stream'));
    for (const path of [file, stream]) {
      const oracle = fullRead(path);
      assert.deepEqual(await datasetInfo(path), { nRows: 21, featureNames: ['i8', 'u8', 'i32', 'i64', 'f32', 'f64', 'flag'], hasLabel: true });
      for (const [from, to] of [[0, 21], [4, 6], [5, 6], [6, 15], [14, 16], [15, 21], [0, 5], [20, 21]] as const) await assertRange(path, from, to, oracle);
    }
  });

  it('data - files written by pyarrow (Feather v2 and an IPC stream, int64 and float32 columns, several batches) read as a full read does', async function () {
    const out = join(dir, 'py');
    const script = `
import numpy as np, pyarrow as pa, pyarrow.feather as feather, pyarrow.ipc as ipc, sys
r = np.random.default_rng(${SEED})
t = pa.table({"f0": r.normal(size=50), "f1": r.integers(-9, 9, 50).astype("int64"), "f2": r.normal(size=50).astype("float32"), "y": r.integers(0, 2, 50).astype("float64")})
feather.write_feather(t, sys.argv[1] + ".feather", compression="uncompressed", chunksize=8)
with pa.OSFile(sys.argv[1] + ".arrows", "wb") as f, ipc.new_stream(f, t.schema) as w:
    for b in t.to_batches(max_chunksize=12): w.write_batch(b)
feather.write_feather(t, sys.argv[1] + ".lz4.feather", compression="lz4")
`;
    execFileSync('python3', ['-c', script, out]);
    for (const path of [`${out}.feather`, `${out}.arrows`]) {
      const oracle = fullRead(path);
      assert.equal(oracle.X.length, 50);
      for (const [from, to] of [[0, 50], [7, 9], [8, 16], [11, 25], [49, 50]] as const) await assertRange(path, from, to, oracle);
    }
    const err = await rejectsWithCode(readRows(`${out}.lz4.feather`, 0, 1), ErrorCode.BAD_ARGUMENT);
    assert.match(err.message, /compressed record batches.*uncompressed/);
  });

  it('data - from an IPC file, only the record batches overlapping the range are read from disk', async () => {
    const nRows = 40, path = join(dir, 'reads.arrow');
    await writeDataset(path, { X: Float64Array.from({ length: nRows * 2 }, (_, i) => i), nRows, nCols: 2, featureNames: ['a', 'b'] }, { batchRows: 10 });
    // Where each batch's body lies, from the footer (apache-arrow's reader, not ours).
    const reader = RecordBatchReader.from(readFileSync(path));
    reader.open();
    const bodies = [...(reader as unknown as { footer: { recordBatches(): Iterable<{ offset: number; metaDataLength: number; bodyLength: number }> } }).footer.recordBatches()]
      .map((b) => [b.offset + b.metaDataLength, b.offset + b.metaDataLength + b.bodyLength] as const);
    assert.equal(bodies.length, 4);
    const proto = Object.getPrototypeOf(await open(path).then(async (h) => { await h.close(); return h; })) as FileHandle;
    const original = proto.read;
    const reads: Array<[number, number]> = [];
    proto.read = function (this: FileHandle, ...args: unknown[]) {
      const [buf, off, len, pos] = args as [Uint8Array | { buffer?: Uint8Array; position?: number; length?: number }, number?, number?, number?];
      if (ArrayBuffer.isView(buf) && typeof pos === 'number') reads.push([pos, pos + (len ?? buf.byteLength - (off ?? 0))]);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof proto.read;
    let ds;
    try {
      ds = await readRows(path, 12, 18); // inside batch 1 only
    } finally {
      proto.read = original;
    }
    assert.deepEqual(Array.from(ds.X), Array.from({ length: 12 }, (_, i) => 24 + i));
    const touched = (b: readonly [number, number]) => reads.some(([s, e]) => s < b[1] && e > b[0]);
    assert.ok(reads.length > 0, 'no positioned read was seen (the spy missed the reader)');
    assert.deepEqual(bodies.map(touched), [false, true, false, false], `reads ${JSON.stringify(reads)} vs bodies ${JSON.stringify(bodies)}`);
  });

  it('data - bad files and arguments fail with ERR_BAD_ARGUMENT naming the problem', async () => {
    const text = join(dir, 'text.csv');
    writeFileSync(text, 'a,b,y\n1,2,0\n3,4,1\n');
    assert.match((await rejectsWithCode(readRows(text, 0, 1), ErrorCode.BAD_ARGUMENT)).message, /not an Arrow IPC file \(Feather v2\) or stream/);
    assert.match((await rejectsWithCode(datasetInfo(text), ErrorCode.BAD_ARGUMENT)).message, /not an Arrow IPC/);
    const empty = join(dir, 'empty.arrow');
    writeFileSync(empty, '');
    await rejectsWithCode(datasetInfo(empty), ErrorCode.BAD_ARGUMENT);
    const v1 = join(dir, 'v1.feather');
    writeFileSync(v1, Buffer.concat([Buffer.from('FEA1'), Buffer.alloc(64)]));
    assert.match((await rejectsWithCode(datasetInfo(v1), ErrorCode.BAD_ARGUMENT)).message, /Feather v1/);
    assert.match((await rejectsWithCode(datasetInfo(join(dir, 'missing.arrow')), ErrorCode.BAD_ARGUMENT)).message, /missing\.arrow/);

    const good = join(dir, 'good.arrow');
    await writeDataset(good, { X: new Float64Array(20), y: new Float64Array(10), nRows: 10, nCols: 2, featureNames: ['a', 'b'] }, { batchRows: 4 });
    const whole = readFileSync(good);
    const truncated = join(dir, 'truncated.arrow');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await rejectsWithCode(datasetInfo(truncated), ErrorCode.BAD_ARGUMENT);
    const truncatedStream = join(dir, 'truncated.arrows');
    writeFileSync(truncatedStream, tableToIPC(tableFromIPC(whole), 'stream').subarray(0, 300));
    await rejectsWithCode(readRows(truncatedStream, 0, 1), ErrorCode.BAD_ARGUMENT);

    assert.match((await rejectsWithCode(readRows(good, 0, 1, { label: 'target' }), ErrorCode.BAD_ARGUMENT)).message, /no label column "target"/);
    assert.match((await rejectsWithCode(readRows(good, 5, 11), ErrorCode.BAD_ARGUMENT)).message, /\[5, 11\) is not within the 10 rows/);
    await rejectsWithCode(readRows(good, 3, 2), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(readRows(good, -1, 2), ErrorCode.BAD_ARGUMENT);

    const strings = join(dir, 'strings.arrow');
    writeFileSync(strings, tableToIPC(new Table({ a: vectorFromArray([1, 2], new Float64()), name: vectorFromArray(['x', 'y'], new Utf8()) }), 'file'));
    assert.match((await rejectsWithCode(readRows(strings, 0, 2), ErrorCode.BAD_ARGUMENT)).message, /column "name" is Utf8, not numeric/);

    // Nulls: refused inside the range, irrelevant outside it.
    const b = makeBuilder({ type: new Float64(), nullValues: [null] });
    for (const v of [1, 2, null, 4]) b.append(v);
    const nulls = join(dir, 'nulls.arrow');
    writeFileSync(nulls, tableToIPC(new Table({ a: b.finish().toVector(), y: vectorFromArray([0, 1, 0, 1], new Float64()) }), 'file'));
    assert.match((await rejectsWithCode(readRows(nulls, 1, 3), ErrorCode.BAD_ARGUMENT)).message, /column "a" has null values/);
    assert.deepEqual(Array.from((await readRows(nulls, 3, 4)).X), [4]);
  });

  it('data - without the default label column, y is undefined and every column is a feature', async () => {
    const path = join(dir, 'nolabel.arrow');
    await writeDataset(path, { X: Float64Array.from({ length: 6 }, (_, i) => i), nRows: 3, nCols: 2, featureNames: ['u', 'v'] });
    assert.deepEqual(await datasetInfo(path), { nRows: 3, featureNames: ['u', 'v'], hasLabel: false });
    const ds = await readRows(path, 1, 3);
    assert.equal(ds.y, undefined);
    assert.deepEqual(Array.from(ds.X), [2, 3, 4, 5]);
    // A label given by name picks that column out of the features.
    assert.deepEqual(await datasetInfo(path, { label: 'v' }), { nRows: 3, featureNames: ['u'], hasLabel: true });
    assert.deepEqual(Array.from((await readRows(path, 0, 3, { label: 'v' })).y!), [1, 3, 5]);
  });
});
