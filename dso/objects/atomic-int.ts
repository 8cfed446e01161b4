/** Node side of AtomicInt: a signed 32-bit integer with java.util.concurrent.atomic.AtomicInteger semantics. */
import { int32 } from './values.ts';

/** Two's-complement wrap to 32 bits, as Java's int arithmetic does on overflow. */
const wrap = (v: number): number => v | 0;

export class AtomicInt {
  private value: number;

  constructor(initial: unknown = 0) {
    this.value = int32(initial, 'AtomicInt(initial)');
  }

  get(): number { return this.value; }
  set(v: unknown): null { this.value = int32(v, 'set(value)'); return null; }
  getAndSet(v: unknown): number { const old = this.value; this.value = int32(v, 'getAndSet(value)'); return old; }
  addAndGet(d: unknown): number { this.value = wrap(this.value + int32(d, 'addAndGet(delta)')); return this.value; }
  getAndAdd(d: unknown): number { const old = this.value; this.value = wrap(old + int32(d, 'getAndAdd(delta)')); return old; }
  incrementAndGet(): number { this.value = wrap(this.value + 1); return this.value; }
  decrementAndGet(): number { this.value = wrap(this.value - 1); return this.value; }
  getAndIncrement(): number { const old = this.value; this.value = wrap(old + 1); return old; }
  getAndDecrement(): number { const old = this.value; this.value = wrap(old - 1); return old; }
  compareAndSet(expect: unknown, update: unknown): boolean {
    const e = int32(expect, 'compareAndSet(expect)');
    const u = int32(update, 'compareAndSet(update)');
    if (this.value !== e) return false;
    this.value = u;
    return true;
  }
}
