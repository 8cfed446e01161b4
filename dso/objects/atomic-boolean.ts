/** Node side of AtomicBoolean (java.util.concurrent.atomic.AtomicBoolean semantics). */
import { arg } from '../registry.ts';

export class AtomicBoolean {
  private value: boolean;

  constructor(initial: unknown = false) {
    this.value = arg.bool(initial, 'AtomicBoolean(initial)');
  }

  get(): boolean { return this.value; }
  set(v: unknown): null { this.value = arg.bool(v, 'set(value)'); return null; }
  getAndSet(v: unknown): boolean { const old = this.value; this.value = arg.bool(v, 'getAndSet(value)'); return old; }
  compareAndSet(expect: unknown, update: unknown): boolean {
    const e = arg.bool(expect, 'compareAndSet(expect)');
    const u = arg.bool(update, 'compareAndSet(update)');
    if (this.value !== e) return false;
    this.value = u;
    return true;
  }
}
