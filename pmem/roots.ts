/**
 * Persistent roots: a fixed table of 256 named slots in the region. Objects are live by reachability
 * from here; recovery frees everything else. Slot updates go through the redo log like any field.
 */
import { PmemArgumentError } from "./errors.ts";
import { NROOTS, ROOT_NAME_MAX, ROOT_SLOT, ROOTS_OFF } from "./layout.ts";
import type { Region } from "./region.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Reads the table into name -> { slot, ref }. */
export function loadRoots(r: Region): Map<string, { slot: number; ref: number }> {
  const out = new Map<string, { slot: number; ref: number }>();
  for (let i = 0; i < NROOTS; i++) {
    const a = ROOTS_OFF + i * ROOT_SLOT;
    const ref = r.u32[a >>> 2]!;
    const len = r.u16[(a + 4) >>> 1]!;
    if (ref !== 0 && len > 0 && len <= ROOT_NAME_MAX) out.set(dec.decode(r.u8.subarray(a + 8, a + 8 + len)), { slot: i, ref });
  }
  return out;
}

/** The 64-byte image of a slot, to be written through the log. */
export function encodeRoot(name: string, ref: number): Uint8Array {
  const name8 = enc.encode(name);
  if (name8.length === 0 || name8.length > ROOT_NAME_MAX) {
    throw new PmemArgumentError(`root name must be 1..${ROOT_NAME_MAX} UTF-8 bytes (got ${name8.length})`);
  }
  const slot = new Uint8Array(ROOT_SLOT);
  const dv = new DataView(slot.buffer);
  dv.setUint32(0, ref, true);
  dv.setUint16(4, ref === 0 ? 0 : name8.length, true);
  slot.set(name8, 8);
  return slot;
}

/** Address of root slot `i`. */
export function rootSlotAddr(i: number): number {
  return ROOTS_OFF + i * ROOT_SLOT;
}

/** Every root reference, for marking. */
export function rootRefs(r: Region): number[] {
  const out: number[] = [];
  for (let i = 0; i < NROOTS; i++) {
    const ref = r.u32[(ROOTS_OFF + i * ROOT_SLOT) >>> 2]!;
    if (ref !== 0) out.push(ref);
  }
  return out;
}
