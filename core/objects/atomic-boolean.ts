/** A boolean shared by all cloud threads, with java.util.concurrent.atomic.AtomicBoolean semantics. */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A boolean on the DSO node with java.util.concurrent.atomic.AtomicBoolean semantics.
 * Every method rejects as {@link SharedObject} says (released proxy, no key, node unreachable).
 */
export class AtomicBoolean extends SharedObject {
  readonly typeName = 'AtomicBoolean';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial value
   * @param initial initial value if the object does not exist yet (default false)
   */
  constructor(keyOrInitial?: string | boolean, initial?: boolean, options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [init], options);
  }

  /** The current value. */
  get(): Promise<boolean> { return this.invoke('get'); }
  /** Sets the value. */
  set(value: boolean): Promise<void> { return this.invoke('set', value); }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: boolean): Promise<boolean> { return this.invoke('getAndSet', value); }
  /** Sets `update` if the value is `expect`; resolves to whether it did. */
  compareAndSet(expect: boolean, update: boolean): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
}

registerProxy('AtomicBoolean', (key) => new AtomicBoolean(key));
