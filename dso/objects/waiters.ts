/**
 * Callers parked on a node-side object (barrier, latch, semaphore, future). Parking is a pending
 * promise, not a blocked thread, so a parked call never holds up calls to any other object.
 */
import { TimeoutError } from '../../core/protocol/errors.ts';
import { callerGone, onWithdrawn } from '../parked.ts';

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
  timer?: NodeJS.Timeout;
}

export class WaitQueue<T = void> {
  private readonly waiters: Waiter<T>[] = [];

  get size(): number { return this.waiters.length; }

  /**
   * Parks the caller until woken. On timeout `onTimeout` runs first (a barrier breaks itself there)
   * and the caller gets a TimeoutError.
   */
  wait(timeoutMs: number | undefined, what: string, onTimeout?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject };
      // Past 2^31-1 ms Node would fire after 1 ms: a timeout that long means wait for ever.
      if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
        w.timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          // A throw here would escape to the process: it fails this call instead.
          try { onTimeout?.(); } catch (err) { reject(err); return; }
          reject(new TimeoutError(`${what} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(w);
      // The caller's link gone (parked.ts): withdrawn, as if it had never waited.
      onWithdrawn(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        reject(callerGone());
      });
    });
  }

  /** Wakes the longest-waiting caller; false if none waits. */
  wakeOne(value: T): boolean {
    const w = this.waiters.shift();
    if (!w) return false;
    clearTimeout(w.timer);
    w.resolve(value);
    return true;
  }

  wakeAll(value: T | ((index: number) => T)): void {
    const ws = this.waiters.splice(0);
    ws.forEach((w, i) => {
      clearTimeout(w.timer);
      w.resolve(typeof value === 'function' ? (value as (i: number) => T)(i) : value);
    });
  }

  failAll(err: () => unknown): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err());
    }
  }
}
