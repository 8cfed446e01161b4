/** Node side of AtomicLong: a signed 64-bit integer with java.util.concurrent.atomic.AtomicLong semantics. */
import { arg } from '../registry.ts';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
/** Two's-complement wrap, as Java's long arithmetic does on overflow. */
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

export class AtomicLong {
  private value: bigint;

  constructor(initial: unknown = 0n) {
    this.value = wrap(arg.long(initial, 'AtomicLong(initial)'));
  }

  get(): bigint { return this.value; }
  set(v: unknown): null { this.value = wrap(arg.long(v, 'set(value)')); return null; }
  getAndSet(v: unknown): bigint { const old = this.value; this.value = wrap(arg.long(v, 'getAndSet(value)')); return old; }
  addAndGet(d: unknown): bigint { this.value = wrap(this.value + arg.long(d, 'addAndGet(delta)')); return this.value; }
  getAndAdd(d: unknown): bigint { const old = this.value; this.value = wrap(old + arg.long(d, 'getAndAdd(delta)')); return old; }
  incrementAndGet(): bigint { this.value = wrap(this.value + 1n); return this.value; }
  decrementAndGet(): bigint { this.value = wrap(this.value - 1n); return this.value; }
  getAndIncrement(): bigint { const old = this.value; this.value = wrap(old + 1n); return old; }
  getAndDecrement(): bigint { const old = this.value; this.value = wrap(old - 1n); return old; }
  compareAndSet(expect: unknown, update: unknown): boolean {
    const e = arg.long(expect, 'compareAndSet(expect)');
    const u = arg.long(update, 'compareAndSet(update)');
    if (this.value !== e) return false;
    this.value = wrap(u);
    return true;
  }
  /** Server-side loop used by the complex-operation benchmark (seed Fig 3): `times` multiplications in one call. */
  multiply(factor: unknown, times: unknown = 1): bigint {
    const f = arg.long(factor, 'multiply(factor)');
    const n = arg.int(times, 'multiply(times)');
    let v = this.value;
    for (let i = 0; i < n; i++) v = wrap(v * f);
    this.value = v;
    return v;
  }
}

export const LONG_RANGE = { MIN, MAX };
