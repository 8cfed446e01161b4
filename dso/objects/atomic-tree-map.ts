/**
 * Node side of AtomicTreeMap: a sorted map (java.util.TreeMap / ConcurrentSkipListMap, as a
 * NavigableMap). Keys are strings or numbers under one fixed comparator (`compareKeys`): every
 * number before every string, numbers numerically, strings by UTF-16 code units. Entries are kept
 * in a sorted array: inserts are O(n) but reads of ranges are a slice, which suits the read-mostly
 * use (rankings, shell sorted map).
 *
 * Views (headMap, tailMap, subMap, descendingMap, keySet...) are snapshots returned as arrays of
 * `[key, value]` pairs or keys, not live views. Navigation methods answer nil where Java returns
 * null, and firstKey/lastKey answer nil on an empty map where Java throws. Left out: comparator()
 * (one fixed order), the navigable key-set views, compute* (they take lambdas; `merge` takes a
 * named server-side function instead).
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { mergeFunction } from './merge-functions.ts';
import { compareKeys, compareValues, count, deepEqual, entries, mapKey, type MapKey } from './values.ts';

type Pair = [MapKey, unknown];

export class AtomicTreeMap {
  private keysSorted: MapKey[] = [];
  /** Entries by key (field name known to persistence/map.ts). */
  private readonly byKey = new Map<MapKey, unknown>();

  /** @param initial a map or `[key, value]` pairs */
  constructor(initial: unknown = []) {
    for (const [k, v] of entries(initial, 'AtomicTreeMap(initial)')) this.putKey(k, v);
  }

  get(key: unknown): unknown { return this.byKey.get(mapKey(key, 'get(key)')) ?? null; }
  /** The value, or `dflt` if absent. */
  getOrDefault(key: unknown, dflt: unknown = null): unknown {
    const k = mapKey(key, 'getOrDefault(key)');
    return this.byKey.has(k) ? this.byKey.get(k) : dflt;
  }
  /** Sets the value; returns the previous one or nil. */
  put(key: unknown, value: unknown = null): unknown { return this.putKey(mapKey(key, 'put(key)'), value); }
  /** Puts every entry (a map or `[key, value]` pairs), checking every key first: all or none. */
  putAll(m: unknown): null {
    for (const [k, v] of entries(m, 'putAll(map)')) this.putKey(k, v);
    return null;
  }
  /** Sets the value only if the key is absent; returns the existing value, or nil if it put. */
  putIfAbsent(key: unknown, value: unknown = null): unknown {
    const k = mapKey(key, 'putIfAbsent(key)');
    if (this.byKey.has(k)) return this.byKey.get(k);
    this.putKey(k, value);
    return null;
  }
  /**
   * `remove(key)`: removes the key, returns the value it had or nil. `remove(key, value)` (two
   * arguments): removes it only if its value equals `value` structurally; returns whether it did.
   */
  remove(key: unknown, ...value: unknown[]): unknown {
    const k = mapKey(key, 'remove(key)');
    if (!this.byKey.has(k)) return value.length > 0 ? false : null;
    const old = this.byKey.get(k);
    if (value.length > 0 && !deepEqual(old, value[0])) return false;
    this.removeKey(k);
    return value.length > 0 ? true : old;
  }
  /**
   * `replace(key, value)`: sets the value only if the key is present; returns the previous value or
   * nil. `replace(key, expect, update)`: only if the current value equals `expect`; returns whether it did.
   */
  replace(key: unknown, ...rest: unknown[]): unknown {
    const k = mapKey(key, 'replace(key)');
    if (rest.length < 1 || rest.length > 2) throw new BadArgumentError('replace takes (key, value) or (key, expect, update)');
    if (!this.byKey.has(k)) return rest.length === 2 ? false : null;
    const old = this.byKey.get(k);
    if (rest.length === 2) {
      if (!deepEqual(old, rest[0])) return false;
      this.byKey.set(k, rest[1] ?? null);
      return true;
    }
    this.byKey.set(k, rest[0] ?? null);
    return old;
  }
  /** java.util.Map#merge with a named function (see AtomicMap.merge); returns the new value. */
  merge(key: unknown, value: unknown, fn: unknown): unknown {
    const k = mapKey(key, 'merge(key)');
    const f = mergeFunction(fn);
    const next = this.byKey.has(k) ? f(this.byKey.get(k), value) : value;
    this.putKey(k, next);
    return next;
  }
  containsKey(key: unknown): boolean { return this.byKey.has(mapKey(key, 'containsKey(key)')); }
  /** Whether some entry's value equals `value` structurally. */
  containsValue(value: unknown = null): boolean {
    for (const v of this.byKey.values()) if (deepEqual(v, value)) return true;
    return false;
  }
  size(): number { return this.keysSorted.length; }
  isEmpty(): boolean { return this.keysSorted.length === 0; }
  clear(): null { this.keysSorted = []; this.byKey.clear(); return null; }
  /** The smallest key, or nil when empty (Java throws; a nil is friendlier across languages). */
  firstKey(): MapKey | null { return this.keysSorted[0] ?? null; }
  /** The largest key, or nil when empty. */
  lastKey(): MapKey | null { return this.keysSorted[this.keysSorted.length - 1] ?? null; }
  /** The entry with the smallest key, or nil. */
  firstEntry(): Pair | null { return this.pairAt(0); }
  /** The entry with the largest key, or nil. */
  lastEntry(): Pair | null { return this.pairAt(this.keysSorted.length - 1); }
  /** Removes and returns the entry with the smallest key, or nil when empty. */
  pollFirstEntry(): Pair | null { return this.pollAt(0); }
  /** Removes and returns the entry with the largest key, or nil when empty. */
  pollLastEntry(): Pair | null { return this.pollAt(this.keysSorted.length - 1); }
  /** The greatest key <= `key`, or nil. */
  floorKey(key: unknown): MapKey | null { return this.keysSorted[this.upper(mapKey(key, 'floorKey(key)')) - 1] ?? null; }
  /** The least key >= `key`, or nil. */
  ceilingKey(key: unknown): MapKey | null { return this.keysSorted[this.search(mapKey(key, 'ceilingKey(key)'))] ?? null; }
  /** The greatest key < `key`, or nil. */
  lowerKey(key: unknown): MapKey | null { return this.keysSorted[this.search(mapKey(key, 'lowerKey(key)')) - 1] ?? null; }
  /** The least key > `key`, or nil. */
  higherKey(key: unknown): MapKey | null { return this.keysSorted[this.upper(mapKey(key, 'higherKey(key)'))] ?? null; }
  floorEntry(key: unknown): Pair | null { return this.pairAt(this.upper(mapKey(key, 'floorEntry(key)')) - 1); }
  ceilingEntry(key: unknown): Pair | null { return this.pairAt(this.search(mapKey(key, 'ceilingEntry(key)'))); }
  lowerEntry(key: unknown): Pair | null { return this.pairAt(this.search(mapKey(key, 'lowerEntry(key)')) - 1); }
  higherEntry(key: unknown): Pair | null { return this.pairAt(this.upper(mapKey(key, 'higherEntry(key)'))); }
  /** Every key, ascending. */
  keys(): MapKey[] { return this.keysSorted.slice(); }
  /** Every value, ascending by key. */
  values(): unknown[] { return this.keysSorted.map((k) => this.byKey.get(k)); }
  /** Every entry as `[key, value]`, ascending by key. */
  entries(): Pair[] { return this.pairs(0, this.keysSorted.length); }
  /** Every key, descending (NavigableMap#descendingKeySet, as an array). */
  descendingKeys(): MapKey[] { return this.keysSorted.slice().reverse(); }
  /** Every entry, descending by key (NavigableMap#descendingMap, as pairs). */
  descendingMap(): Pair[] { return this.pairs(0, this.keysSorted.length).reverse(); }
  /** Entries with keys below `toKey` (or at it, with `inclusive`), ascending (NavigableMap#headMap). */
  headMap(toKey: unknown, inclusive: unknown = false): Pair[] {
    const k = mapKey(toKey, 'headMap(toKey)');
    return this.pairs(0, arg.bool(inclusive, 'headMap(inclusive)') ? this.upper(k) : this.search(k));
  }
  /** Entries with keys at or above `fromKey` (strictly above, without `inclusive`), ascending (NavigableMap#tailMap). */
  tailMap(fromKey: unknown, inclusive: unknown = true): Pair[] {
    const k = mapKey(fromKey, 'tailMap(fromKey)');
    return this.pairs(arg.bool(inclusive, 'tailMap(inclusive)') ? this.search(k) : this.upper(k), this.keysSorted.length);
  }
  /**
   * Entries with keys from `fromKey` (inclusive by default) to `toKey` (exclusive by default),
   * ascending (NavigableMap#subMap). `fromKey` after `toKey` is ERR_BAD_ARGUMENT, as Java's
   * IllegalArgumentException.
   */
  subMap(fromKey: unknown, toKey: unknown, fromInclusive: unknown = true, toInclusive: unknown = false): Pair[] {
    const f = mapKey(fromKey, 'subMap(fromKey)');
    const t = mapKey(toKey, 'subMap(toKey)');
    if (compareKeys(f, t) > 0) throw new BadArgumentError(`subMap(fromKey) ${String(f)} is after toKey ${String(t)}`);
    const lo = arg.bool(fromInclusive, 'subMap(fromInclusive)') ? this.search(f) : this.upper(f);
    const hi = arg.bool(toInclusive, 'subMap(toInclusive)') ? this.upper(t) : this.search(t);
    return this.pairs(lo, Math.max(lo, hi));
  }
  /**
   * The `k` entries with the largest values, largest first: values rank by `compareValues`
   * (numbers numerically, then strings, then booleans, anything else lowest); ties go to the
   * smaller key.
   */
  top(k: unknown): Pair[] {
    const n = count(k, 0, 'top(k)');
    const all = this.pairs(0, this.keysSorted.length);
    all.sort((a, b) => compareValues(b[1], a[1]) || compareKeys(a[0], b[0]));
    return all.slice(0, n);
  }

  private putKey(k: MapKey, value: unknown): unknown {
    const had = this.byKey.has(k);
    const old = had ? this.byKey.get(k) : null;
    if (!had) this.keysSorted.splice(this.search(k), 0, k);
    this.byKey.set(k, value);
    return old;
  }

  private removeKey(k: MapKey): void {
    this.byKey.delete(k);
    this.keysSorted.splice(this.search(k), 1);
  }

  private pairAt(i: number): Pair | null {
    const k = this.keysSorted[i];
    return k === undefined ? null : [k, this.byKey.get(k)];
  }

  private pollAt(i: number): Pair | null {
    const p = this.pairAt(i);
    if (p) this.removeKey(p[0]);
    return p;
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

  /** Index of the first key > k. */
  private upper(k: MapKey): number {
    let lo = 0, hi = this.keysSorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keysSorted[mid]!, k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private pairs(from: number, to: number): Pair[] {
    return this.keysSorted.slice(from, to).map((k) => [k, this.byKey.get(k)]);
  }
}
