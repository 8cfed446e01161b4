/**
 * Node side of Semaphore: java.util.concurrent.Semaphore in fair mode. A blocked `acquire` parks
 * on the node in FIFO order; a large request at the head is not overtaken by smaller ones behind it
 * (fairness, as Java's fair semaphore). The untimed `tryAcquire` barges, as Java's does.
 */
import { BadArgumentError, TimeoutError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { MAX_TIMER_MS } from './waiters.ts';
import { callerGone, onWithdrawn } from '../parked.ts';

interface Waiter {
  permits: number;
  resolve(): void;
  reject(e: unknown): void;
  timer?: NodeJS.Timeout;
}

function permitsArg(v: unknown, what: string): number {
  if (v === undefined || v === null) return 1;
  const n = arg.int(v, what);
  if (n < 0) throw new BadArgumentError(`${what} must be >= 0, got ${n}`);
  return n;
}

export class Semaphore {
  private permits: number;
  private readonly queue: Waiter[] = [];

  /** @param permits initial permits; may be negative (releases must then happen before any acquire succeeds) */
  constructor(permits: unknown) {
    this.permits = arg.int(permits, 'Semaphore(permits)');
  }

  /** Takes `permits` (default 1), parking until they are available; ERR_TIMEOUT after `timeoutMs`. */
  acquire(permits?: unknown, timeoutMs?: unknown): Promise<null> | null {
    const n = permitsArg(permits, 'acquire(permits)');
    const timeout = arg.timeout(timeoutMs, 'acquire(timeoutMs)');
    if (this.queue.length === 0 && this.permits >= n) { this.permits -= n; return null; }
    return this.park(n, timeout).then(
      () => null,
      (e) => { throw e instanceof TimeoutError ? new TimeoutError(`Semaphore.acquire timed out after ${timeout} ms`) : e; },
    );
  }

  /**
   * Takes `permits` if available. Without a timeout it answers at once and barges ahead of parked
   * callers (Java's `tryAcquire()`); with one it queues fairly and answers false on timeout.
   */
  tryAcquire(permits?: unknown, timeoutMs?: unknown): Promise<boolean> | boolean {
    const n = permitsArg(permits, 'tryAcquire(permits)');
    const timeout = arg.timeout(timeoutMs, 'tryAcquire(timeoutMs)');
    if (timeout === undefined || timeout === 0) {
      if (this.permits < n) return false;
      this.permits -= n;
      return true;
    }
    if (this.queue.length === 0 && this.permits >= n) { this.permits -= n; return true; }
    return this.park(n, timeout).then(() => true, (e) => { if (e instanceof TimeoutError) return false; throw e; });
  }

  /** Returns `permits` (default 1); may raise the count above the initial one, as in Java. */
  release(permits?: unknown): null {
    this.permits += permitsArg(permits, 'release(permits)');
    this.drain();
    return null;
  }

  availablePermits(): number { return this.permits; }
  /** Takes every available permit; returns how many. */
  drainPermits(): number {
    const n = Math.max(0, this.permits);
    this.permits -= n;
    return n;
  }
  /** How many callers are parked. */
  getQueueLength(): number { return this.queue.length; }

  private park(n: number, timeout: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { permits: n, resolve, reject };
      this.queue.push(w);
      if (timeout !== undefined && timeout <= MAX_TIMER_MS) {
        w.timer = setTimeout(() => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new TimeoutError('timed out'));
          // The head may have been the one blocking smaller requests behind it. A throw here would
          // escape to the process; the callers it would have woken keep waiting for their own timeouts.
          try { this.drain(); } catch (err) { console.error('crucial dso: Semaphore drain failed after a timeout:', err); }
        }, timeout);
      }
      // The caller's link gone (parked.ts): its request leaves the queue, and the permits go to whoever waits behind it.
      onWithdrawn(() => {
        const i = this.queue.indexOf(w);
        if (i < 0) return;
        this.queue.splice(i, 1);
        clearTimeout(w.timer);
        reject(callerGone());
        this.drain();
      });
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.queue[0]!.permits <= this.permits) {
      const w = this.queue.shift()!;
      clearTimeout(w.timer);
      this.permits -= w.permits;
      w.resolve();
    }
  }
}
