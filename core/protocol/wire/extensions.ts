/**
 * The MessagePack extension types of the envelope (PROTOCOL.md "Extensions"): an Arrow attachment
 * (a 4-byte index of the frame carrying the array or table, or an index and a count of frames), a 64-bit integer, and a reference to a
 * shared object. The codec (codec.ts) encodes and decodes envelopes with them.
 */
import { Encoder, Decoder, ExtensionCodec } from '@msgpack/msgpack';
import { Ext, ObjectRef } from './protocol.ts';
import { decodeArrow, decodeArrowParts, encodeArrayChunks, encodeTableChunks, isNumericArray, isReceivedArray, isTable } from './arrow.ts';
import { ScatterFrame, joinChunks, type Frame } from './frames.ts';
import { BadArgumentError, BadFrameError, NotSerializableError } from '../errors.ts';

export interface Ctx {
  /** Attachments being collected while encoding, or available while decoding (always bytes then). */
  frames: Frame[];
  /** While encoding: attachments of at least this many bytes stay scattered (ScatterFrame); Infinity: all joined. */
  scatterMin: number;
  /** While encoding: scatter only numeric arrays lying in a received frame (`isReceivedArray`). */
  receivedOnly: boolean;
  /** Turns a decoded reference into whatever the receiving side wants (a proxy on clients). */
  reviveRef: (ref: ObjectRef) => unknown;
}

/** Lets higher layers make their own objects (proxies) travel as references. */
export interface RefLike {
  toObjectRef(): ObjectRef;
}
function isRefLike(v: unknown): v is RefLike {
  return typeof v === 'object' && v !== null && typeof (v as RefLike).toObjectRef === 'function';
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int64Bytes = new Uint8Array(8);
const int64View = new DataView(int64Bytes.buffer);

/** The envelope's extension types (protocol.ts Ext), shared by every WireCodec. */
export const extensions = new ExtensionCodec<Ctx>();
extensions.register({
  type: Ext.ARROW,
  encode(value, ctx) {
    let ipc;
    let scatter = !ctx.receivedOnly;
    if (isNumericArray(value)) {
      ipc = encodeArrayChunks(value);
      scatter ||= isReceivedArray(value);
    } else if (isTable(value)) ipc = encodeTableChunks(value);
    else return null;
    ctx.frames.push(scatter && ipc.size >= ctx.scatterMin ? new ScatterFrame(ipc.chunks, ipc.size) : joinChunks(ipc.chunks, ipc.size));
    const idx = new Uint8Array(4);
    new DataView(idx.buffer).setUint32(0, ctx.frames.length);
    return idx;
  },
  decode(data, _type, ctx) {
    const n = data.byteLength;
    if (n !== 4 && n !== 8) throw new BadFrameError('arrow extension must hold a 4-byte frame index, or an index and a frame count (8 bytes)');
    const view = new DataView(data.buffer, data.byteOffset, n);
    const i = view.getUint32(0);
    // 8 bytes: one stream sent as `count` frames in a row (a Python client sends a large array's
    // values as a frame of their own: libzmq sends a frame from one buffer, and joining is a copy).
    const count = n === 8 ? view.getUint32(4) : 1;
    if (i < 1 || count < 1 || i - 1 + count > ctx.frames.length) {
      throw new BadFrameError(`arrow extension names frame${count > 1 ? `s ${i}..${i + count - 1}` : ` ${i}`}, message has ${ctx.frames.length}`);
    }
    if (count === 1) return decodeArrow(ctx.frames[i - 1] as Uint8Array);
    return decodeArrowParts(ctx.frames.slice(i - 1, i - 1 + count) as Uint8Array[]);
  },
});
extensions.register({
  type: Ext.INT64,
  encode(value) {
    if (typeof value !== 'bigint') return null;
    // A user's value out of range is their bad argument, not a codec fault: it never left this process.
    if (value < INT64_MIN || value > INT64_MAX) throw new BadArgumentError(`bigint ${value} does not fit in 64 bits (a signed 64-bit integer: -2^63 .. 2^63-1)`);
    // Every AtomicLong result is one of these: a scratch view and a pooled Buffer instead of a
    // fresh ArrayBuffer and DataView per value (250 ns down to 50).
    int64View.setBigInt64(0, value);
    const out = Buffer.allocUnsafe(8);
    out.set(int64Bytes);
    return out;
  },
  decode(data) {
    if (data.byteLength !== 8) throw new BadFrameError('int64 extension must hold 8 bytes');
    for (let i = 0; i < 8; i++) int64Bytes[i] = data[i]!;
    return int64View.getBigInt64(0);
  },
});
extensions.register({
  type: Ext.REF,
  encode(value) {
    const ref = value instanceof ObjectRef ? value : isRefLike(value) ? value.toObjectRef() : null;
    if (!ref) {
      // The last hook every non-primitive value meets before MessagePack writes it as a map.
      refuseUnencodable(value);
      return null;
    }
    return refEncoder.encode([ref.type, ref.key]);
  },
  decode(data, _type, ctx) {
    // A two-element array and nothing else: given another array header the decoder would allocate for it first.
    if (data[0] !== 0x92) throw new BadFrameError('ref extension must hold [type, key]');
    const v = refDecoder.decode(data) as unknown;
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') {
      throw new BadFrameError('ref extension must hold [type, key]');
    }
    return ctx.reviveRef(new ObjectRef(v[0], v[1]));
  },
});
const refEncoder = new Encoder();

/**
 * Values MessagePack would write as something else: a Map or Set as an empty map (its entries are no
 * own properties), a function or symbol not at all. Refused with the reason, instead of arriving as
 * `{}` or failing inside the encoder.
 */
function refuseUnencodable(value: unknown): void {
  const kind = typeof value === 'function' ? 'function' : typeof value === 'symbol' ? 'symbol'
    : value instanceof Map ? 'Map' : value instanceof Set ? 'Set' : value instanceof WeakMap ? 'WeakMap' : value instanceof WeakSet ? 'WeakSet'
      : value instanceof Promise ? 'Promise' : null;
  if (kind === null) return;
  const hint = kind === 'Map' ? ' (pass Object.fromEntries(map), or [...map] for keys that are not strings)' : kind === 'Set' ? ' (pass [...set])' : kind === 'Promise' ? ' (await it first)' : '';
  throw new NotSerializableError(`a ${kind} cannot travel as a value: values are null, booleans, numbers, bigints, strings, bytes, typed arrays, arrays, plain objects and shared-object proxies${hint}`);
}
const refDecoder = new Decoder();
