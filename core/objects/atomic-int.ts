/**
 * A 32-bit signed integer shared by all cloud threads, with java.util.concurrent.atomic.AtomicInteger
 * semantics: arithmetic wraps around like Java's `int`; arguments outside 32 bits are refused
 * (ERR_BAD_ARGUMENT) rather than truncated.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

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

  get(): Promise<number> { return this.invoke('get'); }
  set(value: number): Promise<void> { return this.invoke('set', value); }
  getAndSet(value: number): Promise<number> { return this.invoke('getAndSet', value); }
  addAndGet(delta: number): Promise<number> { return this.invoke('addAndGet', delta); }
  getAndAdd(delta: number): Promise<number> { return this.invoke('getAndAdd', delta); }
  incrementAndGet(): Promise<number> { return this.invoke('incrementAndGet'); }
  decrementAndGet(): Promise<number> { return this.invoke('decrementAndGet'); }
  getAndIncrement(): Promise<number> { return this.invoke('getAndIncrement'); }
  getAndDecrement(): Promise<number> { return this.invoke('getAndDecrement'); }
  compareAndSet(expect: number, update: number): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
}

registerProxy('AtomicInt', (key) => new AtomicInt(key));
