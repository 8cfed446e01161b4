/**
 * One-column array streams reused by shape, so a large array's encode and decode skip apache-arrow's
 * per-call work (building a Table, Schema and writer; parsing the flatbuffers again): 0.1-0.4 ms of
 * an 8 MB call's 3-5 ms at its minimum, the node's turnaround before a get reply's first byte among it.
 *
 * Both are exact by construction, not a second Arrow implementation:
 * - encode: apache-arrow's writer output for an array depends on its element type and length only
 *   (no nulls, no statistics; the values are one chunk, a view of the array). The first array of a
 *   shape is written by apache-arrow; its other chunks are kept and reused around later arrays'
 *   values, so the bytes are the writer's own.
 * - decode: a frame whose bytes equal, everywhere but in the values region, those of a frame
 *   apache-arrow decoded before (verified, into a view) decodes to the same type and length over
 *   that region: the metadata, body layout and stream end are all in the bytes compared. Any other
 *   frame goes through verification and apache-arrow as before.
 */

/** Shapes kept per direction; a program moving more distinct shapes than this just misses more. */
const MAX_SHAPES = 32;
/**
 * A frame's bytes around its values that a decode template keeps at most. Small arrays are
 * templated too: apache-arrow's decode of a 17-value array costs ~0.15 ms, the compare ~1 µs
 * (a small call carrying an array, a fit's result, k-means' centroids each iteration).
 */
export const TEMPLATE_MAX_METADATA_BYTES = 64 * 1024;

type ArrayCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView & { length: number };

interface EncodeTemplate { before: Uint8Array[]; after: Uint8Array[]; size: number }
const encodeTemplates = new Map<string, EncodeTemplate>();

const shapeOf = (arr: ArrayBufferView & { length: number }) => `${arr.constructor.name}:${arr.length}`;

/** The writer's chunks for an array of this shape with `arr`'s values, when a template exists. */
export function encodeFromTemplate(arr: ArrayBufferView & { length: number }): { chunks: Uint8Array[]; size: number } | undefined {
  const t = encodeTemplates.get(shapeOf(arr));
  if (!t) return undefined;
  const values = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  return { chunks: [...t.before, values, ...t.after], size: t.size };
}

/** Keeps the writer's `chunks` for `arr` as the template of its shape, when exactly one chunk is its values. */
export function keepEncodeTemplate(arr: ArrayBufferView & { length: number }, chunks: Uint8Array[], size: number): void {
  if (arr.byteLength === 0) return;
  let at = -1;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    if (c.buffer !== arr.buffer) continue;
    if (at !== -1 || c.byteOffset !== arr.byteOffset || c.byteLength !== arr.byteLength) return;
    at = i;
  }
  if (at === -1) return;
  // Copies: the writer's own buffers are not ours to keep, and a template is never written into.
  const copy = (cs: Uint8Array[]) => cs.map((c) => Uint8Array.prototype.slice.call(c));
  remember(encodeTemplates, shapeOf(arr), { before: copy(chunks.slice(0, at)), after: copy(chunks.slice(at + 1)), size });
}

interface DecodeTemplate { head: Uint8Array; tail: Uint8Array; ctor: ArrayCtor; length: number }
const decodeTemplates = new Map<number, DecodeTemplate>();

/** The array `frame` decodes to, when it matches a template everywhere but its values; else undefined. */
export function decodeFromTemplate(frame: Uint8Array): (ArrayBufferView & { length: number }) | undefined {
  const t = decodeTemplates.get(frame.byteLength);
  if (!t) return undefined;
  const at = t.head.byteLength;
  const end = frame.byteLength - t.tail.byteLength;
  if ((frame.byteOffset + at) % (t.ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT !== 0) return undefined;
  if (!sameBytes(frame, 0, t.head) || !sameBytes(frame, end, t.tail)) return undefined;
  return new t.ctor(frame.buffer, frame.byteOffset + at, t.length);
}

/**
 * As `decodeFromTemplate` for a stream sent as three frames, [head, values, tail]: the array is a
 * view of the values frame when head and tail are a template's and the values frame has its size.
 */
export function decodeFromTemplateParts(parts: readonly Uint8Array[]): (ArrayBufferView & { length: number }) | undefined {
  if (parts.length !== 3) return undefined;
  const [head, values, tail] = parts as [Uint8Array, Uint8Array, Uint8Array];
  const t = decodeTemplates.get(head.byteLength + values.byteLength + tail.byteLength);
  if (!t || head.byteLength !== t.head.byteLength || tail.byteLength !== t.tail.byteLength) return undefined;
  if (values.byteOffset % (t.ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT !== 0) return undefined;
  if (!sameBytes(head, 0, t.head) || !sameBytes(tail, 0, t.tail)) return undefined;
  return new t.ctor(values.buffer, values.byteOffset, t.length);
}

/** Keeps `frame`'s bytes around `arr` (a view into it that apache-arrow returned) as the template of frames of its size. */
export function keepDecodeTemplate(frame: Uint8Array, arr: ArrayBufferView & { length: number }): void {
  if (arr.byteLength === 0 || arr.buffer !== frame.buffer) return;
  const at = arr.byteOffset - frame.byteOffset;
  const end = at + arr.byteLength;
  if (at < 0 || end > frame.byteLength || frame.byteLength - arr.byteLength > TEMPLATE_MAX_METADATA_BYTES) return;
  remember(decodeTemplates, frame.byteLength, {
    // Uint8Array's slice copies (a Buffer's would be a view of the frame).
    head: Uint8Array.prototype.slice.call(frame, 0, at), tail: Uint8Array.prototype.slice.call(frame, end), ctor: arr.constructor as ArrayCtor, length: arr.length,
  });
}

function sameBytes(frame: Uint8Array, at: number, want: Uint8Array): boolean {
  return Buffer.from(frame.buffer, frame.byteOffset + at, want.byteLength).equals(want);
}

function remember<K, V>(m: Map<K, V>, k: K, v: V): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > MAX_SHAPES) m.delete(m.keys().next().value as K);
}

/** Forgets every template (tests). */
export function clearArrowTemplates(): void {
  encodeTemplates.clear();
  decodeTemplates.clear();
}
