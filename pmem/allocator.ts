/**
 * Size-class allocator with explicit free. Blocks are carved from a bump pointer (`top`, persisted
 * in the meta page) and recycled through per-class free lists. The free lists are volatile: recovery
 * rebuilds them by sweeping the heap, which is what lets allocation skip the log entirely (a block
 * allocated but never linked is simply found unreachable at the next open).
 */
import { PmemCorruptError, PmemFreedError, PmemOutOfMemoryError } from "./errors.ts";
import { B_AUX, B_KIND, B_SIZE, B_STATE, B_SUB, B_TAG, BLOCK_HEADER, FREE, LIVE, M_SEALED, M_TOP } from "./layout.ts";
import type { Region } from "./region.ts";

const MIN_BLOCK = 32;

/** Block sizes: 16-byte steps up to 256 B, then ~1.25x steps, all multiples of 16. */
function makeClasses(): number[] {
  const out: number[] = [];
  for (let s = MIN_BLOCK; s <= 256; s += 16) out.push(s);
  let s = 256;
  while (s < 0xffff_0000) {
    s = Math.ceil((s * 1.25) / 16) * 16;
    out.push(Math.min(s, 0xffff_fff0));
  }
  return out;
}

const CLASSES = makeClasses();

/** Index of the smallest class holding `blockSize` bytes. */
export function classOf(blockSize: number): number {
  let lo = 0;
  let hi = CLASSES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (CLASSES[mid]! >= blockSize) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** What `Allocator.check` found; `errors` is empty when the free lists are sound. */
export interface AllocatorCheck {
  /** Allocated blocks. */
  liveBlocks: number;
  /** Blocks on the free lists. */
  freeBlocks: number;
  /** Bytes in allocated blocks, headers included. */
  liveBytes: number;
  /** Bytes in free blocks. */
  freeBytes: number;
  /** End of the allocated part of the heap (the bump pointer). */
  top: number;
  /** What is wrong with the free lists; empty when they are sound. */
  errors: string[];
}

export class Allocator {
  private readonly r: Region;
  private free: number[][] = CLASSES.map(() => []);
  /**
   * Blocks released since the last completed flush (msync mode): their FREE headers may not be on
   * media yet, so they are not handed out until it completes. A put that links its entry in the same
   * flush that writes it (entry-seal.ts) relies on this: a recycled block whose old header and
   * contents were still on media could otherwise pass for the new entry after a power failure.
   */
  private pending: number[] = [];
  /** Called with each block address the allocator hands out (failure-atomic blocks track them). */
  onAlloc: ((addr: number) => void) | null = null;
  /** Called before a recycled block (or a header being freed) is written outside the redo log. */
  beforeReuse: ((addr: number, size: number) => void) | null = null;

  constructor(region: Region) {
    this.r = region;
    // A completed flush made every header below top durable; saying so (M_SEALED) can only reach
    // media after them. In "none" mode the page cache is the medium and stores land in program
    // order, so alloc seals each header as soon as it is written.
    region.afterFlush = () => {
      if (this.pending.length > 0) {
        for (const a of this.pending) this.free[classOf(region.u32[a >>> 2]!)]!.push(a);
        this.pending = [];
      }
      const top = this.top;
      if (region.u32[M_SEALED >>> 2] !== top) {
        region.u32[M_SEALED >>> 2] = top;
        region.markDirty(M_SEALED, 4);
      }
    };
  }

  get top(): number {
    return this.r.u32[M_TOP >>> 2]!;
  }

  /** Allocates a block whose payload holds `payload` bytes; returns the block address. Payload is zeroed. */
  alloc(payload: number, kind: number, sub = 0): number {
    const cls = classOf(payload + BLOCK_HEADER);
    const size = CLASSES[cls]!;
    const r = this.r;
    let addr = this.free[cls]!.pop();
    if (addr === undefined) {
      const top = this.top;
      if (top + size > r.size) {
        throw new PmemOutOfMemoryError(`cannot allocate ${payload} bytes: heap of ${r.size} bytes is full (top ${top})`);
      }
      addr = top;
      r.u32[addr >>> 2] = size;
      r.u32[(addr + B_AUX) >>> 2] = 0;
      // top and this header reach media in one unordered msync, so a crash can leave top moved
      // over a header that is not there: recovery cuts the heap back at the first such header
      // above M_SEALED (see reclaimTornTail). Space above top is then not zero: clear it here.
      r.u8.fill(0, addr + BLOCK_HEADER, addr + size);
      r.u32[M_TOP >>> 2] = top + size;
      if (r.flushMode === "none") r.u32[M_SEALED >>> 2] = top + size;
      r.markDirty(M_TOP, 16);
    } else {
      // Space above the old top was never a logged target; a recycled block may have been one.
      if (this.beforeReuse !== null) this.beforeReuse(addr, size);
      r.u8.fill(0, addr + BLOCK_HEADER, addr + size);
    }
    r.u8[addr + B_STATE] = LIVE;
    r.u8[addr + B_KIND] = kind;
    r.u16[(addr + B_SUB) >>> 1] = sub;
    r.u32[(addr + B_AUX) >>> 2] = 0;
    r.u32[(addr + B_TAG) >>> 2] = 0;
    r.markDirty(addr, size);
    if (this.onAlloc !== null) this.onAlloc(addr);
    return addr;
  }

  /** Returns a block to its class's free list. Freeing twice is an error, not a silent corruption. */
  release(addr: number): void {
    const r = this.r;
    if (r.u8[addr + B_STATE] !== LIVE) throw new PmemFreedError(`block ${addr} is already free`);
    if (this.beforeReuse !== null) this.beforeReuse(addr, BLOCK_HEADER);
    r.u8[addr + B_STATE] = FREE;
    r.markDirty(addr, BLOCK_HEADER);
    if (r.flushMode === "none") this.free[classOf(r.u32[addr >>> 2]!)]!.push(addr);
    else this.pending.push(addr);
  }

  /**
   * At open, before anything walks the heap: finds the first header below top that cannot be a
   * block. Above M_SEALED that is the torn tail of a crash (top reached media, some headers
   * allocated since the last flush did not; nothing durable can point at them, since every link
   * follows a flush): top is cut back to it and the bytes returned. Below M_SEALED it is corruption.
   */
  reclaimTornTail(): number {
    const r = this.r;
    const top = this.top;
    if (top < r.heapOff || top > r.size || top % 16 !== 0) {
      throw new PmemCorruptError(`${r.path}: heap top ${top} is outside [${r.heapOff}, ${r.size}]`);
    }
    const sealed = Math.max(r.heapOff, Math.min(top, r.u32[M_SEALED >>> 2]!));
    let a = r.heapOff;
    while (a < top) {
      const size = r.u32[a >>> 2]!;
      const state = r.u8[a + B_STATE];
      if (size < MIN_BLOCK || size % 16 !== 0 || a + size > top || (state !== LIVE && state !== FREE)) {
        if (a < sealed) throw new PmemCorruptError(`${r.path}: bad block header at ${a} (size ${size}, state ${state})`);
        r.u32[M_TOP >>> 2] = a;
        r.u32[M_SEALED >>> 2] = a;
        r.markDirty(M_TOP, 16);
        return top - a;
      }
      a += size;
    }
    return 0;
  }

  /** Visits every block below top in address order; throws if a header cannot be a block. */
  walk(fn: (addr: number, size: number, live: boolean) => void): void {
    const r = this.r;
    const top = this.top;
    let a = r.heapOff;
    while (a < top) {
      const size = r.u32[a >>> 2]!;
      const state = r.u8[a + B_STATE];
      if (size < MIN_BLOCK || size % 16 !== 0 || a + size > top || (state !== LIVE && state !== FREE)) {
        throw new PmemCorruptError(`${r.path}: bad block header at ${a} (size ${size}, state ${state})`);
      }
      fn(a, size, state === LIVE);
      a += size;
    }
  }

  /** Frees every live block the predicate rejects and rebuilds the free lists; returns blocks reclaimed. */
  sweep(isReachable: (addr: number) => boolean): number {
    const r = this.r;
    this.free = CLASSES.map(() => []);
    this.pending = [];
    let reclaimed = 0;
    this.walk((a, size, live) => {
      if (live && !isReachable(a)) {
        r.u8[a + B_STATE] = FREE;
        r.markDirty(a, BLOCK_HEADER);
        live = false;
        reclaimed++;
      }
      if (!live) this.free[classOf(size)]!.push(a);
    });
    // Pop order favours low addresses, which keeps reuse compact after a restart.
    for (const list of this.free) list.reverse();
    return reclaimed;
  }

  /** Initialises an empty heap. */
  format(): void {
    this.r.u32[M_TOP >>> 2] = this.r.heapOff;
    this.r.u32[M_SEALED >>> 2] = this.r.heapOff;
    this.r.markDirty(M_TOP, 16);
    this.free = CLASSES.map(() => []);
    this.pending = [];
  }

  /** Checks that each free block is listed exactly once, in its own class, and each listed block is free. */
  check(): AllocatorCheck {
    const r = this.r;
    const errors: string[] = [];
    const listed = new Map<number, number>();
    this.free.forEach((list, cls) => {
      for (const a of list) {
        if (listed.has(a)) errors.push(`block ${a} is on the free lists twice`);
        listed.set(a, cls);
      }
    });
    for (const a of this.pending) {
      if (listed.has(a)) errors.push(`block ${a} is on the free lists twice`);
      listed.set(a, classOf(r.u32[a >>> 2]!));
    }
    const out: AllocatorCheck = { liveBlocks: 0, freeBlocks: 0, liveBytes: 0, freeBytes: 0, top: this.top, errors };
    const seen = new Set<number>();
    this.walk((a, size, live) => {
      seen.add(a);
      if (live) {
        out.liveBlocks++;
        out.liveBytes += size;
        if (listed.has(a)) errors.push(`live block ${a} is on a free list`);
      } else {
        out.freeBlocks++;
        out.freeBytes += size;
        const cls = listed.get(a);
        if (cls === undefined) errors.push(`free block ${a} is on no free list (leaked)`);
        else if (cls !== classOf(size)) errors.push(`free block ${a} of ${size} B is on class ${cls}`);
      }
    });
    for (const a of listed.keys()) if (!seen.has(a)) errors.push(`free list entry ${a} is not a block`);
    return out;
  }
}

/** Usable payload bytes of the block at `addr`. */
export function payloadSize(r: Region, addr: number): number {
  return r.u32[(addr + B_SIZE) >>> 2]! - BLOCK_HEADER;
}
