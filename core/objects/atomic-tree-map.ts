/**
 * A sorted map shared by all cloud threads (java.util.TreeMap / NavigableMap semantics, every call
 * linearizable). One fixed comparator orders keys: every number before every string; numbers
 * numerically; strings by UTF-16 code units (JS `<`). Range reads return `[key, value]` pairs in
 * ascending key order (descending for the `descending*` reads); they are snapshots, not live views.
 *
 * Of NavigableMap it has get, getOrDefault, put, putAll, putIfAbsent, remove(k) / remove(k, v),
 * replace(k, v) / replace(k, old, new), merge (named function), containsKey, containsValue, size,
 * isEmpty, clear, keys, values, entries, firstKey, lastKey, firstEntry, lastEntry, pollFirstEntry,
 * pollLastEntry, floor/ceiling/lower/higher Key and Entry, headMap, tailMap, subMap (with Java's
 * inclusive flags), descendingKeys, descendingMap, and `top(k)` by value. Navigation answers null
 * where Java returns null; firstKey/lastKey answer null on an empty map where Java throws. Left
 * out: comparator() (one fixed order), navigable key-set views, compute* (lambdas).
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';
import { toWireEntries, type EntriesInput, type MapKey, type MergeFunctionName } from './atomic-map.ts';

/**
 * A sorted map on the DSO node with java.util.NavigableMap semantics (keys all numbers or all
 * strings). Every method rejects as {@link SharedObject} says, and with {@link BadArgumentError}
 * for a key that is not a string or a finite number.
 */
export class AtomicTreeMap<K extends MapKey = string, V = unknown> extends SharedObject {
  readonly typeName = 'AtomicTreeMap';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial entries
   * @param initial initial entries if the object does not exist yet (default empty)
   */
  constructor(keyOrInitial?: string | EntriesInput<K, V>, initial?: EntriesInput<K, V>, options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [toWireEntries(init)], options);
  }

  /** The value, or null if absent. */
  get(key: K): Promise<V | null> { return this.invoke('get', key); }
  /** The value, or `dflt` if absent. */
  getOrDefault(key: K, dflt: V): Promise<V> { return this.invoke('getOrDefault', key, dflt); }
  /** Resolves to the previous value or null. */
  put(key: K, value: V): Promise<V | null> { return this.invoke('put', key, value); }
  /** Puts every entry, atomically (a bad key refuses them all). */
  putAll(entries: EntriesInput<K, V>): Promise<void> { return this.invoke('putAll', toWireEntries(entries)); }
  /** Puts only if absent; resolves to the existing value, or null if it put. */
  putIfAbsent(key: K, value: V): Promise<V | null> { return this.invoke('putIfAbsent', key, value); }
  /** Removes the key; resolves to the removed value or null. */
  remove(key: K): Promise<V | null>;
  /** Removes the key only if its value structurally equals `value`; resolves to whether it did. */
  remove(key: K, value: V): Promise<boolean>;
  remove(key: K, ...value: V[]): Promise<V | null | boolean> { return this.invoke('remove', key, ...value.slice(0, 1)); }
  /** Sets the value only if the key is present; resolves to the previous value or null. */
  replace(key: K, value: V): Promise<V | null>;
  /** Sets `update` only if the current value structurally equals `expect`; resolves to whether it did. */
  replace(key: K, expect: V, update: V): Promise<boolean>;
  replace(key: K, ...rest: V[]): Promise<V | null | boolean> { return this.invoke('replace', key, ...rest.slice(0, 2)); }
  /**
   * Puts `value` if absent, else `fn(current, value)`, on the node; resolves to the new value.
   * @throws {BadArgumentError} if `fn` is not a merge function or cannot combine the two values
   */
  merge(key: K, value: V, fn: MergeFunctionName): Promise<V> { return this.invoke('merge', key, value, fn); }
  /** Whether the key is present. */
  containsKey(key: K): Promise<boolean> { return this.invoke('containsKey', key); }
  /** Whether some value structurally equals `value`. */
  containsValue(value: V): Promise<boolean> { return this.invoke('containsValue', value); }
  /** The number of entries. */
  size(): Promise<number> { return this.invoke('size'); }
  /** Whether the map has no entry. */
  isEmpty(): Promise<boolean> { return this.invoke('isEmpty'); }
  /** Removes every entry. */
  clear(): Promise<void> { return this.invoke('clear'); }
  /** The smallest key, or null when empty. */
  firstKey(): Promise<K | null> { return this.invoke('firstKey'); }
  /** The largest key, or null when empty. */
  lastKey(): Promise<K | null> { return this.invoke('lastKey'); }
  /** The entry with the smallest key, or null. */
  firstEntry(): Promise<[K, V] | null> { return this.invoke('firstEntry'); }
  /** The entry with the largest key, or null. */
  lastEntry(): Promise<[K, V] | null> { return this.invoke('lastEntry'); }
  /** Removes and resolves to the entry with the smallest key, or null when empty. */
  pollFirstEntry(): Promise<[K, V] | null> { return this.invoke('pollFirstEntry'); }
  /** Removes and resolves to the entry with the largest key, or null when empty. */
  pollLastEntry(): Promise<[K, V] | null> { return this.invoke('pollLastEntry'); }
  /** The greatest key at or below `key`, or null. */
  floorKey(key: K): Promise<K | null> { return this.invoke('floorKey', key); }
  /** The least key at or above `key`, or null. */
  ceilingKey(key: K): Promise<K | null> { return this.invoke('ceilingKey', key); }
  /** The greatest key strictly below `key`, or null. */
  lowerKey(key: K): Promise<K | null> { return this.invoke('lowerKey', key); }
  /** The least key strictly above `key`, or null. */
  higherKey(key: K): Promise<K | null> { return this.invoke('higherKey', key); }
  /** The entry with the greatest key at or below `key`, or null. */
  floorEntry(key: K): Promise<[K, V] | null> { return this.invoke('floorEntry', key); }
  /** The entry with the least key at or above `key`, or null. */
  ceilingEntry(key: K): Promise<[K, V] | null> { return this.invoke('ceilingEntry', key); }
  /** The entry with the greatest key strictly below `key`, or null. */
  lowerEntry(key: K): Promise<[K, V] | null> { return this.invoke('lowerEntry', key); }
  /** The entry with the least key strictly above `key`, or null. */
  higherEntry(key: K): Promise<[K, V] | null> { return this.invoke('higherEntry', key); }
  /** Every key, ascending. */
  keys(): Promise<K[]> { return this.invoke('keys'); }
  /** Every value, ascending by key. */
  values(): Promise<V[]> { return this.invoke('values'); }
  /** Every entry as `[key, value]`, ascending by key. */
  entries(): Promise<Array<[K, V]>> { return this.invoke('entries'); }
  /** Every key, descending. */
  descendingKeys(): Promise<K[]> { return this.invoke('descendingKeys'); }
  /** Every entry, descending by key. */
  descendingMap(): Promise<Array<[K, V]>> { return this.invoke('descendingMap'); }
  /** Entries with keys strictly below `toKey` (at or below with `inclusive`). */
  headMap(toKey: K, inclusive = false): Promise<Array<[K, V]>> { return this.invoke('headMap', toKey, inclusive); }
  /** Entries with keys at or above `fromKey` (strictly above without `inclusive`). */
  tailMap(fromKey: K, inclusive = true): Promise<Array<[K, V]>> { return this.invoke('tailMap', fromKey, inclusive); }
  /**
   * Entries from `fromKey` (inclusive by default) to `toKey` (exclusive by default); `fromKey`
   * after `toKey` rejects with ERR_BAD_ARGUMENT.
   */
  subMap(fromKey: K, toKey: K, fromInclusive = true, toInclusive = false): Promise<Array<[K, V]>> {
    return this.invoke('subMap', fromKey, toKey, fromInclusive, toInclusive);
  }
  /**
   * The `k` entries with the largest values, largest first. Values rank numbers (and bigints)
   * numerically, then strings, then booleans, anything else lowest; ties go to the smaller key.
   */
  top(k: number): Promise<Array<[K, V]>> { return this.invoke('top', k); }
}

registerProxy('AtomicTreeMap', (key) => new AtomicTreeMap(key));
