// Listing 1's task as the README writes it: TypeScript with decorators, loaded through tsx.
import { AtomicLong, Serializable, Shared } from 'crucial';

@Serializable()
export class PiEstimator {
  @Shared({ key: 'counter-ts' }) counter = new AtomicLong(0);
  constructor(private readonly samples: number) {}
  async run(): Promise<void> {
    let hits = 0;
    for (let i = 0; i < this.samples; i++) { const x = Math.random(), y = Math.random(); if (x * x + y * y <= 1) hits++; }
    await this.counter.addAndGet(hits);
  }
}
