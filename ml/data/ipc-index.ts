/**
 * Where each record batch of an Arrow IPC file or stream is, and how many rows it holds, learned
 * from the messages' metadata alone (a few hundred bytes per batch): a worker that reads rows
 * [from, to) then loads only the batches that overlap them. An IPC file (Feather v2) has a footer
 * listing its batches, so only those batches' bytes are read from disk; a stream has no index, so
 * its bytes are read whole, but the bodies of batches outside the range are still never decoded.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { Message, MessageHeader, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { BadArgumentError } from '../../core/protocol/errors.ts';

const MAGIC = Buffer.from('ARROW1');
const CONTINUATION = 0xffffffff;

/** One record batch: its row count, and how to load it. */
interface BatchEntry {
  rows: number;
  /** Stream only: the message's bytes (metadata and body), framed. */
  bytes?: Uint8Array;
}

/** An opened dataset file: its schema, its batches' sizes, and a loader for chosen batches. */
export interface IpcIndex {
  schema: Schema;
  rowsPerBatch: number[];
  /** Loads batches by index (ascending), decoding nothing else. */
  load(indexes: number[]): Promise<RecordBatch[]>;
  close(): Promise<void>;
}

/** The error for a file that is not what we read: names the file and says what was expected. */
function notArrow(path: string, why: string, cause?: unknown): BadArgumentError {
  const err = new BadArgumentError(`${path} is not an Arrow IPC file (Feather v2) or stream: ${why}`);
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}

/**
 * Opens an Arrow IPC file or stream and indexes its record batches.
 * @throws {BadArgumentError} when the file is missing, not Arrow IPC, Feather v1, or has compressed batches
 */
export async function openIpc(path: string): Promise<IpcIndex> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new BadArgumentError(`cannot open dataset ${path}: ${(err as Error).message}`);
  }
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    if (bytesRead >= 6 && head.subarray(0, 6).equals(MAGIC)) return await openFile(path, fh);
    if (bytesRead >= 4 && head.subarray(0, 4).toString('latin1') === 'FEA1') throw notArrow(path, 'this is Feather v1, write Feather v2 (pyarrow.feather.write_feather(..., version=2))');
    await fh.close();
    return openStream(path, await readFile(path));
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

async function openFile(path: string, fh: FileHandle): Promise<IpcIndex> {
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(fh);
    await reader.open();
  } catch (err) {
    throw notArrow(path, `unreadable footer or schema (${(err as Error).message})`, err);
  }
  if (!reader.isFile()) throw notArrow(path, 'the ARROW1 magic is there but no file footer');
  const blocks = [...(reader.footer?.recordBatches() ?? [])];
  const rowsPerBatch: number[] = [];
  for (const b of blocks) {
    const meta = Buffer.alloc(b.metaDataLength);
    await fh.read(meta, 0, meta.length, b.offset);
    rowsPerBatch.push(batchRows(path, meta));
  }
  const file = reader;
  return {
    schema: file.schema,
    rowsPerBatch,
    async load(indexes) {
      const out: RecordBatch[] = [];
      for (const i of indexes) {
        const b = await file.readRecordBatch(i);
        if (!b) throw notArrow(path, `record batch ${i} could not be read`);
        out.push(b);
      }
      return out;
    },
    async close() { await fh.close(); },
  };
}

function openStream(path: string, buf: Buffer): IpcIndex {
  let pos = 0;
  let schemaBytes: Uint8Array | undefined;
  const batches: BatchEntry[] = [];
  while (pos < buf.length) {
    const frame = readFrame(path, buf, pos);
    if (frame === null) break; // end-of-stream marker
    const msg = decodeMessage(path, frame.metadata);
    const end = frame.bodyStart + msg.bodyLength;
    if (end > buf.length) throw notArrow(path, `a message at byte ${pos} runs past the end of the file`);
    const bytes = buf.subarray(pos, end);
    if (msg.headerType === MessageHeader.Schema) schemaBytes = bytes;
    else if (msg.headerType === MessageHeader.RecordBatch) batches.push({ rows: rowsOf(path, msg), bytes });
    else if (msg.headerType === MessageHeader.DictionaryBatch) throw new BadArgumentError(`${path}: dictionary-encoded columns are not numeric; features and the label must be numeric columns`);
    pos = end;
  }
  if (!schemaBytes) throw notArrow(path, 'no schema message');
  const schemaMsg = schemaBytes;
  let schema: Schema;
  try {
    schema = RecordBatchReader.from(concat([schemaMsg, EOS])).open().schema;
  } catch (err) {
    throw notArrow(path, `unreadable schema (${(err as Error).message})`, err);
  }
  return {
    schema,
    rowsPerBatch: batches.map((b) => b.rows),
    async load(indexes) {
      // A stream of just the schema and the chosen batches: the others' bodies are never decoded.
      const bytes = concat([schemaMsg, ...indexes.map((i) => batches[i]!.bytes!), EOS]);
      return RecordBatchReader.from(bytes).readAll();
    },
    async close() {},
  };
}

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** One framed message at `pos`: its flatbuffer metadata and where its body starts; null at end of stream. */
function readFrame(path: string, buf: Buffer, pos: number): { metadata: Uint8Array; bodyStart: number } | null {
  if (pos + 4 > buf.length) throw notArrow(path, `truncated message prefix at byte ${pos}`);
  let len = buf.readUInt32LE(pos);
  let start = pos + 4;
  if (len === CONTINUATION) {
    if (pos + 8 > buf.length) throw notArrow(path, `truncated message prefix at byte ${pos}`);
    len = buf.readUInt32LE(pos + 4);
    start = pos + 8;
  }
  if (len === 0) return null;
  if (len > buf.length - start) throw notArrow(path, `message length ${len} at byte ${pos} runs past the end of the file`);
  return { metadata: buf.subarray(start, start + len), bodyStart: start + len };
}

function decodeMessage(path: string, metadata: Uint8Array): Message {
  try {
    return Message.decode(metadata);
  } catch (err) {
    throw notArrow(path, `undecodable message metadata (${(err as Error).message})`, err);
  }
}

/** Rows of a record batch, from a file block's framed metadata. */
function batchRows(path: string, framed: Buffer): number {
  const frame = readFrame(path, framed, 0);
  if (frame === null) throw notArrow(path, 'a footer block points at an end-of-stream marker');
  const msg = decodeMessage(path, frame.metadata);
  if (msg.headerType !== MessageHeader.RecordBatch) throw notArrow(path, 'a footer block does not point at a record batch');
  return rowsOf(path, msg);
}

function rowsOf(path: string, msg: Message): number {
  const header = msg.header() as { length: number | bigint; compression: unknown };
  if (header.compression) {
    throw new BadArgumentError(`${path} has compressed record batches (LZ4/ZSTD), which crucial/ml does not read: write it uncompressed (pyarrow: compression='uncompressed')`);
  }
  return Number(header.length);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
