/**
 * The checksum that lets a `PHashMap.put` make its new entry and the store that links it durable in
 * one flush instead of two (entry, then link). With one unordered msync a power failure can leave
 * the link on media and the entry not (or half of it), so the link is stored with a marker (a
 * tagged slot for a new key, the old entry's `next` word for a replaced one) and the entry carries a
 * CRC-32 of its payload, XORed with the heap's open epoch so that an entry left over from an
 * earlier session at the same address never passes for this one. Recovery checks the entry behind
 * each marker: a sound one is linked, a torn one is dropped (the old entry, or no entry, stays).
 *
 * Entry block header words, otherwise unused by entries: B_TAG holds the seal, B_AUX the `next` marker.
 */
import { crc32Words } from "./crc32.ts";
import { B_AUX, B_SIZE, B_TAG, BLOCK_HEADER, E_KEYLEN, E_TAG, E_VALLEN, VTag } from "./layout.ts";

/** Slot value bit marking a link whose entry was not yet known durable (refs are 16-aligned; 1 is the tombstone). */
export const UNSEALED = 2;

/** Bytes of an entry's payload that hold its fields, key and value, or -1 if they cannot fit its block. */
function entryBytes(u32: Uint32Array, e: number): number {
  const tag = u32[(e + E_TAG) >>> 2]!;
  const keyBytes = (2 * u32[(e + E_KEYLEN) >>> 2]! + 7) & ~7;
  const n = 24 + keyBytes + (tag === VTag.String || tag === VTag.Bytes ? u32[(e + E_VALLEN) >>> 2]! : 0);
  return n > u32[(e + B_SIZE) >>> 2]! - BLOCK_HEADER ? -1 : n;
}

/** The seal of the entry at `e` for heap epoch `epoch` (-1 when its fields are impossible). */
export function entrySeal(u32: Uint32Array, e: number, epoch: number): number {
  const n = entryBytes(u32, e);
  if (n < 0) return -1;
  return (crc32Words(u32, (e + BLOCK_HEADER) >>> 2, (n + 3) >>> 2) ^ epoch) >>> 0;
}

/** Stores the entry's seal (it must be complete: payload written, block zeroed past it). */
export function sealEntry(u32: Uint32Array, e: number, epoch: number): void {
  u32[(e + B_TAG) >>> 2] = entrySeal(u32, e, epoch);
}

/** Whether the sealed entry at `e` (a live HashEntry block) is whole: its seal matches its bytes. */
export function entryIsWhole(u32: Uint32Array, e: number, epoch: number): boolean {
  const s = entrySeal(u32, e, epoch);
  return s >= 0 && s === u32[(e + B_TAG) >>> 2];
}

/** The `next` marker of an entry: the entry replacing it, linked by the last put if it was not yet durable. */
export function nextOf(u32: Uint32Array, e: number): number {
  return u32[(e + B_AUX) >>> 2]!;
}
