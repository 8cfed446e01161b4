/**
 * A barrier for a fixed number of parties, with java.util.concurrent.CyclicBarrier semantics. A
 * waiting party is parked on the DSO node (no polling); the barrier resets itself once all arrive.
 */
import { SharedObject, type SharedOptions } from '../objects/shared-object.ts';
import { registerProxy } from '../objects/proxy-registry.ts';

/**
 * A cyclic barrier on the DSO node with java.util.concurrent.CyclicBarrier semantics; `await` parks
 * on the node. Every method rejects as {@link SharedObject} says.
 */
export class CyclicBarrier extends SharedObject {
  readonly typeName = 'CyclicBarrier';

  /**
   * @param keyOrParties the key, or (inside a `@Shared` field) the number of parties
   * @param parties number of parties that must call `await` to trip the barrier
   */
  constructor(keyOrParties?: string | number, parties?: number, options?: SharedOptions) {
    const key = typeof keyOrParties === 'string' ? keyOrParties : undefined;
    const n = typeof keyOrParties === 'string' ? parties : keyOrParties;
    super(key, n === undefined ? undefined : [n], options);
  }

  /**
   * Waits until all parties have arrived. Resolves to the arrival index (parties-1 for the first,
   * 0 for the last). Rejects with ERR_TIMEOUT after `timeoutMs` (breaking the barrier for the
   * others, who get ERR_BROKEN_BARRIER), as Java's `await(timeout, unit)` does.
   * @throws {TimeoutError} if `timeoutMs` elapsed first
   * @throws {BrokenBarrierError} if the barrier is or gets broken while waiting
   */
  await(timeoutMs?: number): Promise<number> { return this.invoke('await', timeoutMs ?? null); }
  /** Resets the barrier to its initial state; parties waiting now get {@link BrokenBarrierError}. */
  reset(): Promise<void> { return this.invoke('reset'); }
  /** Whether the barrier is broken (a party timed out or it was reset while parties waited). */
  isBroken(): Promise<boolean> { return this.invoke('isBroken'); }
  /** The number of parties needed to trip the barrier. */
  getParties(): Promise<number> { return this.invoke('getParties'); }
  /** The number of parties waiting now. */
  getNumberWaiting(): Promise<number> { return this.invoke('getNumberWaiting'); }
}

registerProxy('CyclicBarrier', (key) => new CyclicBarrier(key));
