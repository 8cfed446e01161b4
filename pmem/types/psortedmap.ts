/**
 * A persistent sorted map (string keys, JavaScript string order). The persistent part is a PHashMap,
 * crash-consistent on its own; the order is a volatile index, J-NVM's "transient field": derived
 * from persistent state, rebuilt on first use after open, never written to the region.
 */
import type { Heap } from "../heap.ts";
import { PHashMap, registerSortedFactory, type PValue } from "./phashmap.ts";

const indexes = new WeakMap<Heap, Map<number, string[]>>();

/**
 * A persistent map with string keys kept in JavaScript string order (the order is a volatile
 * index rebuilt on first use after open).
 */
export class PSortedMap extends PHashMap {
  /** Allocates an empty sorted map. */
  static override create(heap: Heap, capacity = 16): PSortedMap {
    return new PSortedMap(heap, PHashMap.alloc(heap, capacity, 1));
  }

  /** Keys in order (a fresh array). */
  sortedKeys(): string[] {
    return this.index().slice();
  }

  /**
   * The smallest key, or undefined when empty.
   * @throws {PmemFreedError} if the object was freed
   */
  firstKey(): string | undefined {
    return this.index()[0];
  }

  /**
   * The largest key, or undefined when empty.
   * @throws {PmemFreedError} if the object was freed
   */
  lastKey(): string | undefined {
    const ix = this.index();
    return ix[ix.length - 1];
  }

  /** Greatest key <= `key`. */
  floorKey(key: string): string | undefined {
    const ix = this.index();
    const i = upperBound(ix, key);
    return i > 0 ? ix[i - 1] : undefined;
  }

  /** Least key >= `key`. */
  ceilingKey(key: string): string | undefined {
    const ix = this.index();
    return ix[lowerBound(ix, key)];
  }

  /** Entries with from <= key < to, in order. */
  *range(from: string, to: string): IterableIterator<[string, PValue]> {
    const ix = this.index();
    for (let i = lowerBound(ix, from); i < ix.length && ix[i]! < to; i++) yield [ix[i]!, this.get(ix[i]!)!];
  }

  /** The first `k` entries in order. */
  head(k: number): Array<[string, PValue]> {
    return this.index().slice(0, k).map((key) => [key, this.get(key)!]);
  }

  /** The last `k` entries, greatest first (top-k). */
  tail(k: number): Array<[string, PValue]> {
    return this.index().slice(-k).reverse().map((key) => [key, this.get(key)!]);
  }

  /** All entries in key order. */
  override *entries(): IterableIterator<[string, PValue]> {
    for (const key of this.index().slice()) yield [key, this.get(key)!];
  }

  /**
   * Keys in order.
   * @throws {PmemFreedError} if the object was freed
   */
  override *keys(): IterableIterator<string> {
    yield* this.index().slice();
  }

  protected override onChange(key: string, existed: boolean): void {
    if (existed) return;
    const ix = this.index();
    const tx = this.heap.tx;
    // Inside an atomic block the key becomes visible in the order only if the block commits.
    const apply = (): void => {
      const i = lowerBound(ix, key);
      if (ix[i] !== key) ix.splice(i, 0, key);
    };
    if (tx === null) apply();
    else tx.onCommit.push(apply);
  }

  protected override onRemove(key: string): void {
    const ix = this.index();
    const apply = (): void => {
      const i = lowerBound(ix, key);
      if (ix[i] === key) ix.splice(i, 1);
    };
    const tx = this.heap.tx;
    if (tx === null) apply();
    else tx.onCommit.push(apply);
  }

  private index(): string[] {
    let perHeap = indexes.get(this.heap);
    if (perHeap === undefined) indexes.set(this.heap, (perHeap = new Map()));
    let ix = perHeap.get(this.addr);
    if (ix === undefined) {
      ix = [];
      for (const e of this.entryRefs()) ix.push(this.readKey(e));
      ix.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      perHeap.set(this.live(), ix);
    }
    return ix;
  }

  override ownedBlocks(): number[] {
    indexes.get(this.heap)?.delete(this.addr);
    return super.ownedBlocks();
  }
}

function lowerBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < k) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function upperBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! <= k) lo = m + 1;
    else hi = m;
  }
  return lo;
}

registerSortedFactory((heap, a) => new PSortedMap(heap, a));
