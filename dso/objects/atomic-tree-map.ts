/**
 * Node side of AtomicTreeMap: a sorted map (java.util.TreeMap / ConcurrentSkipListMap). Keys are
 * strings or numbers under one fixed comparator (`compareKeys`): every number before every string,
 * numbers numerically, strings by UTF-16 code units. Entries are kept in a sorted array: inserts are
 * O(n) but reads of ranges are a slice, which suits the read-mostly use (rankings, shell sorted map).
 */
import { compareKeys, compareValues, count, entries, mapKey, type MapKey } from './values.ts';

export class AtomicTreeMap {
  private keysSorted: MapKey[] = [];
  private readonly values = new Map<MapKey, unknown>();

  /** @param initial a map or `[key, value]` pairs */
  constructor(initial: unknown = []) {
    for (const [k, v] of entries(initial, 'AtomicTreeMap(initial)')) this.putKey(k, v);
  }

  get(key: unknown): unknown { return this.values.get(mapKey(key, 'get(key)')) ?? null; }
  /** Sets the value; returns the previous one or nil. */
  put(key: unknown, value: unknown = null): unknown { return this.putKey(mapKey(key, 'put(key)'), value); }
  /** Removes the key; returns the value it had, or nil. */
  remove(key: unknown): unknown {
    const k = mapKey(key, 'remove(key)');
    if (!this.values.has(k)) return null;
    const old = this.values.get(k);
    this.values.delete(k);
    this.keysSorted.splice(this.search(k), 1);
    return old;
  }
  containsKey(key: unknown): boolean { return this.values.has(mapKey(key, 'containsKey(key)')); }
  size(): number { return this.keysSorted.length; }
  clear(): null { this.keysSorted = []; this.values.clear(); return null; }
  /** The smallest key, or nil when empty (Java throws; a nil is friendlier across languages). */
  firstKey(): MapKey | null { return this.keysSorted[0] ?? null; }
  /** The largest key, or nil when empty. */
  lastKey(): MapKey | null { return this.keysSorted[this.keysSorted.length - 1] ?? null; }
  /** Every key, ascending. */
  keys(): MapKey[] { return this.keysSorted.slice(); }
  /** Every entry as `[key, value]`, ascending by key. */
  entries(): [MapKey, unknown][] { return this.pairs(0, this.keysSorted.length); }
  /** Entries with keys strictly less than `toKey`, ascending (TreeMap#headMap). */
  headMap(toKey: unknown): [MapKey, unknown][] {
    return this.pairs(0, this.search(mapKey(toKey, 'headMap(toKey)')));
  }
  /** Entries with keys greater than or equal to `fromKey`, ascending (TreeMap#tailMap). */
  tailMap(fromKey: unknown): [MapKey, unknown][] {
    return this.pairs(this.search(mapKey(fromKey, 'tailMap(fromKey)')), this.keysSorted.length);
  }
  /**
   * The `k` entries with the largest values, largest first: values rank by `compareValues`
   * (numbers numerically, then strings, then booleans, anything else lowest); ties go to the
   * smaller key.
   */
  top(k: unknown): [MapKey, unknown][] {
    const n = count(k, 0, 'top(k)');
    const all = this.pairs(0, this.keysSorted.length);
    all.sort((a, b) => compareValues(b[1], a[1]) || compareKeys(a[0], b[0]));
    return all.slice(0, n);
  }

  private putKey(k: MapKey, value: unknown): unknown {
    const had = this.values.has(k);
    const old = had ? this.values.get(k) : null;
    if (!had) this.keysSorted.splice(this.search(k), 0, k);
    this.values.set(k, value);
    return old;
  }

  /** Index of the first key >= k (binary search). */
  private search(k: MapKey): number {
    let lo = 0, hi = this.keysSorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keysSorted[mid]!, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private pairs(from: number, to: number): [MapKey, unknown][] {
    return this.keysSorted.slice(from, to).map((k) => [k, this.values.get(k)]);
  }
}

