/**
 * A 64-bit signed integer shared by all cloud threads, with java.util.concurrent.atomic.AtomicLong
 * semantics. Values come back as `bigint` so nothing above 2^53 loses precision; arguments may be
 * `bigint` or safe-integer `number`.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

export type LongLike = bigint | number;

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

  get(): Promise<bigint> { return this.invoke('get'); }
  set(value: LongLike): Promise<void> { return this.invoke('set', value); }
  getAndSet(value: LongLike): Promise<bigint> { return this.invoke('getAndSet', value); }
  addAndGet(delta: LongLike): Promise<bigint> { return this.invoke('addAndGet', delta); }
  getAndAdd(delta: LongLike): Promise<bigint> { return this.invoke('getAndAdd', delta); }
  incrementAndGet(): Promise<bigint> { return this.invoke('incrementAndGet'); }
  decrementAndGet(): Promise<bigint> { return this.invoke('decrementAndGet'); }
  getAndIncrement(): Promise<bigint> { return this.invoke('getAndIncrement'); }
  getAndDecrement(): Promise<bigint> { return this.invoke('getAndDecrement'); }
  compareAndSet(expect: LongLike, update: LongLike): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
  /** Multiplies by `factor`, `times` times, in one call executed on the node. */
  multiply(factor: LongLike, times = 1): Promise<bigint> { return this.invoke('multiply', factor, times); }
}

registerProxy('AtomicLong', (key) => new AtomicLong(key));
