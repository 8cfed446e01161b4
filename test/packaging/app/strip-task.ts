// A task module in TypeScript with erasable syntax only, for Node's type stripping (no decorators).
import { AtomicLong, Serializable } from 'crucial';

export class Adder {
  counter: AtomicLong = new AtomicLong('strip', 0);
  amount: number;
  constructor(amount: number) { this.amount = amount; }
  async run(): Promise<void> { await this.counter.addAndGet(this.amount); }
}
Serializable()(Adder, { kind: 'class', name: 'Adder' });
