/**
 * Envelope codec: a MessagePack envelope in frame 0, numeric arrays and tables as Arrow IPC in
 * frames 1..n. Scalars never touch Arrow, so a small call costs a few dozen bytes; arrays never go
 * element by element through MessagePack.
 */
import { Encoder, Decoder } from '@msgpack/msgpack';
import { Kind, ObjectRef, PROTOCOL_VERSION, type CallOptions } from './protocol.ts';
import { ArrowPending } from './arrow.ts';
import { type Frame } from './frames.ts';
import { extensions as codec, type Ctx } from './extensions.ts';

export type { RefLike } from './extensions.ts';
import { BadArgumentError, BadFrameError, ProtocolVersionError, type ErrorData } from '../errors.ts';
import { parseReply, type Reply } from './reply.ts';
import { checkValueShape, type ShapeLimits } from './value-shape.ts';
import { NOT_PLAIN, NO_FRAMES, asciiAt, asciiEnd, checkUtf8, ownHead, plainArgsNilOpts, plainPayload, writeString, type DecoderInternals, type EncoderInternals, type LastString, type WellFormed } from './envelope-bytes.ts';

const identity = (ref: ObjectRef) => ref;
/** Options of a {@link WireCodec}. */
export interface WireCodecOptions {
  /** Refuse strings that are not valid UTF-8 with ERR_BAD_ARGUMENT (the node's calls); default false. */
  strictStrings?: boolean;
  /** Check a call's value shape before decoding it (value-shape.ts: the node's calls); default none. */
  shapeLimits?: ShapeLimits;
}

/**
 * Attachments from this size up are scattered by `encodeCallScattered`: below it, joining costs less
 * than the extra writes (zmtp coalesces messages up to 64 KiB into one write anyway).
 */
export const SCATTER_MIN_BYTES = 64 * 1024;

/** Stateful codec; one per connection (encoding reuses a growing buffer). */
export class WireCodec {
  private readonly ctx: Ctx;
  private readonly encoder: Encoder<Ctx>;
  private readonly decoder: Decoder<Ctx>;
  /** decodeCall's last type and method names (short-lived repeats are the rule: one object, one method). */
  private readonly lastType: LastString = { bytes: new Uint8Array(0), str: '' };
  private readonly lastMethod: LastString = { bytes: new Uint8Array(0), str: '' };
  private readonly shapeLimits: ShapeLimits | undefined;
  /** The frame decodeCall's fast path checked the shape of already (the general path need not again). */
  private shapeChecked: Uint8Array | null = null;

  constructor(reviveRef: (ref: ObjectRef) => unknown = identity, options: WireCodecOptions = {}) {
    this.ctx = { frames: [], scatterMin: Infinity, receivedOnly: false, reviveRef };
    this.encoder = new Encoder({ extensionCodec: codec, context: this.ctx, ignoreUndefined: false });
    this.decoder = new Decoder({ extensionCodec: codec, context: this.ctx });
    this.shapeLimits = options.shapeLimits;
    // A lone surrogate would go out as bytes no strict reader accepts: refused where it is made.
    const enc = this.encoder as unknown as { encodeString(s: string): void };
    const encodeString = enc.encodeString.bind(enc);
    enc.encodeString = (str: string) => {
      if (!(str as unknown as WellFormed).isWellFormed()) throw new BadArgumentError('a string holds a lone surrogate (not valid Unicode); it cannot travel');
      encodeString(str);
    };
    const dec = this.decoder as unknown as DecoderInternals;
    // @msgpack/msgpack allocates `new Array(size)` for an array header before reading any element:
    // 5 bytes declaring 50 million elements took 400 MB. Each element takes at least a byte.
    const pushArrayState = dec.pushArrayState.bind(dec);
    dec.pushArrayState = (size) => {
      if (size > dec.bytes.byteLength - dec.pos) throw new BadFrameError(`an array header declares ${size} elements, the ${dec.bytes.byteLength - dec.pos} bytes left cannot hold them`);
      pushArrayState(size);
    };
    if (options.strictStrings) {
      const decodeUtf8String = dec.decodeUtf8String.bind(dec);
      dec.decodeUtf8String = (byteLength, headerOffset) => {
        checkUtf8(dec.bytes, dec.pos + headerOffset, byteLength);
        return decodeUtf8String(byteLength, headerOffset);
      };
    }
  }

  /** Encodes a value (with its attachments) into frames. */
  encodeValue(envelope: unknown[]): Uint8Array[] {
    return this.encodeFrames(envelope, Infinity) as Uint8Array[];
  }

  /**
   * As `encodeValue`, with attachments of at least `scatterMin` bytes left as the pieces they were
   * made of (frames.ts); `receivedOnly`: only numeric arrays lying in a received frame.
   */
  encodeFrames(envelope: unknown[], scatterMin: number, receivedOnly = false): Frame[] {
    this.ctx.frames = [];
    this.ctx.scatterMin = scatterMin;
    this.ctx.receivedOnly = receivedOnly;
    try {
      const head = this.encoder.encode(envelope);
      return [head, ...this.ctx.frames];
    } finally {
      this.ctx.frames = [];
      this.ctx.scatterMin = Infinity;
      this.ctx.receivedOnly = false;
    }
  }

  /** Decodes frames produced by `encodeValue` without checking the envelope's shape. */
  decodeRaw(frames: Uint8Array[]): unknown {
    return this.decodeFrom(frames, 0);
  }

  /** `decodeRaw` of the value that starts at byte `at` of frame 0 and ends with it. */
  private decodeFrom(frames: Uint8Array[], at: number): unknown {
    if (frames.length === 0) throw new BadFrameError('empty message');
    this.ctx.frames = frames.length === 1 ? NO_FRAMES : frames.slice(1);
    try {
      if (at === 0) return this.decoder.decode(frames[0]!);
      // Decoder.decode from an offset, without a subarray and the DataView of a second buffer.
      const d = this.decoder as unknown as DecoderInternals;
      if (d.entered) return this.decoder.decode(frames[0]!.subarray(at));
      d.entered = true;
      try {
        d.reinitializeState();
        d.setBuffer(frames[0]!);
        d.pos = at;
        const v = d.doDecodeSync();
        if (d.hasRemaining(1)) throw d.createExtraByteError(d.pos);
        return v;
      } finally {
        d.entered = false;
      }
    } catch (cause) {
      if (cause instanceof BadFrameError || cause instanceof BadArgumentError || cause instanceof ArrowPending) throw cause;
      throw new BadFrameError(`envelope is not valid MessagePack: ${(cause as Error).message}`, { cause });
    } finally {
      this.ctx.frames = [];
    }
  }

  /**
   * A reply's frames as `parseReply(decodeValue(frames))` reads them, the same values and errors.
   * The envelope `[1, kind, seq, payload]` with a seq below 2^32 or nil (every reply crucial's
   * nodes send) is read by hand and only the payload goes through the decoder, or none of it for
   * a nil payload; anything else takes the general path.
   */
  decodeReply(frames: Uint8Array[]): Reply {
    const b = frames[0];
    if (b !== undefined && b.byteLength >= 5 && b[0] === 0x94 && b[1] === PROTOCOL_VERSION) {
      const kind = b[2];
      if (kind === Kind.OK || kind === Kind.ERROR) {
        let seq: number | null = -1;
        let at = 4;
        const h = b[3]!;
        if (h < 0x80) seq = h;
        else if (h === 0xc0) seq = null;
        else if (h === 0xcc && b.byteLength >= 6) { seq = b[4]!; at = 5; }
        else if (h === 0xcd && b.byteLength >= 7) { seq = (b[4]! << 8) | b[5]!; at = 6; }
        else if (h === 0xce && b.byteLength >= 9) { seq = ((b[4]! << 24) >>> 0) + ((b[5]! << 16) | (b[6]! << 8) | b[7]!); at = 8; }
        if (seq !== -1) {
          let payload = kind === Kind.OK ? plainPayload(b, at) : NOT_PLAIN;
          if (payload === NOT_PLAIN) payload = this.decodeFrom(frames, at);
          return { kind, seq, payload };
        }
      }
    }
    return parseReply(this.decodeValue(frames));
  }

  /**
   * A CALL's frames as `parseCall(decodeValue(frames))` reads them, the same values and errors
   * (a node's strict strings included). The envelope's fixed part with a seq below 2^32 and ASCII
   * type, key and method (every call crucial's clients make) is read by hand and only args and
   * opts go through the decoder; anything else, or anything that fails, takes the general path.
   */
  decodeCall(frames: Uint8Array[]): Call {
    const b = frames[0];
    this.shapeChecked = null;
    if (b !== undefined && b.byteLength >= 9 && b[0] === 0x99 && b[1] === PROTOCOL_VERSION && b[2] === Kind.CALL && b[3] === 0xc4 && b[4] === CLIENT_ID_BYTES) {
      const d = this.decoder as unknown as DecoderInternals;
      const n = b[4]!;
      let at = 5 + n;
      let seq = -1;
      const h = b[at];
      if (h === undefined) seq = -1;
      else if (h < 0x80) { seq = h; at += 1; }
      else if (h === 0xcc) { seq = b[at + 1] ?? -1; at += 2; }
      else if (h === 0xcd && at + 3 <= b.byteLength) { seq = (b[at + 1]! << 8) | b[at + 2]!; at += 3; }
      else if (h === 0xce && at + 5 <= b.byteLength) { seq = ((b[at + 1]! << 24) >>> 0) + ((b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!); at += 5; }
      if (seq >= 0 && !d.entered) {
        const type = asciiAt(b, at, this.lastType);
        if (type !== null) {
          at = asciiEnd;
          const key = asciiAt(b, at);
          if (key !== null) {
            at = asciiEnd;
            const method = asciiAt(b, at, this.lastMethod);
            if (method !== null) {
              at = asciiEnd;
              const call = this.decodeCallRest(frames, b, at, n, seq, type, key, method);
              if (call !== null) return call;
            }
          }
        }
      }
    }
    if (this.shapeLimits && b !== undefined && this.shapeChecked !== b) checkValueShape(b, 0, this.shapeLimits);
    return parseCall(this.decodeValue(frames));
  }

  /** args and opts from `at` to the end of `b`, checked as parseCall checks them; null: let the general path decide. */
  private decodeCallRest(frames: Uint8Array[], b: Uint8Array, at: number, n: number, seq: number, type: string, key: string, method: string): Call | null {
    // Plain args and no opts (most calls): read by hand, no decoder state, DataView or stack array.
    const plain = frames.length === 1 ? plainArgsNilOpts(b, at) : null;
    if (plain !== null) return { client: b.subarray(5, 5 + n), seq, type, key, method, args: plain, opts: {} };
    if (this.shapeLimits) {
      // The whole envelope, so opts (init, state) are read too.
      checkValueShape(b, 0, this.shapeLimits);
      this.shapeChecked = b;
    }
    const d = this.decoder as unknown as DecoderInternals;
    this.ctx.frames = frames.length === 1 ? NO_FRAMES : frames.slice(1);
    d.entered = true;
    try {
      d.reinitializeState();
      d.setBuffer(b);
      d.pos = at;
      const args = d.doDecodeSync();
      if (!Array.isArray(args) || !d.hasRemaining(1)) return null;
      const opts = d.doDecodeSync();
      if (d.hasRemaining(1) || (opts !== null && (typeof opts !== 'object' || Array.isArray(opts)))) return null;
      return { client: b.subarray(5, 5 + n), seq, type, key, method, args, opts: (opts ?? {}) as CallOptions };
    } catch {
      return null; // the general path throws what it throws for these bytes (ArrowPending included)
    } finally {
      d.entered = false;
      this.ctx.frames = [];
    }
  }

  /** Decodes frames produced by `encodeValue` back into the envelope array, checking the version. */
  decodeValue(frames: Uint8Array[]): unknown[] {
    const v = this.decodeRaw(frames);
    if (!Array.isArray(v) || v.length < 4) throw new BadFrameError('envelope must be an array of at least 4 elements');
    if (v[0] !== PROTOCOL_VERSION) throw new ProtocolVersionError(`protocol version ${String(v[0])} is not supported (this side speaks ${PROTOCOL_VERSION})`);
    return v;
  }

  encodeCall(client: Uint8Array, seq: number, type: string, key: string, method: string, args: unknown[], opts?: CallOptions): Uint8Array[] {
    return this.encodeValue([PROTOCOL_VERSION, Kind.CALL, client, seq, type, key, method, args, opts ?? null]);
  }

  /**
   * As `encodeCall`, with Arrow attachments of at least `SCATTER_MIN_BYTES` sent as the caller's own
   * buffers (ScatterFrame, no copy): the same bytes on the wire. The arrays must not change until the call settles.
   */
  encodeCallScattered(client: Uint8Array, seq: number, type: string, key: string, method: string, args: unknown[], opts?: CallOptions): Frame[] {
    return this.encodeFrames([PROTOCOL_VERSION, Kind.CALL, client, seq, type, key, method, args, opts ?? null], SCATTER_MIN_BYTES);
  }

  /**
   * A client's CALL: `encodeCallScattered`'s frames, byte for byte, made with fewer passes — the
   * envelope's fixed part (array header, version, kind, client id, seq, and type, key and method
   * when short ASCII) written by hand, only args and opts through the encoder, and the head copied
   * out of the encoder's buffer once, into a slab rather than a buffer of its own.
   */
  encodeCallFast(client: Uint8Array, seq: number, type: string, key: string, method: string, args: unknown[], opts?: CallOptions): Frame[] {
    const e = this.encoder as unknown as EncoderInternals;
    if (e.entered || client.byteLength > 255 || !Number.isSafeInteger(seq)) return this.encodeCallScattered(client, seq, type, key, method, args, opts);
    const ctx = this.ctx;
    ctx.frames = [];
    ctx.scatterMin = SCATTER_MIN_BYTES;
    ctx.receivedOnly = false;
    e.entered = true;
    try {
      e.pos = 0;
      const n = client.byteLength;
      e.ensureBufferSizeToWrite(5 + n);
      const b = e.bytes;
      // [version, kind, client (bin 8), ...]: a fixarray of 9, what Encoder.encodeArray writes.
      b[0] = 0x99;
      b[1] = PROTOCOL_VERSION;
      b[2] = Kind.CALL;
      b[3] = 0xc4;
      b[4] = n;
      b.set(client, 5);
      e.pos = 5 + n;
      e.encodeNumber(seq);
      writeString(e, type);
      writeString(e, key);
      writeString(e, method);
      // Depth 2, as elements of the envelope: the same maxDepth limit as encodeValue.
      e.doEncode(args, 2);
      e.doEncode(opts ?? null, 2);
      const head = ownHead(e.bytes, e.pos);
      return ctx.frames.length === 0 ? [head] : [head, ...ctx.frames];
    } finally {
      e.entered = false;
      ctx.frames = [];
      ctx.scatterMin = Infinity;
      ctx.receivedOnly = false;
    }
  }

  encodeOk(seq: number | null, result: unknown): Uint8Array[] {
    return this.encodeOkFrames(seq, result === undefined ? null : result, Infinity, false) as Uint8Array[];
  }

  /**
   * `encodeFrames([1, OK, seq, result])`, byte for byte, in fewer passes: the envelope's header
   * written by hand, only seq and result through the encoder, and the head copied out once into
   * a slab (one frame) or an exact-size buffer (with attachments: the reply cache keeps those; see ownCopy).
   */
  private encodeOkFrames(seq: number | null, result: unknown, scatterMin: number, receivedOnly: boolean): Frame[] {
    const e = this.encoder as unknown as EncoderInternals;
    if (e.entered) return this.encodeFrames([PROTOCOL_VERSION, Kind.OK, seq, result], scatterMin, receivedOnly);
    const ctx = this.ctx;
    ctx.frames = [];
    ctx.scatterMin = scatterMin;
    ctx.receivedOnly = receivedOnly;
    e.entered = true;
    try {
      e.pos = 0;
      e.ensureBufferSizeToWrite(3);
      const b = e.bytes;
      b[0] = 0x94; // fixarray of 4, as Encoder.encodeArray writes it
      b[1] = PROTOCOL_VERSION;
      b[2] = Kind.OK;
      e.pos = 3;
      e.doEncode(seq, 2);
      e.doEncode(result, 2);
      // One frame: a slab copy (the reply cache keeps its own copy, see ownCopy); with attachments, exact-size (kept as it is).
      if (ctx.frames.length === 0) return [ownHead(e.bytes, e.pos)];
      return [e.bytes.slice(0, e.pos), ...ctx.frames];
    } finally {
      e.entered = false;
      ctx.frames = [];
      ctx.scatterMin = Infinity;
      ctx.receivedOnly = false;
    }
  }

  /**
   * As `encodeOk`, with large numeric arrays that lie in a received frame sent as that frame's own
   * bytes (ScatterFrame): a node's reply to AtomicReference.get of an array set as it arrived.
   * Only for results of objects that never write into such arrays (the built-ins: AtomicMap keeps
   * copies, AtomicReference replaces), as the bytes are read when written, after later calls ran.
   */
  encodeOkScattered(seq: number | null, result: unknown): Frame[] {
    return this.encodeOkFrames(seq, result === undefined ? null : result, SCATTER_MIN_BYTES, true);
  }

  encodeError(seq: number | null, err: ErrorData): Uint8Array[] {
    // An error's text may quote what user code made (a lone surrogate included): it must still travel.
    const text = (v: unknown) => (String(v ?? '') as unknown as WellFormed).toWellFormed();
    return this.encodeValue([PROTOCOL_VERSION, Kind.ERROR, seq, { code: text(err.code), name: text(err.name), message: text(err.message), stack: text(err.stack) }]);
  }
}

/** A decoded CALL. */
export interface Call {
  client: Uint8Array;
  seq: number;
  type: string;
  key: string;
  method: string;
  args: unknown[];
  opts: CallOptions;
}

/** A client id's length (PROTOCOL.md §2): the dedup cache keys on it, so one size for all. */
const CLIENT_ID_BYTES = 8;

/** Validates a decoded CALL envelope's shape; throws BadFrameError with what is wrong. */
export function parseCall(v: unknown[]): Call {
  if (v[1] !== Kind.CALL) throw new BadFrameError(`expected a CALL (kind ${Kind.CALL}), got kind ${String(v[1])}`);
  if (v.length !== 9) throw new BadFrameError(`CALL envelope must have 9 elements, has ${v.length}`);
  const [, , client, seq, type, key, method, args, opts] = v;
  if (!(client instanceof Uint8Array) || client.byteLength !== CLIENT_ID_BYTES) throw new BadFrameError(`CALL client id must be ${CLIENT_ID_BYTES} bytes`);
  // Past 2^53 a seq decodes rounded, and two calls could share one.
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new BadFrameError('CALL seq must be a non-negative integer below 2^53');
  if (typeof type !== 'string' || typeof key !== 'string' || typeof method !== 'string') throw new BadFrameError('CALL type, key and method must be strings');
  if (!Array.isArray(args)) throw new BadFrameError('CALL args must be an array');
  if (opts !== null && (typeof opts !== 'object' || Array.isArray(opts))) throw new BadFrameError('CALL opts must be a map or nil');
  return { client, seq, type, key, method, args, opts: (opts ?? {}) as CallOptions };
}

/** Best-effort read of a reply's seq from a possibly malformed envelope (to route an error reply). */
export function peekSeq(v: unknown): number | null {
  return Array.isArray(v) && typeof v[3] === 'number' ? v[3] : null;
}
