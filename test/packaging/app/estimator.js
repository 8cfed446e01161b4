// The seed's Listing 1 in plain JavaScript, as a user of the installed package writes it. Node runs
// no decorator syntax, so the class is marked by calling the decorator.
import { AtomicLong, Serializable } from 'crucial';

export class PiEstimator {
  counter = new AtomicLong('counter', 0);
  constructor(samples) { this.samples = samples; }
  async run() {
    let hits = 0;
    for (let i = 0; i < this.samples; i++) { const x = Math.random(), y = Math.random(); if (x * x + y * y <= 1) hits++; }
    await this.counter.addAndGet(hits);
  }
}
Serializable()(PiEstimator, { kind: 'class', name: 'PiEstimator' });
