/**
 * A persistent hash map (string keys) that stays consistent without the redo log, as J-PDT's maps do:
 * open addressing over a slot array of entry refs; an entry is written in full and flushed before
 * the single 4-byte store that links it, so a crash leaves either the old or the new entry reachable.
 * Counters are updated after the link and recounted by recovery. Inside `heap.atomic` the same
 * stores join the block instead.
 */
import type { Heap } from "../heap.ts";
import {
  B_AUX, BLOCK_HEADER, E_HASH, E_KEY, E_KEYLEN, E_TAG, E_VAL, E_VALLEN, Kind, MAP_FLAGS, MAP_SIZE, MAP_SLOTS,
  MAP_USED, M_EPOCH, TOMBSTONE, VTag,
} from "../layout.ts";
import { factories, PObject } from "../pobject.ts";
import { sealEntry, UNSEALED } from "../entry-seal.ts";

/** What a map can hold: numbers, strings and byte blobs inline, or a reference to another persistent object. */
export type PValue = number | string | Uint8Array | PObject;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** FNV-1a over UTF-16 code units, so lookups never encode the key. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A persistent hash map with string keys, crash-consistent without the redo log: after a crash
 * each key holds its old or its new value.
 */
export class PHashMap extends PObject {
  /** Allocates an empty map with room for `capacity` entries before its first resize. */
  static create(heap: Heap, capacity = 16): PHashMap {
    const a = PHashMap.alloc(heap, capacity, 0);
    return new PHashMap(heap, a);
  }

  protected static alloc(heap: Heap, capacity: number, flags: number): number {
    let cap = 8;
    while (cap * 0.75 < capacity) cap *= 2;
    const a = heap.alloc(16, Kind.HashMap);
    const slots = heap.alloc(4 * cap, Kind.RefArray);
    heap.u32[(slots + B_AUX) >>> 2] = cap;
    heap.u32[(a + MAP_SLOTS) >>> 2] = slots;
    heap.u32[(a + MAP_FLAGS) >>> 2] = flags;
    return a;
  }

  /** Number of entries. */
  get size(): number {
    return this.heap.getU32(this.live() + MAP_SIZE);
  }

  /**
   * Whether `key` is present.
   * @throws {PmemFreedError} if the object was freed
   */
  has(key: string): boolean {
    return this.find(key, hashKey(key)) >= 0;
  }

  /** The value under `key`; byte values are views in place, valid until that key is next written. */
  get(key: string): PValue | undefined {
    const i = this.find(key, hashKey(key));
    if (i < 0) return undefined;
    return this.readValue(this.slotRef(i));
  }

  /** The byte value under `key` as a view in place (no copy), or undefined. */
  getBytes(key: string): Uint8Array | undefined {
    const i = this.find(key, hashKey(key));
    if (i < 0) return undefined;
    const e = this.slotRef(i);
    const u32 = this.heap.u32;
    if (u32[(e + E_TAG) >>> 2] !== VTag.Bytes) return undefined;
    const off = e + E_KEY + align8(2 * u32[(e + E_KEYLEN) >>> 2]!);
    return this.heap.u8.subarray(off, off + u32[(e + E_VALLEN) >>> 2]!);
  }

  /**
   * Stores `value` under `key`, crash-consistently: after a crash the map holds the old or the new
   * value. Outside `atomic` with `flush: "msync"` one flush makes it durable: the entry carries a
   * seal (entry-seal.ts) and is linked through a marker recovery checks, instead of a flush of the
   * entry before its link.
   */
  put(key: string, value: PValue): void {
    const heap = this.heap;
    const map = this.live();
    const h = hashKey(key);
    const i = this.find(key, h);
    const oneFlush = heap.tx === null && heap.region.flushMode === "msync";
    if (i >= 0 && typeof value === "number") {
      const e = this.slotRef(i);
      if (heap.u32[(e + E_TAG) >>> 2] === VTag.Number) {
        // An entry the last put linked may still be checked against its seal by recovery until a
        // flush has made its marker's clearing durable: settle that first (then the seal is moot).
        if (oneFlush && e === heap.lastSealed && heap.region.flushes === heap.lastSealedAt) heap.region.flush();
        // An aligned 8-byte store cannot tear, so numbers are updated in place.
        heap.setF64(e, e + E_VAL, value);
        this.persist();
        return;
      }
    }
    if (i < 0 && heap.getU32(map + MAP_USED) + 1 > this.capacity() * 0.75) this.resize();
    const e = this.newEntry(key, h, value);
    if (!oneFlush) {
      this.persist();
      if (i >= 0) {
        const old = this.slotRef(i);
        this.setSlot(i, e);
        this.persist();
        heap.freeBlock(old);
        this.onChange(key, true);
        return;
      }
      this.insert(key, h, e, e);
      this.persist();
      this.onChange(key, false);
      return;
    }
    const u32 = heap.u32;
    sealEntry(u32, e, u32[M_EPOCH >>> 2]!);
    if (i >= 0) {
      // The old entry names its replacement; recovery swings the slot to it if it is whole.
      const old = this.slotRef(i);
      heap.setU32(old, old + B_AUX, e);
      heap.region.flush();
      this.setSlot(i, e);
      // Released now, reusable only after the next flush, which also makes the swing durable.
      heap.freeBlock(old);
      this.sealed(e);
      this.onChange(key, true);
      return;
    }
    const j = this.insert(key, h, e, e | UNSEALED);
    heap.region.flush();
    this.setSlot(j, e);
    this.sealed(e);
    this.onChange(key, false);
  }

  /** Links entry `e` of a new key as `link` (e, or e tagged) in its insertion slot and counts it; returns the slot. */
  private insert(key: string, h: number, e: number, link: number): number {
    const heap = this.heap;
    const map = this.addr;
    const j = -this.find(key, h) - 1;
    const wasEmpty = this.slotRef(j) === 0;
    this.setSlot(j, link);
    heap.setU32(map, map + MAP_SIZE, heap.getU32(map + MAP_SIZE) + 1);
    if (wasEmpty) heap.setU32(map, map + MAP_USED, heap.getU32(map + MAP_USED) + 1);
    return j;
  }

  /** Remembers the entry whose marker's clearing is not yet durable (see the number path of `put`). */
  private sealed(e: number): void {
    this.heap.lastSealed = e;
    this.heap.lastSealedAt = this.heap.region.flushes;
  }

  /**
   * Overwrites part of the byte value under `key` in place, failure-atomically (a redo-logged block,
   * joined if one is open). Returns false when the key is absent or its value is not bytes.
   * @throws {RangeError} if the patch would go past the value's end
   * @throws {PmemFreedError} if the object was freed
   */
  patchBytes(key: string, offset: number, data: Uint8Array): boolean {
    const i = this.find(key, hashKey(key));
    if (i < 0) return false;
    const e = this.slotRef(i);
    const u32 = this.heap.u32;
    if (u32[(e + E_TAG) >>> 2] !== VTag.Bytes) return false;
    const len = u32[(e + E_VALLEN) >>> 2]!;
    if (offset < 0 || offset + data.length > len) throw new RangeError(`patch of ${data.length} B at ${offset} exceeds ${len} B`);
    const at = e + E_KEY + align8(2 * u32[(e + E_KEYLEN) >>> 2]!) + offset;
    this.heap.atomicWrite(e, at, data);
    return true;
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    const heap = this.heap;
    const map = this.live();
    const i = this.find(key, hashKey(key));
    if (i < 0) return false;
    const e = this.slotRef(i);
    this.setSlot(i, TOMBSTONE);
    heap.setU32(map, map + MAP_SIZE, heap.getU32(map + MAP_SIZE) - 1);
    this.persist();
    heap.freeBlock(e);
    this.onRemove(key);
    return true;
  }

  /** Entries in slot order. */
  *entries(): IterableIterator<[string, PValue]> {
    for (const e of this.entryRefs()) yield [this.readKey(e), this.readValue(e)];
  }

  /**
   * Keys in slot order.
   * @throws {PmemFreedError} if the object was freed
   */
  *keys(): IterableIterator<string> {
    for (const e of this.entryRefs()) yield this.readKey(e);
  }

  /**
   * Same as `entries()`.
   * @throws {PmemFreedError} if the object was freed
   */
  [Symbol.iterator](): IterableIterator<[string, PValue]> {
    return this.entries();
  }

  override ownedBlocks(): number[] {
    return [...this.entryRefs(), this.heap.getU32(this.live() + MAP_SLOTS)];
  }

  protected onChange(_key: string, _existed: boolean): void {}
  protected onRemove(_key: string): void {}

  protected *entryRefs(): IterableIterator<number> {
    const cap = this.capacity();
    for (let i = 0; i < cap; i++) {
      const e = this.slotRef(i);
      if (e > TOMBSTONE) yield e;
    }
  }

  protected readKey(e: number): string {
    const n = this.heap.u32[(e + E_KEYLEN) >>> 2]!;
    const base = (e + E_KEY) >>> 1;
    return String.fromCharCode.apply(null, Array.from(this.heap.u16.subarray(base, base + n)));
  }

  private readValue(e: number): PValue {
    const heap = this.heap;
    const tag = heap.u32[(e + E_TAG) >>> 2];
    if (tag === VTag.Number) return heap.getF64(e + E_VAL);
    if (tag === VTag.Ref) return heap.deref(heap.u32[(e + E_VAL) >>> 2]!)!;
    const off = e + E_KEY + align8(2 * heap.u32[(e + E_KEYLEN) >>> 2]!);
    const bytes = heap.u8.subarray(off, off + heap.u32[(e + E_VALLEN) >>> 2]!);
    return tag === VTag.String ? dec.decode(bytes) : bytes;
  }

  private newEntry(key: string, h: number, value: PValue): number {
    const heap = this.heap;
    let tag: VTag;
    let bytes: Uint8Array | undefined;
    if (typeof value === "number") tag = VTag.Number;
    else if (typeof value === "string") {
      tag = VTag.String;
      bytes = enc.encode(value);
    } else if (value instanceof Uint8Array) {
      tag = VTag.Bytes;
      bytes = value;
    } else if (value instanceof PObject) tag = VTag.Ref;
    else throw new TypeError("PHashMap values are numbers, strings, Uint8Arrays or persistent objects");
    const keyBytes = align8(2 * key.length);
    const e = heap.alloc(24 + keyBytes + (bytes?.length ?? 0), Kind.HashEntry);
    const u32 = heap.u32;
    u32[(e + E_HASH) >>> 2] = h;
    u32[(e + E_KEYLEN) >>> 2] = key.length;
    u32[(e + E_TAG) >>> 2] = tag;
    const k = (e + E_KEY) >>> 1;
    const u16 = heap.u16;
    for (let i = 0; i < key.length; i++) u16[k + i] = key.charCodeAt(i);
    if (tag === VTag.Number) heap.f64[(e + E_VAL) >>> 3] = value as number;
    else if (tag === VTag.Ref) u32[(e + E_VAL) >>> 2] = (value as PObject).addr;
    else {
      u32[(e + E_VALLEN) >>> 2] = bytes!.length;
      heap.u8.set(bytes!, e + E_KEY + keyBytes);
    }
    return e;
  }

  /** Slot index of `key`, or -(insertion slot) - 1 when absent. */
  private find(key: string, h: number): number {
    const heap = this.heap;
    const u32 = heap.u32;
    const u16 = heap.u16;
    const slots = heap.getU32(this.live() + MAP_SLOTS);
    const cap = u32[(slots + B_AUX) >>> 2]!;
    const base = (slots + BLOCK_HEADER) >>> 2;
    const tx = heap.tx;
    let i = h & (cap - 1);
    let firstFree = -1;
    for (let probes = 0; probes < cap; probes++) {
      const e = tx === null ? u32[base + i]! : heap.getU32((base + i) * 4);
      if (e === 0) return -(firstFree >= 0 ? firstFree : i) - 1;
      if (e === TOMBSTONE) {
        if (firstFree < 0) firstFree = i;
      } else if (u32[(e + E_HASH) >>> 2] === h && u32[(e + E_KEYLEN) >>> 2] === key.length) {
        const k = (e + E_KEY) >>> 1;
        let j = 0;
        while (j < key.length && u16[k + j] === key.charCodeAt(j)) j++;
        if (j === key.length) return i;
      }
      i = (i + 1) & (cap - 1);
    }
    return -(firstFree >= 0 ? firstFree : 0) - 1;
  }

  private capacity(): number {
    return this.heap.u32[(this.heap.getU32(this.live() + MAP_SLOTS) + B_AUX) >>> 2]!;
  }

  private slotRef(i: number): number {
    const slots = this.heap.getU32(this.addr + MAP_SLOTS);
    return this.heap.getU32(slots + BLOCK_HEADER + 4 * i);
  }

  private setSlot(i: number, ref: number): void {
    const slots = this.heap.getU32(this.addr + MAP_SLOTS);
    this.heap.setU32(slots, slots + BLOCK_HEADER + 4 * i, ref);
  }

  /** Builds a fresh slot array off to the side and swaps it in with one store: no log needed. */
  private resize(): void {
    const heap = this.heap;
    const map = this.addr;
    const oldSlots = heap.getU32(map + MAP_SLOTS);
    const live = [...this.entryRefs()];
    let cap = 8;
    while (cap * 0.5 < live.length + 1) cap *= 2;
    const slots = heap.alloc(4 * cap, Kind.RefArray);
    const u32 = heap.u32;
    u32[(slots + B_AUX) >>> 2] = cap;
    const base = (slots + BLOCK_HEADER) >>> 2;
    for (const e of live) {
      let i = u32[(e + E_HASH) >>> 2]! & (cap - 1);
      while (u32[base + i] !== 0) i = (i + 1) & (cap - 1);
      u32[base + i] = e;
    }
    this.persist();
    heap.setU32(map, map + MAP_SLOTS, slots);
    heap.setU32(map, map + MAP_USED, live.length);
    this.persist();
    heap.freeBlock(oldSlots);
  }

  /** Outside a failure-atomic block, each linking step is flushed before the next; inside, commit does it. */
  protected persist(): void {
    if (this.heap.tx === null) this.heap.region.flush();
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

factories.set(Kind.HashMap, (heap, a) => (heap.u32[(a + MAP_FLAGS) >>> 2] === 1 ? sortedFactory!(heap, a) : new PHashMap(heap, a)));

let sortedFactory: ((heap: Heap, a: number) => PObject) | undefined;
/** Lets psortedmap.ts supply proxies for maps flagged sorted without an import cycle. */
export function registerSortedFactory(f: (heap: Heap, a: number) => PObject): void {
  sortedFactory = f;
}
