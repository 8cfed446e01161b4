/**
 * A counting semaphore with java.util.concurrent.Semaphore semantics, fair mode: a blocked
 * `acquire` parks on the DSO node (no polling) and callers are served first come, first served.
 */
import { SharedObject, type SharedOptions } from '../objects/shared-object.ts';
import { registerProxy } from '../objects/proxy-registry.ts';

/**
 * A counting semaphore on the DSO node with java.util.concurrent.Semaphore semantics (fair: waiters
 * are served in order); `acquire` parks on the node. Every method rejects as {@link SharedObject}
 * says, and with {@link BadArgumentError} for a negative number of permits.
 */
export class Semaphore extends SharedObject {
  readonly typeName = 'Semaphore';

  /**
   * @param keyOrPermits the key, or (inside a `@Shared` field) the initial permits
   * @param permits initial permits if the object does not exist yet (may be negative, as in Java)
   */
  constructor(keyOrPermits?: string | number, permits?: number, options?: SharedOptions) {
    const key = typeof keyOrPermits === 'string' ? keyOrPermits : undefined;
    const n = typeof keyOrPermits === 'string' ? permits : keyOrPermits;
    super(key, n === undefined ? undefined : [n], options);
  }

  /**
   * Takes `permits` (default 1), waiting until available.
   * @throws {TimeoutError} if `timeoutMs` elapsed first
   */
  acquire(permits = 1, timeoutMs?: number): Promise<void> { return this.invoke('acquire', permits, timeoutMs ?? null); }
  /**
   * Takes `permits` if available. Without `timeoutMs` answers at once (and, as Java's
   * `tryAcquire()`, may take permits ahead of waiting callers); with it, waits in line and resolves
   * false on timeout.
   */
  tryAcquire(permits = 1, timeoutMs?: number): Promise<boolean> { return this.invoke('tryAcquire', permits, timeoutMs ?? null); }
  /** Returns `permits` (default 1), waking waiting callers in order. */
  release(permits = 1): Promise<void> { return this.invoke('release', permits); }
  /** The number of permits available now. */
  availablePermits(): Promise<number> { return this.invoke('availablePermits'); }
  /** Takes every available permit; resolves to how many. */
  drainPermits(): Promise<number> { return this.invoke('drainPermits'); }
  /** How many callers are waiting. */
  getQueueLength(): Promise<number> { return this.invoke('getQueueLength'); }
}

registerProxy('Semaphore', (key) => new Semaphore(key));
