/**
 * A shared counter (the shell's IPC counter, seed §4): increment, decrement, read the tally, reset.
 * Counts are exact up to 2^53-1; a count that would leave that range fails with ERR_ILLEGAL_STATE.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A counter on the DSO node (the seed's AtomicCounter). Every method rejects as
 * {@link SharedObject} says, and with {@link IllegalStateError} if the count would leave the exact
 * integer range (2^53).
 */
export class AtomicCounter extends SharedObject {
  readonly typeName = 'AtomicCounter';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial count
   * @param initial initial count if the object does not exist yet (default 0)
   */
  constructor(keyOrInitial?: string | number, initial?: number, options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [init], options);
  }

  /** Adds `by` (default 1); resolves to the new count. */
  increment(by = 1): Promise<number> { return this.invoke('increment', by); }
  /** Subtracts `by` (default 1); resolves to the new count. */
  decrement(by = 1): Promise<number> { return this.invoke('decrement', by); }
  /** The current count. */
  tally(): Promise<number> { return this.invoke('tally'); }
  /** Sets the count to zero; resolves to the count it had. */
  reset(): Promise<number> { return this.invoke('reset'); }
}

registerProxy('AtomicCounter', (key) => new AtomicCounter(key));
