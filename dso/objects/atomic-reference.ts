/**
 * Node side of AtomicReference: holds any wire value (scalars, lists, maps, bytes, arrays, object
 * references). Java compares references by identity; values crossing the wire have no identity, so
 * compareAndSet compares by structural equality of wire values (see `deepEqual`).
 */
import { isPooledFrame, recycleFrame } from '../../core/protocol/transport/frame-pool.ts';
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
  set(v: unknown = null): null { this.replace(v); return null; }
  getAndSet(v: unknown = null): unknown { const old = this.value; this.value = v; return old; }
  compareAndSet(expect: unknown = null, update: unknown = null): boolean {
    if (!deepEqual(this.value, expect)) return false;
    this.replace(update);
    return true;
  }

  /**
   * A TS-private method, not an ES `#private` one: a persistent instance is attached to its stored
   * state without running the constructor, and an ES private method's brand check then throws.
   */
  private replace(v: unknown): void {
    const old = this.value;
    this.value = v;
    // Bytes travel inside a call's first frame, so the value that replaces `old` may lie in the same
    // buffer (a proxy's first call carries its initial value and the new one): then it is not free.
    if (this[IN_MEMORY_ONLY] && old !== v && ArrayBuffer.isView(old) && isPooledFrame(old.buffer) && !liesIn(v, old.buffer, 0)) recycleFrame(old);
  }
}

/** Whether any view inside `v` (through lists and plain maps, as the codec decodes them) is over `ab`. */
function liesIn(v: unknown, ab: ArrayBufferLike, depth: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (ArrayBuffer.isView(v)) return v.buffer === ab;
  if (depth > 64) return true; // deeper than the codec decodes: keep the buffer rather than guess
  if (Array.isArray(v)) return v.some((x) => liesIn(x, ab, depth + 1));
  if (v instanceof Map) {
    for (const [k, x] of v) if (liesIn(k, ab, depth + 1) || liesIn(x, ab, depth + 1)) return true;
    return false;
  }
  if (Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).some((x) => liesIn(x, ab, depth + 1));
  return true; // anything else (an Arrow Table, an ObjectRef): not looked into, so the buffer is kept
}
