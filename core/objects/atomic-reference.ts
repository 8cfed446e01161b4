/**
 * A reference to any wire value (scalars, lists, maps, bytes, typed arrays, other shared objects),
 * with java.util.concurrent.atomic.AtomicReference semantics. Values have no identity once they
 * cross the wire, so `compareAndSet` compares structurally: equal scalars, equal lists and maps
 * element by element, typed arrays of the same class with equal elements, references to the same
 * (type, key); a number and a bigint are equal when numerically equal.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * Any wire-encodable value on the DSO node with java.util.concurrent.atomic.AtomicReference semantics.
 * Every method rejects as {@link SharedObject} says.
 */
export class AtomicReference<T = unknown> extends SharedObject {
  readonly typeName = 'AtomicReference';

  /**
   * @param key the key (leave undefined inside a `@Shared` field)
   * @param initial initial value if the object does not exist yet (default null)
   */
  constructor(key?: string, initial?: T, options?: SharedOptions) {
    super(key, initial === undefined ? undefined : [initial], options);
  }

  /** The current value (`null` if none was set). */
  get(): Promise<T | null> { return this.invoke('get'); }
  /** Sets the value. */
  set(value: T | null): Promise<void> { return this.invoke('set', value); }
  /** Sets the value; resolves to the previous one. */
  getAndSet(value: T | null): Promise<T | null> { return this.invoke('getAndSet', value); }
  /** Sets `update` if the current value structurally equals `expect`. */
  compareAndSet(expect: T | null, update: T | null): Promise<boolean> { return this.invoke('compareAndSet', expect, update); }
}

registerProxy('AtomicReference', (key) => new AtomicReference(key));
