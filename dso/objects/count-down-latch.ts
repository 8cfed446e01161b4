/**
 * Node side of CountDownLatch (java.util.concurrent semantics): `await` parks on the node until the
 * count reaches zero; the timed form answers false on timeout instead of failing, as Java's does.
 */
import { BadArgumentError, TimeoutError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { WaitQueue } from './waiters.ts';

export class CountDownLatch {
  private count: number;
  private readonly waiting = new WaitQueue<boolean>();

  constructor(count: unknown) {
    this.count = arg.int(count, 'CountDownLatch(count)');
    if (this.count < 0) throw new BadArgumentError(`CountDownLatch(count) must be >= 0, got ${this.count}`);
  }

  /** Decrements the count; at zero every waiting party is released. No effect once zero. */
  countDown(): null {
    if (this.count > 0 && --this.count === 0) this.waiting.wakeAll(true);
    return null;
  }

  getCount(): number { return this.count; }

  /** Waits until the count is zero: true then; false if `timeoutMs` elapses first. */
  await(timeoutMs?: unknown): Promise<boolean> | boolean {
    const timeout = arg.timeout(timeoutMs, 'await(timeoutMs)');
    if (this.count === 0) return true;
    if (timeout === 0) return false;
    return this.waiting.wait(timeout, 'CountDownLatch.await').catch((e) => {
      if (e instanceof TimeoutError) return false;
      throw e;
    });
  }
}
