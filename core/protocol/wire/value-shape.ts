/**
 * What a MessagePack value will cost once decoded, read from its bytes before the decoder builds it.
 *
 * Why: a byte on the wire can become an object on the heap. `[{}, {}, …]` costs ~60 bytes of heap
 * per wire byte and `[[[…]]]` more (the decoder keeps a state per level): one 30 MB request took a
 * node past V8's heap limit, which kills the process, long before its memory budget was read again.
 * A node (the codec's `shapeLimits`) therefore reads the shape first — depth, containers, elements —
 * and refuses a value too deep or too costly, so nothing is allocated for it.
 *
 * Scalars and byte strings are skipped by their lengths, so the pass costs a few ns per element,
 * nothing per byte; calls whose arguments are all plain scalars never come here (codec.ts reads them
 * by hand).
 */
import { LimitExceededError, OverloadedError } from '../errors.ts';

/** Limits a node decodes requests under. */
export interface ShapeLimits {
  /** Containers (arrays, maps, extensions) nested deeper than this are refused. */
  maxDepth: number;
  /** Heap bytes a value may take as decoded now (the node's headroom); checked after the ratio. */
  headroom(): number;
}

/** Estimated heap bytes of a container (a JS array or object with its backing store). */
const CONTAINER_BYTES = 72;
/** Estimated heap bytes of one element slot (a pointer and, for a double or a string, its box). */
const ELEMENT_BYTES = 16;
/** A value may decode to this many times its wire size (a map of small numbers is ~15x); past it, refused. */
const MAX_RATIO = 32;
/** What any value may decode to whatever its size: small requests are never refused by the ratio. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

// The big-endian length after the header byte at `p` (0 past the end: the decoder reports truncation).
const u8 = (b: Uint8Array, p: number) => b[p + 1] ?? 0;
const u16 = (b: Uint8Array, p: number) => ((b[p + 1] ?? 0) << 8) | (b[p + 2] ?? 0);
const u32 = (b: Uint8Array, p: number) => (((b[p + 1] ?? 0) << 24) >>> 0) + (((b[p + 2] ?? 0) << 16) | ((b[p + 3] ?? 0) << 8) | (b[p + 4] ?? 0));

/**
 * Reads the value starting at `b[at]` and checks it against `limits`.
 * Malformed or truncated bytes end the pass quietly: the decoder that follows reports them.
 * @throws {LimitExceededError} if the value nests deeper than `maxDepth` or decodes to more than 32x its size
 * @throws {OverloadedError} if it would decode to more than the node's heap headroom
 */
export function checkValueShape(b: Uint8Array, at: number, limits: ShapeLimits): void {
  const end = b.byteLength;
  const wire = end - at;
  // Elements still to read at each open level; the value itself is the one element of level 0.
  const left: number[] = [1];
  let containers = 0;
  let elements = 0;
  let p = at;
  while (left.length > 0) {
    if (left[left.length - 1] === 0) { left.pop(); continue; }
    left[left.length - 1]!--;
    const h = b[p];
    if (h === undefined) return;
    let n = -1; // elements of a container, else -1
    let skip = 1; // bytes of a scalar (header included)
    if (h <= 0x7f || h >= 0xe0 || h === 0xc0 || h === 0xc2 || h === 0xc3) skip = 1;
    else if (h <= 0x8f) { n = (h - 0x80) * 2; skip = 1; }
    else if (h <= 0x9f) { n = h - 0x90; skip = 1; }
    else if (h <= 0xbf) skip = 1 + (h - 0xa0);
    else {
      switch (h) {
        case 0xc4: case 0xd9: skip = 2 + u8(b, p); break;
        case 0xc5: case 0xda: skip = 3 + u16(b, p); break;
        case 0xc6: case 0xdb: skip = 5 + u32(b, p); break;
        // Extensions (a reference, an Arrow pointer, an int64) decode to one small object each.
        case 0xc7: skip = 3 + u8(b, p); containers++; break;
        case 0xc8: skip = 4 + u16(b, p); containers++; break;
        case 0xc9: skip = 6 + u32(b, p); containers++; break;
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: skip = 2 + (1 << (h - 0xd4)); containers++; break;
        case 0xca: case 0xce: case 0xd2: skip = 5; break;
        case 0xcb: case 0xcf: case 0xd3: skip = 9; break;
        case 0xcc: case 0xd0: skip = 2; break;
        case 0xcd: case 0xd1: skip = 3; break;
        case 0xdc: n = u16(b, p); skip = 3; break;
        case 0xdd: n = u32(b, p); skip = 5; break;
        case 0xde: n = u16(b, p) * 2; skip = 3; break;
        case 0xdf: n = u32(b, p) * 2; skip = 5; break;
        default: return; // 0xc1: never used; the decoder refuses it
      }
    }
    p += skip;
    if (n < 0) continue;
    containers++;
    elements += n;
    // A header declaring more elements than bytes are left is the decoder's to refuse (codec.ts).
    if (n > end - p) return;
    if (n > 0) {
      left.push(n);
      if (left.length - 1 > limits.maxDepth) {
        throw new LimitExceededError(`a value nests deeper than ${limits.maxDepth} levels; flatten it`);
      }
    }
  }
  const estimate = containers * CONTAINER_BYTES + elements * ELEMENT_BYTES;
  if (estimate > Math.max(RATIO_FLOOR_BYTES, MAX_RATIO * wire)) {
    throw new LimitExceededError(`a value of ${wire} bytes would take ~${estimate} bytes once decoded (${containers} arrays, maps or extensions, ${elements} elements): more than ${MAX_RATIO}x its size; send numbers as a typed array, or fewer, larger elements`);
  }
  const headroom = limits.headroom();
  if (estimate > headroom) {
    throw new OverloadedError(`a value of ${wire} bytes would take ~${estimate} bytes once decoded, past the ${Math.max(0, headroom)} bytes of heap the node has left; retry later or send it in parts`);
  }
}
