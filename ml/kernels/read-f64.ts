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

/**
 * An all-float64 file's columns and batches, from its footer and the batches' metadata; null when this path does not apply.
 * `read`: those bytes and where they lie, compared again when the index is found kept (see {@link indexes}).
 */
interface F64Index { featureNames: string[]; features: number[]; labelCol: number; batches: F64Batch[]; nRows: number; read: Array<{ at: number; bytes: Buffer }> }

/**
 * Indexes of files read lately in this thread, keyed by the file's identity and version (device,
 * inode, size, modification and change times) and the label: the index of a file read again (a
 * refit, the driver's plan then the cloud thread's read) comes without decoding its footer and
 * batch metadata again (apache-arrow's flatbuffers code, 0.5-1.5 ms a fit in a process's first
 * fits). Any write to the file changes its times, a replaced file its inode: a changed file is indexed anew.
 */
const indexes = new Map<string, F64Index | null>();
const INDEXES_KEPT = 8;

async function indexF64(fd: number, label: string | undefined): Promise<F64Index | null> {
  const st = fstatSync(fd, { bigint: true });
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${label === undefined ? '' : `=${label}`}`;
  const kept = indexes.get(key);
  // A file rewritten in place within one tick of its file system's clock (1 s on some, a jiffy on
  // kernels before 6.13) keeps its times: the bytes indexed are read again (a few small reads, no
  // decode). A kept null is safe as it is: the regular reader reads the file as it is now.
  if (kept !== undefined && (kept === null || sameBytes(fd, kept.read))) return kept;
  const ix = await indexFile(fd, Number(st.size), label);
  if (indexes.size >= INDEXES_KEPT) indexes.delete(indexes.keys().next().value!);
  indexes.set(key, ix);
  return ix;
}

function sameBytes(fd: number, read: ReadonlyArray<{ at: number; bytes: Buffer }>): boolean {
  for (const { at, bytes } of read) {
    const now = Buffer.allocUnsafe(bytes.length);
    if (readSync(fd, now, 0, now.length, at) !== now.length || !now.equals(bytes)) return false;
  }
  return true;
}

/**
 * Reads the footer and each batch's metadata (small: synchronous reads, where an async read costs a
 * trip through libuv's pool each, several per file).
 */
async function indexFile(fd: number, size: number, label: string | undefined): Promise<F64Index | null> {
  const [{ Type, MessageHeader }, { Footer }, { Message }] = await arrow();
  if (size < 22) return null;
  const tail = Buffer.alloc(10);
  readSync(fd, tail, 0, 10, size - 10);
  if (tail.toString('latin1', 4) !== MAGIC) return null;
  const footerLen = tail.readInt32LE(0);
  if (footerLen <= 0 || footerLen > size - 18) return null;
  const footerBuf = Buffer.alloc(footerLen);
  readSync(fd, footerBuf, 0, footerLen, size - 10 - footerLen);
  const read = [{ at: size - 10 - footerLen, bytes: Buffer.concat([footerBuf, tail]) }];
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
    read.push({ at: b.offset, bytes: meta });
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
  return { featureNames: features.map((i) => fields[i]!.name), features, labelCol, batches, nRows: start, read };
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
    return ix && { nRows: ix.nRows, featureNames: [...ix.featureNames], hasLabel: ix.labelCol >= 0 };
  });
}

/**
 * One body buffer (at most {@link SPARE_BODY_BYTES}) kept by this thread between reads that lend it
 * ({@link readF64Slices}' `lend`): a fresh buffer of a fit's size is page-faulted in again on
 * every read. Taken by one read at a time; a read that finds it taken or too small allocates.
 */
let spareBody: Buffer | null = null;
const SPARE_BODY_BYTES = 4 << 20;

function takeBody(bytes: number): { body: Buffer; giveBack: () => void } {
  const kept = spareBody;
  const whole = kept !== null && kept.length >= bytes ? kept : Buffer.allocUnsafeSlow(bytes);
  if (whole === kept) spareBody = null;
  let back = false;
  const giveBack = (): void => {
    if (back) return;
    back = true;
    if (whole.length <= SPARE_BODY_BYTES && (spareBody === null || spareBody.length < whole.length)) spareBody = whole;
  };
  return { body: whole.subarray(0, bytes), giveBack };
}

/**
 * Rows [from, to) as ml/data/read.ts readColumnSlices gives them, or null when this path does not apply.
 * @param lend the columns are views of a buffer this thread reuses for a later read once the
 *   caller has called `giveBack` (which it must do only when it holds no view of them any more,
 *   e.g. after copying them into the kernels' layout); without `lend` the buffer is the result's own
 */
export async function readF64Slices(path: string, from: number, to: number, nCols: number, label?: string, lend = false): Promise<{ slices: ColumnSlice[]; nRows: number; hasLabel: boolean; giveBack?: () => void } | null> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) return null;
  return withFile(path, async (fd) => {
    const ix = await indexF64(fd, label);
    if (!ix || ix.features.length !== nCols || to > ix.nRows) return null;
    const { features, labelCol } = ix;
    const wanted = ix.batches.filter((w) => w.first < to && w.first + w.rows > from && w.rows > 0);
    if (wanted.some((w) => w.nulls)) return null;
    const slices: ColumnSlice[] = [];
    let giveBack: (() => void) | undefined;
    if (wanted.length > 0) {
      // The wanted batches' bodies in one read (they are contiguous in the file, metadata between);
      // over 4 MB asynchronously, so the thread's other cloud threads run meanwhile.
      const lo = wanted[0]!.bodyAt, hi = wanted[wanted.length - 1]!.bodyAt + wanted[wanted.length - 1]!.bodyLen;
      let body: Buffer;
      if (lend) ({ body, giveBack } = takeBody(hi - lo));
      else body = Buffer.allocUnsafeSlow(hi - lo);
      if (!(await readFully(fd, body, lo))) { giveBack?.(); return null; }
      for (const w of wanted) {
        const a = Math.max(from, w.first) - w.first, b = Math.min(to, w.first + w.rows) - w.first;
        if ((body.byteOffset + w.bodyAt - lo) % 8 !== 0 || w.buffers.some((r) => r.offset % 8 !== 0)) { giveBack?.(); return null; }
        const col = (c: number): Float64Array => {
          const at = w.bodyAt - lo + w.buffers[2 * c + 1]!.offset;
          return new Float64Array(body.buffer, body.byteOffset + at + a * 8, b - a);
        };
        slices.push({ row: w.first + a - from, n: b - a, columns: features.map(col), ...(labelCol >= 0 ? { y: col(labelCol) } : {}) });
      }
    }
    return { slices, nRows: to - from, hasLabel: labelCol >= 0, ...(giveBack ? { giveBack } : {}) };
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
