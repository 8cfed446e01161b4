/**
 * A latch with java.util.concurrent.CountDownLatch semantics: `await` parks on the DSO node until
 * `countDown` has been called `count` times.
 */
import { SharedObject, type SharedOptions } from '../objects/shared-object.ts';
import { registerProxy } from '../objects/proxy-registry.ts';

/**
 * A count-down latch on the DSO node with java.util.concurrent.CountDownLatch semantics; `await`
 * parks on the node. Every method rejects as {@link SharedObject} says, and the first call with
 * {@link BadArgumentError} if the initial count is negative.
 */
export class CountDownLatch extends SharedObject {
  readonly typeName = 'CountDownLatch';

  /**
   * @param keyOrCount the key, or (inside a `@Shared` field) the count
   * @param count initial count if the object does not exist yet (>= 0)
   */
  constructor(keyOrCount?: string | number, count?: number, options?: SharedOptions) {
    const key = typeof keyOrCount === 'string' ? keyOrCount : undefined;
    const n = typeof keyOrCount === 'string' ? count : keyOrCount;
    super(key, n === undefined ? undefined : [n], options);
  }

  /** Decrements the count, releasing every waiter when it reaches zero. */
  countDown(): Promise<void> { return this.invoke('countDown'); }
  /** The current count. */
  getCount(): Promise<number> { return this.invoke('getCount'); }
  /** Waits for zero: resolves true then, or false if `timeoutMs` elapses first (Java's timed await). */
  await(timeoutMs?: number): Promise<boolean> { return this.invoke('await', timeoutMs ?? null); }
}

registerProxy('CountDownLatch', (key) => new CountDownLatch(key));
