/**
 * Per-entry persistence for the container types: a `PHashMap` in the region whose values are the
 * entries' wire-encoded bytes, so a call that changes one entry writes that entry only (a
 * crash-consistent put: the entry is written and flushed, then linked by one store). A call that
 * changes several writes them in one failure-atomic block; one that changes very many, or clears
 * the container, builds a fresh map aside and swaps it in with one link, so the redo log never
 * has to hold more than a handful of records.
 */
import { PHashMap } from '../../pmem/index.ts';
import type { Relink, StrategyContext } from './strategies.ts';

/** Above this many changes in one call, the map is rebuilt aside instead of updated entry by entry. */
export const REBUILD_AT = 2048;

/** A change to one entry: its bytes, or null to delete it. */
export type Change = [key: string, bytes: Uint8Array | null];

export class EntryTable {
  constructor(private readonly ctx: StrategyContext, public root: PHashMap, private readonly relink: Relink) {}

  /** A new, empty table inside the caller's failure-atomic block (the block links it). */
  static create(ctx: StrategyContext, relink: Relink, entries: Iterable<[string, Uint8Array]>): EntryTable {
    const t = new EntryTable(ctx, PHashMap.create(ctx.heap), relink);
    for (const [k, b] of entries) t.put(t.root, k, b);
    return t;
  }

  /** After a block that did not commit: the root is again the one the index links (a rebuilt one is gone). */
  revert(): void {
    const linked = this.relink.linked();
    if (linked instanceof PHashMap) this.root = linked;
  }

  /** Makes `changes` durable before returning. */
  write(changes: Change[]): void {
    if (changes.length === 0) return;
    const heap = this.ctx.heap;
    if (changes.length === 1) this.apply(changes[0]!);
    else heap.atomic(() => { for (const c of changes) this.apply(c); });
    this.ctx.stats.commits++;
  }

  /** Replaces every entry: a fresh map is filled where nothing points at it, then linked in one step. */
  rebuild(entries: Iterable<[string, Uint8Array]>): void {
    const heap = this.ctx.heap;
    this.root = heap.atomic(() => {
      const fresh = PHashMap.create(heap);
      for (const [k, b] of entries) this.put(fresh, k, b);
      this.relink(fresh);
      return fresh;
    });
    this.ctx.stats.commits++;
  }

  private apply([key, bytes]: Change): void {
    if (bytes === null) {
      if (this.root.delete(key)) this.ctx.stats.entriesWritten++;
    } else this.put(this.root, key, bytes);
  }

  private put(map: PHashMap, key: string, bytes: Uint8Array): void {
    map.put(key, bytes);
    this.ctx.stats.entriesWritten++;
    this.ctx.stats.bytesWritten += bytes.byteLength;
  }
}

/**
 * A Map that remembers which keys were set or deleted since the last `take()`: installed in place
 * of a container's own Map, it tells the strategy what a call touched without the class knowing.
 */
export class TrackedMap<K, V> extends Map<K, V> {
  private dirty: Set<K> | undefined;
  private removed: Set<K> | undefined;
  private wiped = false;

  override set(k: K, v: V): this {
    this.dirty?.add(k);
    return super.set(k, v);
  }

  override delete(k: K): boolean {
    const had = super.delete(k);
    if (had && this.dirty) { this.dirty.add(k); this.removed!.add(k); }
    return had;
  }

  override clear(): void {
    super.clear();
    if (this.dirty) { this.dirty.clear(); this.removed!.clear(); this.wiped = true; }
  }

  /** Replaces every entry with `entries`, in that order, and forgets what was tracked (a rollback). */
  reset(entries: Iterable<[K, V]>): void {
    super.clear();
    for (const [k, v] of entries) super.set(k, v);
    if (this.dirty) { this.dirty = new Set(); this.removed = new Set(); this.wiped = false; }
  }

  /** Starts tracking (after the initial fill). */
  track(): this {
    this.dirty = new Set();
    this.removed = new Set();
    return this;
  }

  /**
   * What changed since the last call: `cleared` when the map was cleared (then `keys` holds what
   * was set afterwards), `removed` the keys deleted at some point (a key deleted and set again moves
   * to the end of the insertion order).
   */
  take(): { keys: Set<K>; removed: Set<K>; cleared: boolean } | null {
    const d = this.dirty!;
    if (d.size === 0 && !this.wiped) return null;
    const out = { keys: d, removed: this.removed!, cleared: this.wiped };
    this.dirty = new Set();
    this.removed = new Set();
    this.wiped = false;
    return out;
  }
}

/** A map key as a region key: the first character keeps numbers and strings apart (5 is not "5"). */
export function keyToSlot(k: string | number): string {
  return typeof k === 'number' ? `#${k}` : `$${k}`;
}

export function slotToKey(s: string): string | number {
  return s.charCodeAt(0) === 35 /* # */ ? Number(s.slice(1)) : s.slice(1);
}

/** Entry bytes: the insertion sequence number (8 bytes, to restore Map order), then the encoded value. */
export function packEntry(ctx: StrategyContext, seq: number, value: unknown): Uint8Array {
  const v = ctx.encode([value]);
  const out = new Uint8Array(8 + v.byteLength);
  new DataView(out.buffer).setFloat64(0, seq, true);
  out.set(v, 8);
  return out;
}

export function unpackEntry(ctx: StrategyContext, bytes: Uint8Array): { seq: number; value: unknown } {
  const seq = new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  ctx.stats.valuesDecoded++;
  return { seq, value: ctx.decode(bytes.subarray(8))[0] };
}
