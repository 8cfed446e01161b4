/**
 * The two file formats of the wire test vectors (PROTOCOL.md §10).
 *
 * `.bin`: the frames of one ZeroMQ message (routing frames excluded): u32 big-endian frame count,
 * then for each frame a u32 big-endian byte length followed by the frame's bytes.
 *
 * `.json`: the same message as tagged JSON. JSON null/booleans/strings/arrays/objects are MessagePack
 * nil/bool/str/array/map; a JSON number is an integer if integral, else a float64. A JSON object with a
 * single key starting with `$` is a tag: `$int64` (decimal string, Ext 2), `$float64` ("NaN",
 * "Infinity", "-Infinity", "-0"), `$bytes` (hex, bin), `$ref` ([type, key], Ext 3), `$arrow` (Ext 1:
 * `{frame, dtype, length, values?, sha256?}`; sha256 is over the little-endian element bytes and
 * replaces `values` for long arrays), `$map` (a map whose keys would otherwise look like a tag).
 */
import { createHash } from 'node:crypto';
import { ObjectRef } from '../protocol.ts';

/** Arrays longer than this are described by a digest instead of their values. */
export const INLINE_LIMIT = 64;

export { packFrames, unpackFrames } from '../frames.ts';

const DTYPES: Array<[Function, string]> = [
  [Float64Array, 'float64'], [Float32Array, 'float32'], [Int8Array, 'int8'], [Int16Array, 'int16'],
  [Int32Array, 'int32'], [Uint16Array, 'uint16'], [Uint32Array, 'uint32'], [BigInt64Array, 'int64'], [BigUint64Array, 'uint64'],
];

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * Converts a decoded envelope to tagged JSON. Arrow attachments are numbered in the order they
 * are met depth-first, which is the order the encoder assigns frame indexes.
 */
export function toTagged(v: unknown): unknown {
  let frame = 0;
  const walk = (x: unknown): unknown => {
    if (x === null || x === undefined || typeof x === 'boolean' || typeof x === 'string') return x ?? null;
    if (typeof x === 'number') {
      if (Number.isFinite(x) && !Object.is(x, -0)) return x;
      return { $float64: Object.is(x, -0) ? '-0' : String(x) };
    }
    if (typeof x === 'bigint') return { $int64: x.toString() };
    if (x instanceof Uint8Array) return { $bytes: hex(x) };
    if (x instanceof ObjectRef) return { $ref: [x.type, x.key] };
    if (ArrayBuffer.isView(x)) {
      const dtype = DTYPES.find(([c]) => x instanceof c)?.[1] ?? 'unknown';
      const arr = x as unknown as ArrayLike<number | bigint>;
      const body: Record<string, unknown> = { frame: ++frame, dtype, length: arr.length };
      if (arr.length <= INLINE_LIMIT) body.values = Array.from(arr, (e) => (typeof e === 'bigint' ? e.toString() : e));
      else body.sha256 = createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex');
      return { $arrow: body };
    }
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(x)) out[k] = walk(e);
      const keys = Object.keys(out);
      return keys.length === 1 && keys[0]!.startsWith('$') ? { $map: out } : out;
    }
    throw new TypeError(`no tagged JSON form for ${typeof x}`);
  };
  return walk(v);
}

/** Hex and size of each frame; frames past `INLINE_LIMIT * 64` bytes get a digest instead of hex. */
export function describeFrames(frames: Uint8Array[]): Array<Record<string, unknown>> {
  return frames.map((f) => f.byteLength <= INLINE_LIMIT * 64
    ? { length: f.byteLength, hex: hex(f) }
    : { length: f.byteLength, sha256: createHash('sha256').update(f).digest('hex') });
}
