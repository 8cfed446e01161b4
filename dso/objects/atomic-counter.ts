/**
 * Node side of AtomicCounter: the shell's IPC counter (seed §4). Counts are JS numbers, exact up
 * to 2^53-1; a count that would leave that range is refused rather than silently rounded.
 */
import { IllegalStateError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';

export class AtomicCounter {
  private count: number;

  constructor(initial: unknown = 0) {
    this.count = arg.int(initial, 'AtomicCounter(initial)');
  }

  /** Adds `by` (default 1); returns the new count. */
  increment(by: unknown = 1): number { return this.add(arg.int(by, 'increment(by)')); }
  /** Subtracts `by` (default 1); returns the new count. */
  decrement(by: unknown = 1): number { return this.add(-arg.int(by, 'decrement(by)')); }
  /** The current count. */
  tally(): number { return this.count; }
  /** Sets the count back to zero; returns the count it had. */
  reset(): number { const old = this.count; this.count = 0; return old; }

  private add(d: number): number {
    const next = this.count + d;
    if (!Number.isSafeInteger(next)) throw new IllegalStateError(`counter would leave the exact integer range (${this.count} + ${d})`);
    this.count = next;
    return next;
  }
}
