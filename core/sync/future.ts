/**
 * A remote promise: any thread can complete it, once; any thread can wait for it. Named
 * `Future` after the seed's API; `get` parks on the DSO node until the value is set.
 */
import { SharedObject, type SharedOptions } from '../objects/shared-object.ts';
import { registerProxy } from '../objects/proxy-registry.ts';
import { errorToData } from '../protocol/errors.ts';

export class Future<T = unknown> extends SharedObject {
  readonly typeName = 'Future';

  constructor(key?: string, options?: SharedOptions) {
    super(key, undefined, options);
  }

  /** Completes the future; rejects with ERR_ILLEGAL_STATE if it was already completed. */
  set(value: T): Promise<void> { return this.invoke('set', value); }
  /** Completes the future with an error that `get` will throw (code, name, message and stack kept). */
  setError(error: unknown): Promise<void> { return this.invoke('setError', errorToData(error)); }
  /** Waits for the value; rejects with ERR_TIMEOUT after `timeoutMs`. */
  get(timeoutMs?: number): Promise<T> { return this.invoke('get', timeoutMs ?? null); }
  isDone(): Promise<boolean> { return this.invoke('isDone'); }
}

registerProxy('Future', (key) => new Future(key));
