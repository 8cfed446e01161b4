/**
 * A sorted map shared by all cloud threads (java.util.TreeMap semantics, every call linearizable).
 * One fixed comparator orders keys: every number before every string; numbers numerically; strings
 * by UTF-16 code units (JS `<`). Range reads return `[key, value]` pairs in ascending key order.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';
import { toWireEntries, type EntriesInput, type MapKey } from './atomic-map.ts';

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

  get(key: K): Promise<V | null> { return this.invoke('get', key); }
  /** Resolves to the previous value or null. */
  put(key: K, value: V): Promise<V | null> { return this.invoke('put', key, value); }
  /** Resolves to the removed value or null. */
  remove(key: K): Promise<V | null> { return this.invoke('remove', key); }
  containsKey(key: K): Promise<boolean> { return this.invoke('containsKey', key); }
  size(): Promise<number> { return this.invoke('size'); }
  clear(): Promise<void> { return this.invoke('clear'); }
  /** The smallest key, or null when empty. */
  firstKey(): Promise<K | null> { return this.invoke('firstKey'); }
  /** The largest key, or null when empty. */
  lastKey(): Promise<K | null> { return this.invoke('lastKey'); }
  keys(): Promise<K[]> { return this.invoke('keys'); }
  entries(): Promise<Array<[K, V]>> { return this.invoke('entries'); }
  /** Entries with keys strictly below `toKey`. */
  headMap(toKey: K): Promise<Array<[K, V]>> { return this.invoke('headMap', toKey); }
  /** Entries with keys at or above `fromKey`. */
  tailMap(fromKey: K): Promise<Array<[K, V]>> { return this.invoke('tailMap', fromKey); }
  /**
   * The `k` entries with the largest values, largest first. Values rank numbers (and bigints)
   * numerically, then strings, then booleans, anything else lowest; ties go to the smaller key.
   */
  top(k: number): Promise<Array<[K, V]>> { return this.invoke('top', k); }
}

registerProxy('AtomicTreeMap', (key) => new AtomicTreeMap(key));
