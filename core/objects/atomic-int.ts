/**
 * A 32-bit signed integer shared by all cloud threads, with java.util.concurrent.atomic.AtomicInteger
 * semantics: arithmetic wraps around like Java's `int`; arguments outside 32 bits are refused
 * (ERR_BAD_ARGUMENT) rather than truncated.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A 32-bit signed integer on the DSO node with java.util.concurrent.atomic.AtomicInteger semantics
 * (arithmetic wraps at 32 bits). Every method rejects as {@link SharedObject} says, and with
 * {@link BadArgumentError} when an argument does not fit in 32 bits.
 */
export class AtomicInt extends SharedObject {
  readonly typeName = 'AtomicInt';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial value
   * @param initial initial value if the object does not exist yet (default 0)
   */
  constructor(keyOrInitial?: string | number, initial?: number, options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [init], options);
  }

  /** The current value. */
  get(): Promise<number> { return this.invoke('get'); }
  /** Sets the value. */
  set(value: number): Promise<void> { return this.invoke('set', value); }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: number): Promise<number> { return this.invoke('getAndSet', value); }
  /** Adds `delta`; resolves to the new value. */
  addAndGet(delta: number): Promise<number> { return this.invoke('addAndGet', delta); }
  /** Adds `delta`; resolves to the previous value. */
  getAndAdd(delta: number): Promise<number> { return this.invoke('getAndAdd', delta); }
  /** Adds one; resolves to the new value. */
  incrementAndGet(): Promise<number> { return this.invoke('incrementAndGet'); }
  /** Subtracts one; resolves to the new value. */
  decrementAndGet(): Promise<number> { return this.invoke('decrementAndGet'); }
  /** Adds one; resolves to the previous value. */
  getAndIncrement(): Promise<number> { return this.invoke('getAndIncrement'); }
  /** Subtracts one; resolves to the previous value. */
  getAndDecrement(): Promise<number> { return this.invoke('getAndDecrement'); }
  /** Sets `update` if the value is `expect`; resolves to whether it did. */
  compareAndSet(expect: number, update: number): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
}

registerProxy('AtomicInt', (key) => new AtomicInt(key));
