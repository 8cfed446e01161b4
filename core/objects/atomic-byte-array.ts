/**
 * A fixed-length byte array shared by all cloud threads, with atomic per-byte operations and
 * whole-array reads and writes. Bytes read back unsigned (0..255, as Uint8Array and Python `bytes`);
 * writes accept -128..255 and store the value modulo 256; arithmetic wraps modulo 256. The
 * per-element operations are java.util.concurrent.atomic.AtomicIntegerArray's, less lazySet, the
 * weak/plain/opaque/acquire/release variants (every call is linearizable: they would equal set and
 * compareAndSet) and the *Update/*Accumulate family (lambdas).
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A fixed-length byte array on the DSO node with atomic per-byte operations. Every method rejects
 * as {@link SharedObject} says, and with {@link BadArgumentError} for an index out of bounds or a
 * value that is not a byte.
 */
export class AtomicByteArray extends SharedObject {
  readonly typeName = 'AtomicByteArray';

  /**
   * @param keyOrInit the key, or (inside a `@Shared` field) the length or initial content
   * @param init the length (zero-filled) or the initial content, if the object does not exist yet
   */
  constructor(keyOrInit?: string | number | Uint8Array, init?: number | Uint8Array, options?: SharedOptions) {
    const key = typeof keyOrInit === 'string' ? keyOrInit : undefined;
    const i = typeof keyOrInit === 'string' ? init : keyOrInit;
    super(key, i === undefined ? undefined : [i], options);
  }

  /** The array's length. */
  length(): Promise<number> { return this.invoke('length'); }
  /**
   * The byte at `index` (0..255).
   * @throws {BadArgumentError} if `index` is out of bounds
   */
  get(index: number): Promise<number> { return this.invoke('get', index); }
  /**
   * Sets the byte at `index` (modulo 256).
   * @throws {BadArgumentError} if `index` is out of bounds or `value` is not a byte (-128..255)
   */
  set(index: number, value: number): Promise<void> { return this.invoke('set', index, value); }
  /**
   * Sets the byte at `index`; resolves to the byte before.
   * @throws {BadArgumentError} if `index` is out of bounds or `value` is not a byte (-128..255)
   */
  getAndSet(index: number, value: number): Promise<number> { return this.invoke('getAndSet', index, value); }
  /**
   * Adds `delta` to the byte (wrapping); resolves to the byte before.
   * @throws {BadArgumentError} if `index` is out of bounds or `value` is not a byte (-128..255)
   */
  getAndAdd(index: number, delta: number): Promise<number> { return this.invoke('getAndAdd', index, delta); }
  /**
   * Adds `delta` to the byte (wrapping); resolves to the new byte.
   * @throws {BadArgumentError} if `index` is out of bounds or `value` is not a byte (-128..255)
   */
  addAndGet(index: number, delta: number): Promise<number> { return this.invoke('addAndGet', index, delta); }
  /** Adds one to the byte (wrapping 255 to 0); resolves to the new byte. */
  incrementAndGet(index: number): Promise<number> { return this.invoke('incrementAndGet', index); }
  /** Subtracts one from the byte (wrapping 0 to 255); resolves to the new byte. */
  decrementAndGet(index: number): Promise<number> { return this.invoke('decrementAndGet', index); }
  /** Adds one to the byte; resolves to the byte before. */
  getAndIncrement(index: number): Promise<number> { return this.invoke('getAndIncrement', index); }
  /** Subtracts one from the byte; resolves to the byte before. */
  getAndDecrement(index: number): Promise<number> { return this.invoke('getAndDecrement', index); }
  /**
   * Sets the byte to `update` if it is `expect`; resolves to whether it did.
   * @throws {BadArgumentError} if `index` is out of bounds or `value` is not a byte (-128..255)
   */
  compareAndSet(index: number, expect: number, update: number): Promise<boolean> { return this.invoke('compareAndSet', index, expect, update); }
  /** A copy of the whole array. */
  getAll(): Promise<Uint8Array> { return this.invoke('getAll'); }
  /** Replaces the whole content; `bytes` must have the array's length. */
  setAll(bytes: Uint8Array): Promise<void> { return this.invoke('setAll', bytes); }
}

registerProxy('AtomicByteArray', (key) => new AtomicByteArray(key));
