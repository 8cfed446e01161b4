/**
 * Node side of AtomicReference: holds any wire value (scalars, lists, maps, bytes, arrays, object
 * references). Java compares references by identity; values crossing the wire have no identity, so
 * compareAndSet compares by structural equality of wire values (see `deepEqual`).
 */
import { deepEqual } from './values.ts';

export class AtomicReference {
  private value: unknown;

  constructor(initial: unknown = null) {
    this.value = initial ?? null;
  }

  get(): unknown { return this.value; }
  set(v: unknown = null): null { this.value = v; return null; }
  getAndSet(v: unknown = null): unknown { const old = this.value; this.value = v; return old; }
  compareAndSet(expect: unknown = null, update: unknown = null): boolean {
    if (!deepEqual(this.value, expect)) return false;
    this.value = update;
    return true;
  }
}
