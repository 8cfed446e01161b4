/**
 * Recovery at open: finish a committed failure-atomic block from the redo log (or drop a torn one),
 * then mark everything reachable from the roots and sweep the rest onto rebuilt free lists. Hand-made
 * types get a fix-up pass for their counters, which they update after (not with) their linking store.
 */
import type { Allocator } from "./allocator.ts";
import { PmemCorruptError } from "./errors.ts";
import { entryIsWhole, nextOf, UNSEALED } from "./entry-seal.ts";
import {
  B_AUX, B_KIND, B_STATE, BLOCK_HEADER, E_TAG, E_VAL, Kind, LIVE, M_EPOCH, MAP_SIZE, MAP_SLOTS, MAP_USED, TOMBSTONE, VTag,
} from "./layout.ts";
import { recoverLog } from "./log.ts";
import type { Region } from "./region.ts";
import { rootRefs } from "./roots.ts";

/** What recovery did, for logs and tests. */
export interface RecoveryReport {
  /** Whether a committed redo log was found and replayed. */
  replayedLog: boolean;
  /** Blocks reachable from the roots. */
  liveBlocks: number;
  /** Allocated blocks unreachable from the roots, freed. */
  reclaimedBlocks: number;
  /** References to blocks the application had freed, found in reachable objects (reported, left as they are). */
  danglingRefs: number;
  /** Bytes cut from the end of the heap: blocks allocated just before a crash whose headers never reached media. */
  tornTailBytes: number;
}

/** Runs full recovery; the heap is consistent and its free lists are rebuilt when it returns. */
export function recover(r: Region, alloc: Allocator): RecoveryReport {
  // First, before any flush can seal the heap up to a top whose headers are missing. Logged
  // writes never target block headers, nor blocks allocated after the last flush.
  const tornTailBytes = alloc.reclaimTornTail();
  const replayedLog = recoverLog(r);
  const starts = new Uint8Array(Math.ceil(r.size / 128));
  alloc.walk((a) => {
    starts[a >>> 7]! |= 1 << ((a >>> 4) & 7);
  });
  const marks = new Uint8Array(starts.length);
  const stack: number[] = [];
  let danglingRefs = 0;
  let liveBlocks = 0;
  const top = alloc.top;
  // The session that wrote any marker still on media is the last one: its epoch is the one stored.
  const epoch = r.u32[M_EPOCH >>> 2]!;
  const isBlock = (ref: number): boolean =>
    ref >= r.heapOff && ref < top && (ref & 15) === 0 && (starts[ref >>> 7]! & (1 << ((ref >>> 4) & 7))) !== 0;
  /** A put's entry linked in its own flush is taken only if it reached media whole. */
  const sound = (e: number): boolean =>
    isBlock(e) && r.u8[e + B_STATE] === LIVE && r.u8[e + B_KIND] === Kind.HashEntry && entryIsWhole(r.u32, e, epoch);
  const push = (ref: number, from: number): void => {
    if (ref === 0 || ref === TOMBSTONE) return;
    const i = ref >>> 7;
    const bit = 1 << ((ref >>> 4) & 7);
    if (ref < r.heapOff || ref >= top || (ref & 15) !== 0 || (starts[i]! & bit) === 0) {
      throw new PmemCorruptError(`${r.path}: block ${from} holds reference ${ref}, which is not a block`);
    }
    if (marks[i]! & bit) return;
    if (r.u8[ref + B_STATE] !== LIVE) {
      // A reference to a block freed by the application: keep it freed, report it.
      danglingRefs++;
      return;
    }
    marks[i]! |= bit;
    stack.push(ref);
  };
  for (const ref of rootRefs(r)) push(ref, 0);
  while (stack.length > 0) {
    const a = stack.pop()!;
    liveBlocks++;
    switch (r.u8[a + B_KIND]) {
      case Kind.Object: {
        const bitmap = r.u32[(a + B_AUX) >>> 2]!;
        for (let w = 0; w < 32; w++) if (bitmap & (1 << w)) push(r.u32[(a + BLOCK_HEADER + 4 * w) >>> 2]!, a);
        break;
      }
      case Kind.HashMap:
        resolveMarkers(r, a, isBlock, sound);
        push(r.u32[(a + MAP_SLOTS) >>> 2]!, a);
        fixMapCounts(r, a);
        break;
      case Kind.RefArray: {
        const n = r.u32[(a + B_AUX) >>> 2]!;
        const base = (a + BLOCK_HEADER) >>> 2;
        for (let k = 0; k < n; k++) push(r.u32[base + k]!, a);
        break;
      }
      case Kind.HashEntry:
        if (r.u32[(a + E_TAG) >>> 2] === VTag.Ref) push(r.u32[(a + E_VAL) >>> 2]!, a);
        break;
      default:
        break;
    }
  }
  const reclaimedBlocks = alloc.sweep((a) => (marks[a >>> 7]! & (1 << ((a >>> 4) & 7))) !== 0);
  r.flush();
  return { replayedLog, liveBlocks, reclaimedBlocks, danglingRefs, tornTailBytes };
}

/**
 * Settles the put a power failure interrupted (types/phashmap.ts, entry-seal.ts): a slot tagged
 * UNSEALED holds a new key's entry, kept if whole and else replaced by a tombstone; an entry whose
 * `next` marker names its replacement gives way to it if that is whole, and else forgets it.
 */
function resolveMarkers(r: Region, map: number, isBlock: (ref: number) => boolean, sound: (e: number) => boolean): void {
  const slots = r.u32[(map + MAP_SLOTS) >>> 2]!;
  if (!isBlock(slots) || r.u8[slots + B_KIND] !== Kind.RefArray) return;
  const n = r.u32[(slots + B_AUX) >>> 2]!;
  const base = (slots + BLOCK_HEADER) >>> 2;
  for (let k = 0; k < n; k++) {
    let v = r.u32[base + k]!;
    if (v <= TOMBSTONE) continue;
    if ((v & UNSEALED) !== 0) {
      const e = v & ~15;
      v = sound(e) ? e : TOMBSTONE;
      r.u32[base + k] = v;
      r.markDirty((base + k) * 4, 4);
      if (v === TOMBSTONE) continue;
    }
    // The entry a slot names may be FREE on media (freed right after the flush that made its
    // replacement whole); its marker is what matters, and a whole replacement supersedes it.
    for (let hops = 0; hops < 4 && isBlock(v); hops++) {
      const next = nextOf(r.u32, v);
      if (next === 0) break;
      if (!sound(next)) {
        r.u32[(v + B_AUX) >>> 2] = 0;
        r.markDirty(v + B_AUX, 4);
        break;
      }
      r.u32[base + k] = next;
      r.markDirty((base + k) * 4, 4);
      v = next;
    }
  }
}

/** A crash can land between a map's slot store and its counter update; the slots are the truth. */
function fixMapCounts(r: Region, map: number): void {
  const slots = r.u32[(map + MAP_SLOTS) >>> 2]!;
  if (slots === 0) return;
  const n = r.u32[(slots + B_AUX) >>> 2]!;
  const base = (slots + BLOCK_HEADER) >>> 2;
  let size = 0;
  let used = 0;
  for (let k = 0; k < n; k++) {
    const v = r.u32[base + k]!;
    if (v !== 0) used++;
    if (v > TOMBSTONE) size++;
  }
  if (r.u32[(map + MAP_SIZE) >>> 2] !== size || r.u32[(map + MAP_USED) >>> 2] !== used) {
    r.u32[(map + MAP_SIZE) >>> 2] = size;
    r.u32[(map + MAP_USED) >>> 2] = used;
    r.markDirty(map + MAP_SIZE, 8);
  }
}
