/**
 * CRC-32 (the zlib polynomial, same values as `zlib.crc32`) over whole 32-bit words of the mapping,
 * slicing-by-8. The redo log checksums a ~100-byte record on every update; computing it here, on
 * the region's own Uint32Array, costs no allocation and no call into C++, which for records this
 * small is most of what `zlib.crc32` costs.
 */
import { endianness } from "node:os";

const T = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) for (let t = 1; t < 8; t++) T[t * 256 + n] = (T[(t - 1) * 256 + n]! >>> 8) ^ T[T[(t - 1) * 256 + n]! & 255]!;

// Words are read as little-endian u32s, which is also what the whole layout assumes.
if (endianness() !== "LE") throw new Error("crucial/pmem needs a little-endian machine");

/** CRC-32 of the `words` 32-bit words starting at word index `start` of `u32`. */
export function crc32Words(u32: Uint32Array, start: number, words: number): number {
  let c = -1;
  let i = start;
  const end = start + words;
  for (; i + 1 < end; i += 2) {
    const a = u32[i]! ^ c;
    const b = u32[i + 1]!;
    c = T[1792 + (a & 255)]! ^ T[1536 + ((a >>> 8) & 255)]! ^ T[1280 + ((a >>> 16) & 255)]! ^ T[1024 + (a >>> 24)]!
      ^ T[768 + (b & 255)]! ^ T[512 + ((b >>> 8) & 255)]! ^ T[256 + ((b >>> 16) & 255)]! ^ T[b >>> 24]!;
  }
  if (i < end) {
    const a = u32[i]! ^ c;
    c = T[768 + (a & 255)]! ^ T[512 + ((a >>> 8) & 255)]! ^ T[256 + ((a >>> 16) & 255)]! ^ T[a >>> 24]!;
  }
  return ~c >>> 0;
}
