/**
 * The envelope's bytes read and written by hand where the codec's fast paths skip @msgpack/msgpack
 * (codec.ts): plain reply payloads, ASCII names, strict UTF-8 checks, short strings, and the slab
 * a client's CALL heads are copied into. Every function here returns "not mine" (NOT_PLAIN, null)
 * for what it does not recognise, so the general decoder stays the single source of truth.
 */
import { BadArgumentError } from '../errors.ts';

/** What plainPayload returns for a payload the decoder has to read. */
export const NOT_PLAIN = Symbol('not plain');

/**
 * A reply's payload that is the rest of `b` from `at` and one of the plain kinds most results are
 * (nil, a boolean, a non-negative integer below 2^32, bytes), read as the decoder reads it (bytes
 * as a view of the frame); NOT_PLAIN for anything else, or for bytes that do not end exactly there.
 */
export function plainPayload(b: Uint8Array, at: number): unknown {
  const end = b.byteLength;
  const h = b[at];
  if (h === undefined) return NOT_PLAIN;
  if (at + 1 === end) {
    if (h < 0x80) return h;
    if (h === 0xc0) return null;
    if (h === 0xc2) return false;
    if (h === 0xc3) return true;
    return NOT_PLAIN;
  }
  if (h === 0xcc && at + 2 === end) return b[at + 1];
  if (h === 0xcd && at + 3 === end) return (b[at + 1]! << 8) | b[at + 2]!;
  if (h === 0xce && at + 5 === end) return ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!);
  let len = -1;
  let start = 0;
  if (h === 0xc4 && at + 2 <= end) { len = b[at + 1]!; start = at + 2; }
  else if (h === 0xc5 && at + 3 <= end) { len = (b[at + 1]! << 8) | b[at + 2]!; start = at + 3; }
  else if (h === 0xc6 && at + 5 <= end) { len = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!); start = at + 5; }
  if (len >= 0 && start + len === end) return b.subarray(start, end);
  return NOT_PLAIN;
}

/**
 * A call's args and a nil opts, the rest of `b` from `at`, when the args are a fixarray of plain
 * values — nil, booleans, integers of up to 32 bits, ASCII strings (fixstr, str 8), bytes (as a
 * view of the frame, as the decoder gives them) — read as the decoder reads them; null for
 * anything else (floats, maps, extensions, opts present, trailing bytes): the decoder reads those.
 */
export function plainArgsNilOpts(b: Uint8Array, at: number): unknown[] | null {
  const h = b[at];
  if (h === undefined || h < 0x90 || h > 0x9f) return null;
  const n = h - 0x90;
  const end = b.byteLength;
  const args: unknown[] = [];
  let p = at + 1;
  for (let i = 0; i < n; i++) {
    const x = b[p];
    if (x === undefined) return null;
    if (x < 0x80) { args.push(x); p += 1; continue; }
    if (x >= 0xe0) { args.push(x - 0x100); p += 1; continue; }
    if (x === 0xc0) { args.push(null); p += 1; continue; }
    if (x === 0xc2 || x === 0xc3) { args.push(x === 0xc3); p += 1; continue; }
    if (x === 0xcc && p + 2 <= end) { args.push(b[p + 1]!); p += 2; continue; }
    if (x === 0xcd && p + 3 <= end) { args.push((b[p + 1]! << 8) | b[p + 2]!); p += 3; continue; }
    if (x === 0xce && p + 5 <= end) { args.push(((b[p + 1]! << 24) >>> 0) + ((b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!)); p += 5; continue; }
    if (x === 0xd0 && p + 2 <= end) { args.push((b[p + 1]! << 24) >> 24); p += 2; continue; }
    if (x === 0xd1 && p + 3 <= end) { args.push((((b[p + 1]! << 8) | b[p + 2]!) << 16) >> 16); p += 3; continue; }
    if (x === 0xd2 && p + 5 <= end) { args.push((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!); p += 5; continue; }
    let len = -1;
    let start = 0;
    if (x === 0xc4 && p + 2 <= end) { len = b[p + 1]!; start = p + 2; }
    else if (x === 0xc5 && p + 3 <= end) { len = (b[p + 1]! << 8) | b[p + 2]!; start = p + 3; }
    else if (x === 0xc6 && p + 5 <= end) { len = ((b[p + 1]! << 24) >>> 0) + ((b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!); start = p + 5; }
    if (len >= 0) {
      if (start + len > end) return null;
      args.push(b.subarray(start, start + len));
      p = start + len;
      continue;
    }
    const str = asciiAt(b, p);
    if (str === null) return null;
    args.push(str);
    p = asciiEnd;
  }
  // opts: nil, and nothing after it.
  return p + 1 === end && b[p] === 0xc0 ? args : null;
}

/** Where the string asciiAt read ends (a module variable: no result object per string). */
export let asciiEnd = 0;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * The MessagePack string at `at` (fixstr or str 8) if all its bytes are ASCII — valid UTF-8 that
 * decodes to the same string as latin1 — setting asciiEnd; null for anything else.
 */
export function asciiAt(b: Uint8Array, at: number, last?: LastString): string | null {
  const h = b[at];
  let len: number;
  let start: number;
  if (h === undefined) return null;
  if (h >= 0xa0 && h <= 0xbf) { len = h - 0xa0; start = at + 1; }
  else if (h === 0xd9 && at + 1 < b.byteLength) { len = b[at + 1]!; start = at + 2; }
  else return null;
  const end = start + len;
  if (end > b.byteLength) return null;
  // The same bytes as the last call's (a type or method name, nearly always): the same string,
  // without a new one to make and hash again downstream.
  if (last !== undefined && last.bytes.byteLength === len) {
    const prev = last.bytes;
    let i = 0;
    while (i < len && prev[i] === b[start + i]) i++;
    if (i === len) {
      asciiEnd = end;
      return last.str;
    }
  }
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return null;
  asciiEnd = end;
  const str = latin1Slice.call(b, start, end);
  if (last !== undefined) {
    // A copy (Buffer#slice would be a view pinning the whole frame), made only when the name changes.
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = b[start + i]!;
    last.bytes = bytes;
    last.str = str;
  }
  return str;
}

/** The last ASCII string decodeCall read in one position of the envelope (its bytes are ASCII). */
export interface LastString { bytes: Uint8Array; str: string }

/** Attachments of a one-frame message while decoding (never pushed to: encoding starts a fresh list). */
export const NO_FRAMES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
/** ES2024 string methods (Node >= 20 has them; the compiler's lib is older). */
export type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

/**
 * Throws unless `bytes[at, at+len)` is UTF-8. @msgpack/msgpack decodes a surrogate's three bytes
 * (ED A0 80) into a lone surrogate, which a node would store and echo to a strict reader (Python).
 */
export function checkUtf8(bytes: Uint8Array, at: number, len: number): void {
  const end = at + len;
  if (end > bytes.byteLength) return; // truncated: the decoder reports it
  for (let i = at; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      try { fatalUtf8.decode(bytes.subarray(at, end)); } catch { throw new BadArgumentError(`a string at byte ${at} of the envelope is not valid UTF-8`); }
      return;
    }
  }
}

/** The decoder internals the checks hook into (@msgpack/msgpack 3.1, pinned). */
export interface DecoderInternals {
  bytes: Uint8Array;
  pos: number;
  entered: boolean;
  decodeUtf8String(byteLength: number, headerOffset: number): string;
  pushArrayState(size: number): void;
  reinitializeState(): void;
  setBuffer(buffer: Uint8Array): void;
  doDecodeSync(): unknown;
  hasRemaining(size: number): boolean;
  createExtraByteError(pos: number): Error;
}

/** The encoder internals the CALL fast path writes through (@msgpack/msgpack 3.1, pinned). */
export interface EncoderInternals {
  bytes: Uint8Array;
  pos: number;
  entered: boolean;
  ensureBufferSizeToWrite(size: number): void;
  encodeNumber(n: number): void;
  encodeString(s: string): void;
  doEncode(v: unknown, depth: number): void;
}

/**
 * Writes `s` as MessagePack: a short ASCII string (type, key and method names, nearly always) byte
 * by byte as fixstr, what @msgpack/msgpack's encodeString makes of it without its utf8 count and
 * encode passes; anything else through encodeString (and its lone-surrogate check).
 */
export function writeString(e: EncoderInternals, s: string): void {
  const n = s.length;
  if (n < 32) {
    e.ensureBufferSizeToWrite(1 + n);
    const b = e.bytes;
    const at = e.pos;
    b[at] = 0xa0 | n;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[at + 1 + i] = c;
    }
    if (i === n) {
      e.pos = at + 1 + n;
      return;
    }
  }
  e.encodeString(s);
}

/**
 * Where an encoded head is copied when it is too big for V8's on-heap typed arrays (64 bytes):
 * `Uint8Array.prototype.slice` gives each its own ArrayBuffer (~0.2 µs for 1 KB), a view into a
 * shared slab costs a third of that. Two kinds of heads come from here, neither kept long nor
 * decoded in place: a client's CALL heads (they live until their reply) and a node's one-frame OK
 * replies (sent, and kept by the reply cache only as a copy in its own chunks: dso/dedup.ts copies
 * every one-frame reply up to CHUNKED_MAX_BYTES = SLAB_MAX_COPY). A node's multi-frame replies
 * stay exact-size: the cache keeps those frames as they are, and a slab pinned by one of them would
 * hold memory its byte accounting does not see. Measured (2-core VM, loaded): a node's 1 KB OK
 * reply encoded in 1,056 → 449 ns of CPU (least of 21 rounds); `slice` of 1 KB alone ~0.9 µs.
 */
const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_COPY = 4 * 1024;
/**
 * A slab's memory is not zeroed (as Buffer.allocUnsafe's pool): only written bytes are ever viewed,
 * and `new ArrayBuffer(64 KiB)` zero-fills and faults in 16 pages — 6-15 µs against ~2.5 µs.
 */
const newSlab = (): ArrayBuffer => Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
let slab = newSlab();
let slabAt = 0;
/** `ownCopy(bytes.subarray(0, n))` without the view when the head is small enough to be copied on-heap anyway. */
export function ownHead(bytes: Uint8Array, n: number): Uint8Array {
  return n <= 64 || n > SLAB_MAX_COPY ? bytes.slice(0, n) : ownCopy(bytes.subarray(0, n));
}

export function ownCopy(shared: Uint8Array): Uint8Array {
  const n = shared.byteLength;
  if (n <= 64 || n > SLAB_MAX_COPY) return shared.slice();
  if (slabAt + n > SLAB_BYTES) {
    slab = newSlab();
    slabAt = 0;
  }
  const out = new Uint8Array(slab, slabAt, n);
  out.set(shared);
  slabAt += (n + 7) & ~7;
  return out;
}


/**
 * The seq of an envelope that failed to decode, for its error reply: its fourth element when the
 * three before it are scalars, read without decoding anything else. A decoder handed a hostile array
 * header allocates for it before it finds the bytes missing: 22 bytes declaring 20,948,772 elements
 * cost a node 160 MB on the way to the refusal (found by bench/fuzz). null when there is no such seq.
 */
export function seqAt(b: Uint8Array): number | null {
  const h = b[0];
  let n: number;
  let at: number;
  if (h === undefined) return null;
  if (h >= 0x90 && h <= 0x9f) { n = h & 0x0f; at = 1; }
  else if (h === 0xdc && b.byteLength >= 3) { n = (b[1]! << 8) | b[2]!; at = 3; }
  else if (h === 0xdd && b.byteLength >= 5) { n = ((b[1]! << 24) >>> 0) + ((b[2]! << 16) | (b[3]! << 8) | b[4]!); at = 5; }
  else return null;
  if (n < 4) return null;
  for (let i = 0; i < 3 && at >= 0; i++) at = afterScalar(b, at);
  return at < 0 ? null : numberAt(b, at);
}

/** Where the scalar (nil, boolean, number, string, bytes, extension) at `at` ends; -1 for anything else or past the end. */
function afterScalar(b: Uint8Array, at: number): number {
  const h = b[at];
  if (h === undefined) return -1;
  const len = (size: number, width: number) => {
    if (at + 1 + width > b.byteLength) return -1;
    let v = 0;
    for (let i = 1; i <= width; i++) v = v * 256 + b[at + i]!;
    return at + 1 + width + v * size;
  };
  let end: number;
  if (h <= 0x7f || h >= 0xe0 || h === 0xc0 || h === 0xc2 || h === 0xc3) end = at + 1;
  else if (h >= 0xa0 && h <= 0xbf) end = at + 1 + (h & 0x1f);
  else if (h === 0xcc || h === 0xd0) end = at + 2;
  else if (h === 0xcd || h === 0xd1) end = at + 3;
  else if (h === 0xce || h === 0xd2 || h === 0xca) end = at + 5;
  else if (h === 0xcf || h === 0xd3 || h === 0xcb) end = at + 9;
  else if (h === 0xd9 || h === 0xc4) end = len(1, 1);
  else if (h === 0xda || h === 0xc5) end = len(1, 2);
  else if (h === 0xdb || h === 0xc6) end = len(1, 4);
  else if (h >= 0xd4 && h <= 0xd8) end = at + 2 + (1 << (h - 0xd4));
  else if (h >= 0xc7 && h <= 0xc9) { const l = len(1, 1 << (h - 0xc7)); end = l < 0 ? -1 : l + 1; }
  else return -1;
  return end >= 0 && end <= b.byteLength ? end : -1;
}

/** The number at `at` (any MessagePack int or float, as the decoder reads it), or null. */
function numberAt(b: Uint8Array, at: number): number | null {
  const h = b[at];
  if (h === undefined || afterScalar(b, at) < 0) return null;
  if (h <= 0x7f) return h;
  if (h >= 0xe0) return h - 0x100;
  const v = new DataView(b.buffer, b.byteOffset + at + 1);
  switch (h) {
    case 0xcc: return v.getUint8(0);
    case 0xcd: return v.getUint16(0);
    case 0xce: return v.getUint32(0);
    case 0xcf: return Number(v.getBigUint64(0));
    case 0xd0: return v.getInt8(0);
    case 0xd1: return v.getInt16(0);
    case 0xd2: return v.getInt32(0);
    case 0xd3: return Number(v.getBigInt64(0));
    case 0xca: return v.getFloat32(0);
    case 0xcb: return v.getFloat64(0);
    default: return null;
  }
}
