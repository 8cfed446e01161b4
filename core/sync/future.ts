/**
 * A remote promise: any thread can complete it, once; any thread can wait for it. Named
 * `Future` after the seed's API; `get` parks on the DSO node until the value is set.
 */
import { SharedObject, type SharedOptions } from '../objects/shared-object.ts';
import { registerProxy } from '../objects/proxy-registry.ts';
import { errorToData } from '../protocol/errors.ts';

/**
 * A remote promise on the DSO node: completed once by any thread, awaited by any thread (`get`
 * parks on the node). Every method rejects as {@link SharedObject} says.
 */
export class Future<T = unknown> extends SharedObject {
  readonly typeName = 'Future';

  constructor(key?: string, options?: SharedOptions) {
    super(key, undefined, options);
  }

  /**
   * Completes the future.
   * @throws {IllegalStateError} if it was already completed
   */
  set(value: T): Promise<void> { return this.invoke('set', value); }
  /**
   * Completes the future with an error that `get` will throw (code, name, message and stack kept).
   * @throws {IllegalStateError} if it was already completed
   */
  setError(error: unknown): Promise<void> { return this.invoke('setError', errorToData(error)); }
  /**
   * Waits for the value.
   * @throws {TimeoutError} if `timeoutMs` elapsed first
   * @throws {CrucialError} the error given to `setError`, rebuilt from its code
   */
  get(timeoutMs?: number): Promise<T> { return this.invoke('get', timeoutMs ?? null); }
  /** Whether the future was completed (with a value or an error). */
  isDone(): Promise<boolean> { return this.invoke('isDone'); }
}

registerProxy('Future', (key) => new Future(key));
