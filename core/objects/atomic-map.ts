/**
 * A map shared by all cloud threads (java.util.concurrent.ConcurrentMap semantics). Keys are
 * strings or numbers (1 and "1" are different keys). `merge` and `mergeAll` combine values on the
 * DSO node with a named function, so N workers aggregating cost N messages:
 *
 * - `sum`: numbers add; bigints add with 64-bit wraparound; Float64Array (any numeric TypedArray)
 *   and number lists add elementwise (lengths must match)
 * - `min`, `max`: numbers or strings
 * - `replace`: the new value wins
 * - `concat`: lists, strings or bytes are appended
 *
 * Of java.util.concurrent.ConcurrentMap it has get, getOrDefault, put, putAll, putIfAbsent,
 * remove(k) / remove(k, v), replace(k, v) / replace(k, old, new), containsKey, containsValue,
 * keys, values, entries, size, isEmpty, clear, merge. Left out: compute*, replaceAll, forEach
 * (lambdas; `merge` takes a named function instead) and live views (reads are snapshots).
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/** A key of AtomicMap / AtomicTreeMap. */
export type MapKey = string | number;
/** Names of the server-side merge functions. */
export type MergeFunctionName = 'sum' | 'min' | 'max' | 'replace' | 'concat';
/** Entries as the SDK accepts them: a plain object, a Map, or `[key, value]` pairs. */
export type EntriesInput<K extends MapKey, V> = Map<K, V> | Array<[K, V]> | (K extends string ? Record<K, V> : never);

/** Map instances do not survive MessagePack (they encode as `{}`): send them as pairs. */
export function toWireEntries(m: unknown): unknown {
  return m instanceof Map ? [...m.entries()] : m;
}

/**
 * A hash map on the DSO node with java.util.Map semantics (insertion order kept), plus
 * node-side `merge`. Every method rejects as {@link SharedObject} says, and with
 * {@link BadArgumentError} for a key that is not a string or a finite number.
 */
export class AtomicMap<K extends MapKey = string, V = unknown> extends SharedObject {
  readonly typeName = 'AtomicMap';

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
  /** Every key, in insertion order. */
  keys(): Promise<K[]> { return this.invoke('keys'); }
  /** Every value, in insertion order. */
  values(): Promise<V[]> { return this.invoke('values'); }
  /** Every entry as `[key, value]`, in insertion order. */
  entries(): Promise<Array<[K, V]>> { return this.invoke('entries'); }
  /**
   * Puts `value` if absent, else `fn(current, value)`, on the node; resolves to the new value.
   * @throws {BadArgumentError} if `fn` is not a merge function or cannot combine the two values
   */
  merge(key: K, value: V, fn: MergeFunctionName): Promise<V> { return this.invoke('merge', key, value, fn); }
  /**
   * Merges every entry atomically (all or none applied); resolves to the map's size.
   * @throws {BadArgumentError} if `fn` is not a merge function or cannot combine some pair of values
   */
  mergeAll(entries: EntriesInput<K, V>, fn: MergeFunctionName): Promise<number> { return this.invoke('mergeAll', toWireEntries(entries), fn); }
}

registerProxy('AtomicMap', (key) => new AtomicMap(key));
