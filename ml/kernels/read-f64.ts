/**
 * A short way to a partition's columns for the common case: an Arrow IPC file whose columns are
 * all float64, uncompressed and without nulls (scripts/ml/datasets.py's, pyarrow's defaults). The
 * footer, the wanted batches' metadata and their bodies are read with a handful of reads (the
 * bodies in one), and each column is a Float64Array view of the body at the offset its metadata
 * gives: no RecordBatch objects. 8,000 × 16 rows: 3.0 → ~1 ms. Anything else (a stream, another
 * type, nulls, compression, a range out of bounds, a column count other than the plan's) returns
 * null, and ml/data/read.ts readColumnSlices reads it as before (and reports what is wrong).
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import type { ColumnSlice } from '../data/read.ts';
import { DEFAULT_LABEL } from '../data/dataset.ts';

const MAGIC = 'ARROW1';
type Arrow = typeof import('apache-arrow');
type ArrowFile = typeof import('apache-arrow/ipc/metadata/file');
type ArrowMessage = typeof import('apache-arrow/ipc/metadata/message');
let mods: Promise<[Arrow, ArrowFile, ArrowMessage]> | undefined;
/** apache-arrow's footer and message decoders, imported once per thread. */
function arrow(): Promise<[Arrow, ArrowFile, ArrowMessage]> {
  mods ??= Promise.all([import('apache-arrow'), import('apache-arrow/ipc/metadata/file'), import('apache-arrow/ipc/metadata/message')]);
  return mods;
}

/** A batch of an all-float64 file: where its rows start, its body, and its buffers within the body. */
interface F64Batch { first: number; rows: number; bodyAt: number; bodyLen: number; nulls: boolean; buffers: Array<{ offset: number; length: number }> }

/** An all-float64 file's columns and batches, from its footer and the batches' metadata; null when this path does not apply. */
interface F64Index { featureNames: string[]; features: number[]; labelCol: number; batches: F64Batch[]; nRows: number }

/**
 * Reads the footer and each batch's metadata (small: synchronous reads, where an async read costs a
 * trip through libuv's pool each, several per file).
 */
async function indexF64(fd: number, label: string | undefined): Promise<F64Index | null> {
  const [{ Type, MessageHeader }, { Footer }, { Message }] = await arrow();
  const size = fstatSync(fd).size;
  if (size < 22) return null;
  const tail = Buffer.alloc(10);
  readSync(fd, tail, 0, 10, size - 10);
  if (tail.toString('latin1', 4) !== MAGIC) return null;
  const footerLen = tail.readInt32LE(0);
  if (footerLen <= 0 || footerLen > size - 18) return null;
  const footerBuf = Buffer.alloc(footerLen);
  readSync(fd, footerBuf, 0, footerLen, size - 10 - footerLen);
  const footer = Footer.decode(footerBuf);
  if (footer.numDictionaries > 0) return null;
  const fields = footer.schema.fields;
  const labelName = label ?? DEFAULT_LABEL;
  let labelCol = -1;
  const features: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const t = fields[i]!.type as { typeId: number; precision?: number };
    if (t.typeId !== Type.Float || t.precision !== 2) return null; // float64 only
    if (fields[i]!.name === labelName) labelCol = i; else features.push(i);
  }
  if (features.length === 0 || (label !== undefined && labelCol < 0)) return null;
  const batches: F64Batch[] = [];
  let start = 0;
  for (const b of footer.recordBatches()) {
    const meta = Buffer.alloc(b.metaDataLength);
    readSync(fd, meta, 0, meta.length, b.offset);
    const at = meta.readInt32LE(0) === -1 ? 8 : 4;
    const msg = Message.decode(meta.subarray(at, at + meta.readInt32LE(at - 4)));
    if (msg.headerType !== MessageHeader.RecordBatch) return null;
    const h = msg.header() as { length: number; nodes: Array<{ length: number; nullCount: number }>; buffers: Array<{ offset: number; length: number }>; compression: unknown };
    const rows = Number(h.length);
    if (h.compression || h.nodes.length !== fields.length || h.buffers.length !== 2 * fields.length) return null;
    const buffers = h.buffers.map((r) => ({ offset: Number(r.offset), length: Number(r.length) }));
    for (let c = 0; c < fields.length; c++) if (buffers[2 * c + 1]!.length < rows * 8) return null;
    batches.push({ first: start, rows, bodyAt: b.offset + b.metaDataLength, bodyLen: Number(b.bodyLength), nulls: h.nodes.some((n) => Number(n.nullCount) !== 0), buffers });
    start += rows;
  }
  return { featureNames: features.map((i) => fields[i]!.name), features, labelCol, batches, nRows: start };
}

/** Runs `fn` on the open file; null when the file cannot be opened or anything unexpected happens. */
async function withFile<T>(path: string, fn: (fd: number) => Promise<T | null>): Promise<T | null> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    return await fn(fd);
  } catch {
    return null; // anything unexpected: the regular reader reads it, or says what is wrong
  } finally {
    closeSync(fd);
  }
}

/** ml/data/read.ts datasetInfo for an all-float64 IPC file, or null when this path does not apply. */
export function readF64Info(path: string, label?: string): Promise<{ nRows: number; featureNames: string[]; hasLabel: boolean } | null> {
  return withFile(path, async (fd) => {
    const ix = await indexF64(fd, label);
    return ix && { nRows: ix.nRows, featureNames: ix.featureNames, hasLabel: ix.labelCol >= 0 };
  });
}

/** Rows [from, to) as ml/data/read.ts readColumnSlices gives them, or null when this path does not apply. */
export async function readF64Slices(path: string, from: number, to: number, nCols: number, label?: string): Promise<{ slices: ColumnSlice[]; nRows: number; hasLabel: boolean } | null> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) return null;
  return withFile(path, async (fd) => {
    const ix = await indexF64(fd, label);
    if (!ix || ix.features.length !== nCols || to > ix.nRows) return null;
    const { features, labelCol } = ix;
    const wanted = ix.batches.filter((w) => w.first < to && w.first + w.rows > from && w.rows > 0);
    if (wanted.some((w) => w.nulls)) return null;
    const slices: ColumnSlice[] = [];
    if (wanted.length > 0) {
      // The wanted batches' bodies in one read (they are contiguous in the file, metadata between);
      // over 4 MB asynchronously, so the thread's other cloud threads run meanwhile.
      const lo = wanted[0]!.bodyAt, hi = wanted[wanted.length - 1]!.bodyAt + wanted[wanted.length - 1]!.bodyLen;
      const body = Buffer.allocUnsafeSlow(hi - lo);
      if (!(await readFully(fd, body, lo))) return null;
      for (const w of wanted) {
        const a = Math.max(from, w.first) - w.first, b = Math.min(to, w.first + w.rows) - w.first;
        if ((body.byteOffset + w.bodyAt - lo) % 8 !== 0 || w.buffers.some((r) => r.offset % 8 !== 0)) return null;
        const col = (c: number): Float64Array => {
          const at = w.bodyAt - lo + w.buffers[2 * c + 1]!.offset;
          return new Float64Array(body.buffer, body.byteOffset + at + a * 8, b - a);
        };
        slices.push({ row: w.first + a - from, n: b - a, columns: features.map(col), ...(labelCol >= 0 ? { y: col(labelCol) } : {}) });
      }
    }
    return { slices, nRows: to - from, hasLabel: labelCol >= 0 };
  });
}

const ASYNC_BYTES = 4 << 20;

/** Fills `buf` from the file at `pos`; false at an early end of file. */
async function readFully(fd: number, buf: Buffer, pos: number): Promise<boolean> {
  if (buf.length <= ASYNC_BYTES) {
    for (let got = 0; got < buf.length;) {
      const n = readSync(fd, buf, got, buf.length - got, pos + got);
      if (n === 0) return false;
      got += n;
    }
    return true;
  }
  for (let got = 0; got < buf.length;) {
    const n = await new Promise<number>((resolve, reject) => read(fd, buf, got, buf.length - got, pos + got, (err, bytes) => (err ? reject(err) : resolve(bytes))));
    if (n === 0) return false;
    got += n;
  }
  return true;
}
