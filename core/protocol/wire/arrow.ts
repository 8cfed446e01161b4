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

/** A Table by shape, without apache-arrow (values passed through as they are). */
export function looksLikeTable(v: unknown): boolean {
  if (arrow) return v instanceof arrow.Table;
  return typeof v === 'object' && v !== null && v.constructor?.name === 'Table' && 'schema' in v && 'batches' in v;
}

export function encodeArray(arr: NumericArray): Uint8Array {
  const { Table, Schema, makeVector } = need();
  const plain = new Table({ [ARROW_ARRAY_COLUMN]: makeVector(arr as any) });
  const schema = new Schema(plain.schema.fields, new Map([[ARROW_KIND_KEY, ARROW_KIND_ARRAY]]));
  return toIPC(new Table(schema, plain.batches));
}

export function encodeTable(table: Table): Uint8Array {
  const { Table, Schema } = need();
  const metadata = new Map(table.schema.metadata);
  metadata.set(ARROW_KIND_KEY, ARROW_KIND_TABLE);
  const schema = new Schema(table.schema.fields, metadata);
  return toIPC(new Table(schema, table.batches));
}

/**
 * The IPC stream of `table` in one buffer, byte for byte what `tableToIPC(table, 'stream')` makes.
 * tableToIPC joins the writer's chunks into a zero-filled Uint8Array: two passes over an 8 MB
 * body, and 4-17 ms where one copy takes 1 (bench/hot-path-arrays.ts). Here the chunks (views of
 * the columns' own buffers) are gathered as the writer emits them and copied once into an
 * uninitialised buffer of the exact size.
 */
function toIPC(table: Table): Uint8Array {
  const m = need();
  const sink = new (gatherClass ??= gatherSink(m))();
  const writer = new m.RecordBatchStreamWriter();
  writer.reset(sink as unknown as Parameters<typeof writer.reset>[0]);
  writer.writeAll(table);
  const out = Buffer.allocUnsafeSlow(sink.size);
  let at = 0;
  for (const c of sink.chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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

/**
 * Decodes one attachment frame into a TypedArray (kind `array`) or an Arrow Table. The frame's
 * flatbuffer lengths are checked against its size first (arrow-verify.ts): apache-arrow trusts them.
 */
export function decodeArrow(frame: Uint8Array): NumericArray | Table {
  const { tableFromIPC } = need();
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
    return arr;
  } catch (cause) {
    if (cause instanceof CrucialError) throw cause;
    throw new BadFrameError('attachment is not a valid Arrow IPC stream', { cause });
  }
}
