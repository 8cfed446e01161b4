/**
 * Node side of AtomicReference: holds any wire value (scalars, lists, maps, bytes, arrays, object
 * references). Java compares references by identity; values crossing the wire have no identity, so
 * compareAndSet compares by structural equality of wire values (see `deepEqual`).
 */
import { recycleFrame } from '../../core/protocol/transport/frame-pool.ts';
import { IN_MEMORY_ONLY, deepEqual } from './values.ts';

export class AtomicReference {
  private value: unknown;
  /**
   * Set by the store when this object is in memory only. A value replaced by `set` or
   * `compareAndSet` is then referenced by nothing on the node but the writes of earlier replies (which
   * the pool waits for): a large array kept as received gives its frame buffer back for the next
   * receive, so a stream of 8 MB sets allocates nothing. `getAndSet` returns the old value: kept.
   */
  [IN_MEMORY_ONLY] = false;

  constructor(initial: unknown = null) {
    this.value = initial ?? null;
  }

  get(): unknown { return this.value; }
  set(v: unknown = null): null { this.#replace(v); return null; }
  getAndSet(v: unknown = null): unknown { const old = this.value; this.value = v; return old; }
  compareAndSet(expect: unknown = null, update: unknown = null): boolean {
    if (!deepEqual(this.value, expect)) return false;
    this.#replace(update);
    return true;
  }

  #replace(v: unknown): void {
    const old = this.value;
    this.value = v;
    if (this[IN_MEMORY_ONLY] && old !== v) recycleFrame(old);
  }
}
