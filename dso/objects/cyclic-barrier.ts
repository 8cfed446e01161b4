/**
 * Node side of CyclicBarrier (java.util.concurrent semantics): parties park on the node until the
 * last one arrives. A timeout or reset breaks the barrier for everyone waiting in that generation.
 */
import { BrokenBarrierError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { WaitQueue } from './waiters.ts';

export class CyclicBarrier {
  private readonly parties: number;
  private waiting = new WaitQueue<number>();
  private broken = false;
  private generation = 0;

  constructor(parties: unknown) {
    this.parties = arg.positiveInt(parties, 'CyclicBarrier(parties)');
  }

  /** Returns the arrival index: parties-1 for the first to arrive, 0 for the last (as Java). */
  await(timeoutMs?: unknown): Promise<number> | number {
    const timeout = arg.timeout(timeoutMs, 'await(timeoutMs)');
    if (this.broken) throw new BrokenBarrierError('barrier is broken');
    const index = this.parties - 1 - this.waiting.size;
    if (index === 0) {
      this.generation++;
      this.waiting.wakeAll((i) => this.parties - 1 - i);
      return 0;
    }
    const gen = this.generation;
    return this.waiting.wait(timeout, 'CyclicBarrier.await', () => {
      if (gen === this.generation) this.breakBarrier();
    });
  }

  reset(): null {
    this.breakBarrier();
    this.broken = false;
    this.generation++;
    return null;
  }

  isBroken(): boolean { return this.broken; }
  getParties(): number { return this.parties; }
  getNumberWaiting(): number { return this.waiting.size; }

  private breakBarrier(): void {
    this.broken = true;
    this.waiting.failAll(() => new BrokenBarrierError('barrier broken while waiting'));
  }
}
