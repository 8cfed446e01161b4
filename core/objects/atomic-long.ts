/**
 * A 64-bit signed integer shared by all cloud threads, with java.util.concurrent.atomic.AtomicLong
 * semantics. Values come back as `bigint` so nothing above 2^53 loses precision; arguments may be
 * `bigint` or safe-integer `number`.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/** A 64-bit argument: a `bigint`, or a `number` that is a safe integer. */
export type LongLike = bigint | number;

/**
 * A 64-bit signed integer on the DSO node with java.util.concurrent.atomic.AtomicLong semantics;
 * values resolve as `bigint`. Every method rejects as {@link SharedObject} says.
 */
export class AtomicLong extends SharedObject {
  readonly typeName = 'AtomicLong';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial value
   * @param initial initial value if the object does not exist yet (default 0)
   */
  constructor(keyOrInitial?: string | LongLike, initial?: LongLike, options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [init], options);
  }

  /** The current value. */
  get(): Promise<bigint> { return this.invoke('get'); }
  /** Sets the value. */
  set(value: LongLike): Promise<void> { return this.invoke('set', value); }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: LongLike): Promise<bigint> { return this.invoke('getAndSet', value); }
  /** Adds `delta`; resolves to the new value. */
  addAndGet(delta: LongLike): Promise<bigint> { return this.invoke('addAndGet', delta); }
  /** Adds `delta`; resolves to the previous value. */
  getAndAdd(delta: LongLike): Promise<bigint> { return this.invoke('getAndAdd', delta); }
  /** Adds one; resolves to the new value. */
  incrementAndGet(): Promise<bigint> { return this.invoke('incrementAndGet'); }
  /** Subtracts one; resolves to the new value. */
  decrementAndGet(): Promise<bigint> { return this.invoke('decrementAndGet'); }
  /** Adds one; resolves to the previous value. */
  getAndIncrement(): Promise<bigint> { return this.invoke('getAndIncrement'); }
  /** Subtracts one; resolves to the previous value. */
  getAndDecrement(): Promise<bigint> { return this.invoke('getAndDecrement'); }
  /** Sets `update` if the value is `expect`; resolves to whether it did. */
  compareAndSet(expect: LongLike, update: LongLike): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
  /**
   * Multiplies by `factor`, `times` times, in one call executed on the node; resolves to the new value.
   * @throws {BadArgumentError} if `times` is negative
   */
  multiply(factor: LongLike, times = 1): Promise<bigint> { return this.invoke('multiply', factor, times); }
}

registerProxy('AtomicLong', (key) => new AtomicLong(key));
