/**
 * Node side of AtomicMap: a linearizable map from keys (strings or numbers, see `mapKey`) to wire
 * values, with `merge`/`mergeAll` running a named server-side function (merge-functions.ts) so
 * workers aggregate on the node. Whole-map reads return `[key, value]` pairs because a MessagePack
 * map decoded in JS would turn number keys into strings.
 *
 * java.util.concurrent.ConcurrentMap coverage: get, getOrDefault, put, putAll, putIfAbsent,
 * remove(k) and remove(k, v), replace(k, v) and replace(k, old, new), containsKey, containsValue,
 * keys (keySet), values, entries (entrySet), size, isEmpty, clear, merge. Left out: compute,
 * computeIfAbsent, computeIfPresent, replaceAll, forEach (they take lambdas; `merge`/`mergeAll`
 * take a named server-side function instead) and live views (whole-map reads are snapshots).
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { deepEqual, entries, mapKey, type MapKey } from './values.ts';
import { mergeFunction } from './merge-functions.ts';

/** Stores a private copy of typed arrays and bytes, so an in-place `sum` never touches the caller's buffer. */
function own(v: unknown): unknown {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? (v as unknown as { slice(): unknown }).slice() : v;
}

export class AtomicMap {
  private readonly map = new Map<MapKey, unknown>();

  /** @param initial a map or `[key, value]` pairs */
  constructor(initial: unknown = []) {
    for (const [k, v] of entries(initial, 'AtomicMap(initial)')) this.map.set(k, own(v));
  }

  /** The value, or nil if absent. */
  get(key: unknown): unknown { return this.map.get(mapKey(key, 'get(key)')) ?? null; }
  /** The value, or `dflt` if absent. */
  getOrDefault(key: unknown, dflt: unknown = null): unknown {
    const k = mapKey(key, 'getOrDefault(key)');
    return this.map.has(k) ? this.map.get(k) : dflt;
  }
  /** Sets the value; returns the previous one or nil. */
  put(key: unknown, value: unknown = null): unknown {
    const k = mapKey(key, 'put(key)');
    const old = this.map.get(k) ?? null;
    this.map.set(k, own(value));
    return old;
  }
  /** Puts every entry (a map or `[key, value]` pairs). */
  putAll(m: unknown): null {
    for (const [k, v] of entries(m, 'putAll(map)')) this.map.set(k, own(v));
    return null;
  }
  /** Sets the value only if the key is absent; returns the existing value, or nil if it put. */
  putIfAbsent(key: unknown, value: unknown = null): unknown {
    const k = mapKey(key, 'putIfAbsent(key)');
    if (this.map.has(k)) return this.map.get(k);
    this.map.set(k, own(value));
    return null;
  }
  /**
   * `remove(key)`: removes the key, returns the value it had or nil. `remove(key, value)` (two
   * arguments, ConcurrentMap#remove): removes it only if its value equals `value` structurally;
   * returns whether it did.
   */
  remove(key: unknown, ...value: unknown[]): unknown {
    const k = mapKey(key, 'remove(key)');
    if (value.length > 0) {
      if (!this.map.has(k) || !deepEqual(this.map.get(k), value[0])) return false;
      this.map.delete(k);
      return true;
    }
    const old = this.map.get(k) ?? null;
    this.map.delete(k);
    return old;
  }
  /**
   * `replace(key, value)`: sets the value only if the key is present; returns the previous value or
   * nil. `replace(key, expect, update)`: only if the current value equals `expect` structurally;
   * returns whether it did (ConcurrentMap#replace).
   */
  replace(key: unknown, ...rest: unknown[]): unknown {
    const k = mapKey(key, 'replace(key)');
    if (rest.length < 1 || rest.length > 2) throw new BadArgumentError('replace takes (key, value) or (key, expect, update)');
    if (!this.map.has(k)) return rest.length === 2 ? false : null;
    const old = this.map.get(k);
    if (rest.length === 2) {
      if (!deepEqual(old, rest[0])) return false;
      this.map.set(k, own(rest[1] ?? null));
      return true;
    }
    this.map.set(k, own(rest[0] ?? null));
    return old;
  }
  containsKey(key: unknown): boolean { return this.map.has(mapKey(key, 'containsKey(key)')); }
  /** Whether some entry's value equals `value` structurally. */
  containsValue(value: unknown = null): boolean {
    for (const v of this.map.values()) if (deepEqual(v, value)) return true;
    return false;
  }
  size(): number { return this.map.size; }
  isEmpty(): boolean { return this.map.size === 0; }
  clear(): null { this.map.clear(); return null; }
  keys(): MapKey[] { return [...this.map.keys()]; }
  values(): unknown[] { return [...this.map.values()]; }
  /** Every entry as `[key, value]`, in insertion order. */
  entries(): [MapKey, unknown][] { return [...this.map.entries()]; }

  /**
   * java.util.Map#merge with a named function: puts `value` if the key is absent, else
   * `fn(current, value)`. Returns the new value.
   */
  merge(key: unknown, value: unknown, fn: unknown): unknown {
    const k = mapKey(key, 'merge(key)');
    const f = mergeFunction(fn);
    return this.mergeOne(k, value, f);
  }

  /** Merges every entry of `m` (a map or pairs) with the same function, atomically; returns the map's size. */
  mergeAll(m: unknown, fn: unknown): number {
    const f = mergeFunction(fn);
    const es = entries(m, 'mergeAll(map)');
    // Validate before mutating: a failing merge half-way through must not leave half the entries applied.
    const staged = new Map<MapKey, unknown>();
    for (const [k, v] of es) {
      const cur = staged.has(k) ? staged.get(k) : this.map.get(k);
      staged.set(k, cur === undefined ? own(v) : f(own(cur), v));
    }
    for (const [k, v] of staged) this.map.set(k, v);
    return this.map.size;
  }

  private mergeOne(k: MapKey, value: unknown, f: (a: unknown, b: unknown) => unknown): unknown {
    const cur = this.map.get(k);
    const next = cur === undefined ? own(value) : f(cur, value);
    this.map.set(k, next);
    return next;
  }
}
