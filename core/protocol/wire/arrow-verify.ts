/**
 * Bounds checks for an Arrow IPC stream before apache-arrow decodes it. apache-arrow 21.2 trusts the
 * flatbuffer lengths it reads: a vector length of 2^31 in 120 bytes makes it loop for minutes
 * (`decodeCustomMetadata`, `decodeSchemaFields`, `decodeFieldNodes`), growing memory with each
 * field it builds. This walks every message of the stream the way the decoder will, and refuses one
 * whose offsets, vectors, strings or body regions do not fit in the bytes actually received, so the
 * decoder's loops are bounded by the frame's size.
 *
 * Written from the flatbuffers binary format and Arrow's Message.fbs / Schema.fbs (format version 5):
 * a table starts with a signed offset back to its vtable; the vtable holds its own size, the table's
 * inline size and one uint16 offset per field; offsets to tables, vectors and strings are uint32 and
 * relative to where they are stored.
 */
import { BadFrameError } from '../errors.ts';

/** Nesting of fields (struct of list of ...) deeper than this is refused: the decoder recurses on it. */
export const MAX_FIELD_DEPTH = 64;

// Arrow's MessageHeader union and the Type union members that hold vectors.
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
const TYPE_UNION = 14;
const INT32_MAX = 0x7fffffff;

class Verifier {
  private readonly view: DataView;
  private readonly len: number;
  /** Tables visited so far: a flatbuffer may share a subtable many times over (a DAG), the decoder would walk each. */
  private visits = 0;

  constructor(bytes: Uint8Array, private readonly maxVisits: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.len = bytes.byteLength;
  }

  fail(what: string): never {
    throw new BadFrameError(`attachment is not a valid Arrow IPC stream: ${what}`);
  }

  private need(pos: number, size: number, what: string): void {
    if (!(pos >= 0 && size >= 0 && pos + size <= this.len)) this.fail(`${what} at ${pos} (+${size}) lies outside the ${this.len}-byte message`);
  }

  u8(pos: number, what: string): number { this.need(pos, 1, what); return this.view.getUint8(pos); }
  u16(pos: number, what: string): number { this.need(pos, 2, what); return this.view.getUint16(pos, true); }
  u32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getUint32(pos, true); }
  i32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getInt32(pos, true); }
  i64(pos: number, what: string): number {
    this.need(pos, 8, what);
    const v = this.view.getBigInt64(pos, true);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${v}`);
    return Number(v);
  }

  /** A table at `pos`: its vtable and inline part in bounds. Returns the field-offset reader. */
  table(pos: number, what: string): Table {
    if (++this.visits > this.maxVisits) this.fail(`more than ${this.maxVisits} tables (shared subtables)`);
    const vt = pos - this.i32(pos, `${what} vtable offset`);
    this.need(vt, 4, `${what} vtable`);
    const vtSize = this.view.getUint16(vt, true);
    const inline = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`${what} vtable size ${vtSize}`);
    this.need(vt, vtSize, `${what} vtable`);
    if (inline < 4) this.fail(`${what} inline size ${inline}`);
    this.need(pos, inline, what);
    return new Table(this, pos, vt, vtSize, inline, what);
  }

  /** The target of the uint32 offset stored at `pos`. */
  deref(pos: number, what: string): number {
    return pos + this.u32(pos, `${what} offset`);
  }

  /** A vector at `pos` of `elem`-byte elements; returns [first element, length]. */
  vector(pos: number, elem: number, what: string): [number, number] {
    const n = this.u32(pos, `${what} length`);
    this.need(pos + 4, n * elem, `${what} (${n} elements)`);
    return [pos + 4, n];
  }
}

class Table {
  constructor(
    private readonly v: Verifier, readonly pos: number, private readonly vt: number,
    private readonly vtSize: number, private readonly inline: number, private readonly what: string,
  ) {}

  /** Where field `slot` is stored, or undefined when absent; `size` bytes of it must lie inside the table. */
  field(slot: number, size: number): number | undefined {
    const at = 4 + 2 * slot;
    if (at + 2 > this.vtSize) return undefined;
    const off = this.v.u16(this.vt + at, `${this.what} vtable`);
    if (off === 0) return undefined;
    if (off + size > this.inline) this.v.fail(`${this.what} field ${slot} lies outside its table`);
    return this.pos + off;
  }

  u8(slot: number): number | undefined {
    const p = this.field(slot, 1);
    return p === undefined ? undefined : this.v.u8(p, `${this.what} field ${slot}`);
  }

  long(slot: number, what: string): number | undefined {
    const p = this.field(slot, 8);
    return p === undefined ? undefined : this.v.i64(p, `${this.what}.${what}`);
  }

  child(slot: number, what: string): Table | undefined {
    const p = this.field(slot, 4);
    return p === undefined ? undefined : this.v.table(this.v.deref(p, what), `${this.what}.${what}`);
  }

  /** A vector field of `elem`-byte elements: [first, length], or undefined when absent. */
  vector(slot: number, elem: number, what: string): [number, number] | undefined {
    const p = this.field(slot, 4);
    return p === undefined ? undefined : this.v.vector(this.v.deref(p, what), elem, `${this.what}.${what}`);
  }

  /** A vector of tables: each one checked by `each`. */
  tables(slot: number, what: string, each: (t: Table) => void): void {
    const vec = this.vector(slot, 4, what);
    if (!vec) return;
    const [first, n] = vec;
    for (let i = 0; i < n; i++) each(this.v.table(this.v.deref(first + 4 * i, `${what}[${i}]`), `${this.what}.${what}[${i}]`));
  }

  string(slot: number, what: string): void { this.vector(slot, 1, what); }
}

function keyValues(t: Table, slot: number): void {
  t.tables(slot, 'custom_metadata', (kv) => { kv.string(0, 'key'); kv.string(1, 'value'); });
}

function field(v: Verifier, f: Table, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) v.fail(`fields nested deeper than ${MAX_FIELD_DEPTH}`);
  f.string(0, 'name');
  const typeType = f.u8(2);
  const type = f.child(3, 'type');
  if (type && typeType === TYPE_UNION) type.vector(1, 4, 'typeIds');
  const dict = f.child(4, 'dictionary');
  if (dict) { dict.long(0, 'id'); dict.child(1, 'indexType'); }
  f.tables(5, 'children', (c) => field(v, c, depth + 1));
  keyValues(f, 6);
}

/**
 * The most rows a body of `bodyLength` bytes can describe: one bit each (a validity or boolean
 * bitmap is the leanest layout there is). apache-arrow sizes what it allocates by the row counts,
 * not by the buffers: a 360-byte stream claiming 704,643,074 rows of float64 with nulls made it
 * allocate an 88 MB validity bitmap, twice over (found by bench/fuzz). Only a Null-type column (no
 * buffers) or a run-end-encoded one can hold more rows; such a stream is refused.
 */
const maxRows = (bodyLength: number) => 8 * bodyLength;

function recordBatch(v: Verifier, rb: Table, bodyLength: number): void {
  const rows = rb.long(0, 'length') ?? 0;
  if (rows > INT32_MAX || rows > maxRows(bodyLength)) v.fail(`record batch of ${rows} rows in a ${bodyLength}-byte body`);
  const nodes = rb.vector(1, 16, 'nodes');
  if (nodes) {
    for (let i = 0; i < nodes[1]; i++) {
      const len = v.i64(nodes[0] + 16 * i, `nodes[${i}].length`);
      const nulls = v.i64(nodes[0] + 16 * i + 8, `nodes[${i}].null_count`);
      if (len > INT32_MAX || nulls > len || len > maxRows(bodyLength)) v.fail(`field node ${i}: length ${len}, null count ${nulls}, in a ${bodyLength}-byte body`);
    }
  }
  const buffers = rb.vector(2, 16, 'buffers');
  if (buffers) {
    for (let i = 0; i < buffers[1]; i++) {
      const off = v.i64(buffers[0] + 16 * i, `buffers[${i}].offset`);
      const len = v.i64(buffers[0] + 16 * i + 8, `buffers[${i}].length`);
      if (off + len > bodyLength) v.fail(`buffer ${i} (${off}+${len}) lies outside the ${bodyLength}-byte body`);
    }
  }
  rb.child(3, 'compression');
  rb.vector(4, 8, 'variadicBufferCounts');
}

/**
 * Checks every message of an Arrow IPC stream (schema, dictionary and record batches) against the
 * bytes received, before apache-arrow reads it.
 * @throws {BadFrameError} naming the first offset, length or region that does not fit
 */
export function verifyArrowStream(bytes: Uint8Array): void {
  const v = new Verifier(bytes, 16 + (bytes.byteLength >> 2));
  let pos = 0;
  while (pos < bytes.byteLength) {
    let metaLen = v.i32(pos, 'message length');
    pos += 4;
    if (metaLen === -1) { metaLen = v.i32(pos, 'message length'); pos += 4; } // 0xFFFFFFFF continuation marker
    if (metaLen === 0) return; // end of stream
    if (metaLen < 0 || pos + metaLen > bytes.byteLength) v.fail(`message metadata of ${metaLen} bytes at ${pos}`);
    const meta = new Verifier(bytes.subarray(pos, pos + metaLen), 16 + (metaLen >> 2));
    const msg = meta.table(meta.deref(0, 'root'), 'Message');
    const headerType = msg.u8(1);
    const bodyLength = msg.long(3, 'bodyLength') ?? 0;
    keyValues(msg, 4);
    const header = msg.child(2, 'header');
    if (header && headerType === HEADER_SCHEMA) {
      header.tables(1, 'fields', (f) => field(meta, f, 0));
      keyValues(header, 2);
      header.vector(3, 8, 'features');
    } else if (header && headerType === HEADER_RECORD_BATCH) {
      recordBatch(meta, header, bodyLength);
    } else if (header && headerType === HEADER_DICTIONARY_BATCH) {
      header.long(0, 'id');
      const data = header.child(1, 'data');
      if (data) recordBatch(meta, data, bodyLength);
    }
    pos += metaLen;
    if (bodyLength > bytes.byteLength - pos) v.fail(`message body of ${bodyLength} bytes, ${bytes.byteLength - pos} left`);
    pos += bodyLength;
  }
}
