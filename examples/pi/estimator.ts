/**
 * The task of the seed's Listing 1: throw darts at the unit square and add the hits that land in
 * the quarter circle to a counter shared by every cloud thread. Kept free of top-level side effects
 * because each worker imports this module to rebuild the task.
 */
import { AtomicLong, Serializable, Shared } from 'crucial';

/** Key of the shared hit counter. */
export const COUNTER_KEY = 'pi.counter';

@Serializable()
export class PiEstimator {
  @Shared({ key: COUNTER_KEY }) counter = new AtomicLong(0);

  constructor(public iterations = 1_000_000) {}

  async run(): Promise<void> {
    let count = 0;
    for (let i = 0; i < this.iterations; i++) {
      const x = Math.random();
      const y = Math.random();
      if (x * x + y * y <= 1.0) count++;
    }
    await this.counter.addAndGet(count);
  }
}
