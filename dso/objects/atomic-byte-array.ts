/**
 * Node side of AtomicByteArray: a fixed-length array of bytes with atomic per-element operations
 * and whole-array reads and writes. Bytes are unsigned (0..255) as in Uint8Array and Python
 * `bytes`; a value in -128..255 is accepted and stored modulo 256, and arithmetic wraps modulo 256.
 *
 * Mirrors java.util.concurrent.atomic.AtomicIntegerArray for bytes: length, get, set, getAndSet,
 * getAndAdd, addAndGet, incrementAndGet, decrementAndGet, getAndIncrement, getAndDecrement,
 * compareAndSet, plus whole-array getAll/setAll. Left out: lazySet, weakCompareAndSet* and the
 * plain/opaque/acquire/release variants (every call is linearizable on the node, so they would
 * mean the same as set/compareAndSet), and the *Update/*Accumulate family (they take lambdas).
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { arg, describe } from '../registry.ts';
import { index } from './values.ts';
import { chargeBytes } from '../limits.ts';

function byte(v: unknown, what: string): number {
  const n = arg.int(v, what);
  if (n < -128 || n > 255) throw new BadArgumentError(`${what} must be a byte (-128..255), got ${n}`);
  return n & 0xff;
}

export class AtomicByteArray {
  private readonly bytes: Uint8Array;

  /** @param init the length (zero-filled) or the initial content */
  constructor(init: unknown) {
    if (init instanceof Uint8Array) this.bytes = init.slice();
    else if (typeof init === 'number' || typeof init === 'bigint') {
      const n = arg.int(init, 'AtomicByteArray(length)');
      if (n < 0) throw new BadArgumentError(`AtomicByteArray(length) must be >= 0, got ${n}`);
      chargeBytes(n, `AtomicByteArray(${n})`);
      this.bytes = new Uint8Array(n);
    } else throw new BadArgumentError(`AtomicByteArray(init) must be a length or bytes, got ${describe(init)}`);
  }

  length(): number { return this.bytes.length; }
  get(i: unknown): number { return this.bytes[index(i, this.bytes.length, 'get(index)')]!; }
  set(i: unknown, v: unknown): null {
    const k = index(i, this.bytes.length, 'set(index)');
    this.bytes[k] = byte(v, 'set(value)');
    return null;
  }
  getAndSet(i: unknown, v: unknown): number {
    const k = index(i, this.bytes.length, 'getAndSet(index)');
    const old = this.bytes[k]!;
    this.bytes[k] = byte(v, 'getAndSet(value)');
    return old;
  }
  getAndAdd(i: unknown, d: unknown): number {
    const k = index(i, this.bytes.length, 'getAndAdd(index)');
    const old = this.bytes[k]!;
    this.bytes[k] = (old + arg.int(d, 'getAndAdd(delta)')) & 0xff;
    return old;
  }
  addAndGet(i: unknown, d: unknown): number {
    const k = index(i, this.bytes.length, 'addAndGet(index)');
    this.bytes[k] = (this.bytes[k]! + arg.int(d, 'addAndGet(delta)')) & 0xff;
    return this.bytes[k]!;
  }
  incrementAndGet(i: unknown): number { return this.step(i, 1, 'incrementAndGet', false); }
  decrementAndGet(i: unknown): number { return this.step(i, -1, 'decrementAndGet', false); }
  getAndIncrement(i: unknown): number { return this.step(i, 1, 'getAndIncrement', true); }
  getAndDecrement(i: unknown): number { return this.step(i, -1, 'getAndDecrement', true); }
  compareAndSet(i: unknown, expect: unknown, update: unknown): boolean {
    const k = index(i, this.bytes.length, 'compareAndSet(index)');
    const e = byte(expect, 'compareAndSet(expect)');
    const u = byte(update, 'compareAndSet(update)');
    if (this.bytes[k] !== e) return false;
    this.bytes[k] = u;
    return true;
  }
  /** A copy of the whole array (travels as MessagePack bin). */
  getAll(): Uint8Array { return this.bytes.slice(); }
  /** Replaces the whole content; the length is fixed, so `bytes` must match it. */
  setAll(v: unknown): null {
    const b = arg.bytes(v, 'setAll(bytes)');
    if (b.length !== this.bytes.length) throw new BadArgumentError(`setAll(bytes) must have length ${this.bytes.length}, got ${b.length}`);
    this.bytes.set(b);
    return null;
  }

  private step(i: unknown, d: number, m: string, returnOld: boolean): number {
    const k = index(i, this.bytes.length, `${m}(index)`);
    const old = this.bytes[k]!;
    this.bytes[k] = (old + d) & 0xff;
    return returnOld ? old : this.bytes[k]!;
  }
}
