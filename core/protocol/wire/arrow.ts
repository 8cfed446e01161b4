/**
 * Arrow IPC for numeric arrays and tables. A TypedArray becomes a one-column stream without an
 * element-by-element copy; on arrival the column's buffer is handed back as a TypedArray view.
 *
 * apache-arrow takes ~140 ms to load, more than the rest of a client together, and a small call never
 * needs it: it loads on the first payload that carries Arrow (`loadArrow`). Until then the encoders and
 * `decodeArrow` throw `ArrowPending`, which the codec's callers catch to load it and retry the same
 * message, so scalar calls never wait on an import.
 */
import { createRequire } from 'node:module';
import type { Table } from 'apache-arrow';
import { ARROW_ARRAY_COLUMN, ARROW_KIND_ARRAY, ARROW_KIND_KEY, ARROW_KIND_TABLE } from './protocol.ts';
import { BadFrameError, CrucialError } from '../errors.ts';
import { verifyArrowStream } from './arrow-verify.ts';
import { joinChunks } from './frames.ts';
import { decodeFromTemplate, decodeFromTemplateParts, encodeFromTemplate, keepDecodeTemplate, keepEncodeTemplate } from './arrow-templates.ts';

type ArrowModule = typeof import('apache-arrow');
let arrow: ArrowModule | undefined;
let loading: Promise<void> | undefined;

/**
 * Thrown (synchronously) by the Arrow path before apache-arrow is loaded. Never leaves the process:
 * whoever called the codec awaits `loadArrow()` and encodes or decodes the same message again.
 */
export class ArrowPending extends Error {
  constructor() { super('apache-arrow is not loaded yet: await loadArrow() and retry'); }
}

/** True once apache-arrow is loaded: the codec's Arrow path then runs synchronously. */
export function arrowReady(): boolean { return arrow !== undefined; }

/**
 * Compiled to CommonJS (tsx under mocha requires the sources), the program's own `import 'apache-arrow'`
 * is a require too: load that copy, or its Tables would not be ours (instanceof). Only there is
 * `__filename` the module wrapper's own (`node -e` defines a global one, which an ES module sees);
 * a bundler sees no require() to follow.
 */
const cjsRequire = typeof __filename === 'string' && __filename !== (globalThis as { __filename?: unknown }).__filename ? createRequire(__filename) : undefined;

/** Loads apache-arrow once; later calls return the same promise (a failure is retried by the next call). */
export function loadArrow(): Promise<void> {
  loading ??= Promise.resolve()
    .then(() => (cjsRequire ? (cjsRequire('apache-arrow') as ArrowModule) : import('apache-arrow')))
    .then((m) => { arrow = m; }, (err) => { loading = undefined; throw err; });
  return loading;
}

/** Runs `fn`, and again after loading apache-arrow if it needed Arrow before it was loaded. */
export async function withArrow<T>(fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ArrowPending)) throw err;
    await loadArrow();
    return fn();
  }
}

function need(): ArrowModule {
  if (!arrow) throw new ArrowPending();
  return arrow;
}

/** Numeric arrays that travel as Arrow (Uint8Array travels as MessagePack bin instead). */
export type NumericArray =
  | Float64Array | Float32Array | Int8Array | Int16Array | Int32Array
  | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

export function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray);
}

/**
 * Whether `v` is an Arrow Table. Before apache-arrow is loaded here, a Table can only come from a
 * program that imported it itself; one that looks like a Table makes this throw `ArrowPending`, and
 * the retry checks it properly.
 */
export function isTable(v: unknown): v is Table {
  if (arrow) return v instanceof arrow.Table;
  if (looksLikeTable(v)) throw new ArrowPending();
  return false;
}

/**
 * A Table by shape, without apache-arrow (values passed through as they are). The encoder asks
 * this of every array, map and byte string it writes (msgpack tries extensions first): the two
 * property tests come before `constructor.name`, a native getter call (~0.1 µs) per value.
 */
export function looksLikeTable(v: unknown): boolean {
  if (arrow) return v instanceof arrow.Table;
  return typeof v === 'object' && v !== null && 'batches' in v && 'schema' in v && v.constructor?.name === 'Table';
}

export function encodeArray(arr: NumericArray): Uint8Array {
  const { chunks, size } = encodeArrayChunks(arr);
  return joinChunks(chunks, size);
}

export function encodeTable(table: Table): Uint8Array {
  const { chunks, size } = encodeTableChunks(table);
  return joinChunks(chunks, size);
}

/** An IPC stream as the writer emits it: `size` bytes in `chunks`, the large ones views of the columns' own buffers. */
export interface IpcChunks { chunks: Uint8Array[]; size: number }

/** `encodeArray`'s stream, unjoined: the array's own buffer is one of the chunks (ScatterFrame sends them as they are). */
export function encodeArrayChunks(arr: NumericArray): IpcChunks {
  const { Table, Schema, makeVector } = need();
  const known = encodeFromTemplate(arr);
  if (known) return known;
  const plain = new Table({ [ARROW_ARRAY_COLUMN]: makeVector(arr as any) });
  const schema = new Schema(plain.schema.fields, new Map([[ARROW_KIND_KEY, ARROW_KIND_ARRAY]]));
  const ipc = toIPC(new Table(schema, plain.batches));
  keepEncodeTemplate(arr, ipc.chunks, ipc.size);
  return ipc;
}

/** `encodeTable`'s stream, unjoined. */
export function encodeTableChunks(table: Table): IpcChunks {
  const { Table, Schema } = need();
  const metadata = new Map(table.schema.metadata);
  metadata.set(ARROW_KIND_KEY, ARROW_KIND_TABLE);
  const schema = new Schema(table.schema.fields, metadata);
  return toIPC(new Table(schema, table.batches));
}

/**
 * The IPC stream of `table`, byte for byte what `tableToIPC(table, 'stream')` makes, as the chunks
 * the writer emits (views of the columns' own buffers among them). tableToIPC joins them into a
 * zero-filled Uint8Array: two passes over an 8 MB body, 4-17 ms where one copy takes 1
 * (bench/hot-path-arrays.ts). Joined (`joinChunks`) they are copied once into an uninitialised
 * buffer; sent as a ScatterFrame they are not copied at all.
 */
function toIPC(table: Table): IpcChunks {
  const m = need();
  const sink = new (gatherClass ??= gatherSink(m))();
  const writer = new m.RecordBatchStreamWriter();
  writer.reset(sink as unknown as Parameters<typeof writer.reset>[0]);
  writer.writeAll(table);
  return { chunks: sink.chunks, size: sink.size };
}

interface GatherSink { chunks: Uint8Array[]; size: number }
let gatherClass: (new () => GatherSink) | undefined;

/** The writer takes any AsyncByteQueue as its sink and hands it each chunk through write(): kept, not queued. */
function gatherSink(m: ArrowModule): new () => GatherSink {
  return class extends m.AsyncByteQueue implements GatherSink {
    chunks: Uint8Array[] = [];
    size = 0;
    override write(chunk: unknown): void {
      const c = chunk as Uint8Array;
      this.chunks.push(c);
      this.size += c.byteLength;
    }
  };
}

/** The buffers under arrays `decodeArrow` returned: a received frame (or apache-arrow's aligned copy of one), which nothing here writes into. */
const received = new WeakSet<ArrayBufferLike>();

/**
 * Whether `arr` lies in a buffer `decodeArrow` handed out: a node that keeps such an array as it
 * came (AtomicReference) never writes into it, so its reply may send the buffer itself.
 */
export function isReceivedArray(arr: NumericArray): boolean {
  return received.has(arr.buffer);
}

/**
 * Decodes one attachment frame into a TypedArray (kind `array`) or an Arrow Table. The frame's
 * flatbuffer lengths are checked against its size first (arrow-verify.ts): apache-arrow trusts them.
 */
export function decodeArrow(frame: Uint8Array): NumericArray | Table {
  const { tableFromIPC } = need();
  const known = decodeFromTemplate(frame) as NumericArray | undefined;
  if (known) {
    received.add(known.buffer);
    return known;
  }
  verifyArrowStream(frame);
  try {
    const table = tableFromIPC(frame);
    const kind = table.schema.metadata.get(ARROW_KIND_KEY);
    if (kind !== ARROW_KIND_ARRAY) return table;
    const col = table.getChild(ARROW_ARRAY_COLUMN);
    if (!col) throw new BadFrameError(`array attachment has no column "${ARROW_ARRAY_COLUMN}"`);
    if (col.nullCount > 0) throw new BadFrameError('array attachment holds nulls');
    const arr = col.toArray() as unknown;
    if (!isNumericArray(arr) || arr.length !== col.length) throw new BadFrameError('array attachment is not a numeric column backed by its data');
    received.add(arr.buffer);
    keepDecodeTemplate(frame, arr);
    return arr;
  } catch (cause) {
    if (cause instanceof CrucialError) throw cause;
    throw new BadFrameError('attachment is not a valid Arrow IPC stream', { cause });
  }
}

/**
 * Decodes one attachment sent as several frames (PROTOCOL.md §4.1), as `decodeArrow` decodes their
 * concatenation. A stream of a known shape sent as [head, values, tail] decodes to a view of the
 * values frame (no join); any other split is joined once and decoded as one frame.
 */
export function decodeArrowParts(parts: Uint8Array[]): NumericArray | Table {
  need();
  const known = decodeFromTemplateParts(parts) as NumericArray | undefined;
  if (known) {
    received.add(known.buffer);
    return known;
  }
  return decodeArrow(joinChunks(parts, parts.reduce((n, p) => n + p.byteLength, 0)));
}
