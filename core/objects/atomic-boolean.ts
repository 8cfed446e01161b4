/** A boolean shared by all cloud threads, with java.util.concurrent.atomic.AtomicBoolean semantics. */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

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

  get(): Promise<boolean> { return this.invoke('get'); }
  set(value: boolean): Promise<void> { return this.invoke('set', value); }
  getAndSet(value: boolean): Promise<boolean> { return this.invoke('getAndSet', value); }
  compareAndSet(expect: boolean, update: boolean): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
}

registerProxy('AtomicBoolean', (key) => new AtomicBoolean(key));
