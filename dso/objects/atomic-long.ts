/** Node side of AtomicLong: a signed 64-bit integer with java.util.concurrent.atomic.AtomicLong semantics. */
import { arg } from '../registry.ts';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { chargeWork } from '../limits.ts';

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
    if (n < 0) throw new BadArgumentError('multiply(times) must be >= 0');
    chargeWork(n, 'AtomicLong.multiply(times)');
    // BigInt arithmetic allocates on every step; the loop runs on 32-bit halves in plain numbers
    // (a few times faster) and converts back once.
    let hi = Number(BigInt.asIntN(32, this.value >> 32n)) | 0;
    let lo = Number(this.value & 0xffffffffn) >>> 0;
    const fhi = Number(BigInt.asIntN(32, f >> 32n)) | 0;
    const flo = Number(f & 0xffffffffn) >>> 0;
    for (let i = 0; i < n; i++) {
      const nhi = (mulHigh32(lo, flo) + Math.imul(hi, flo) + Math.imul(lo, fhi)) | 0;
      lo = Math.imul(lo, flo) >>> 0;
      hi = nhi;
    }
    this.value = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    return this.value;
  }
}

export const LONG_RANGE = { MIN, MAX };

/** High 32 bits of the 64-bit product of two uint32 values, exact in doubles via 16-bit limbs. */
export function mulHigh32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}
