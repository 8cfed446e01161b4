// The start-up bench's cloud-thread task, plain JS: the decorator is applied by hand.
const { Serializable } = await import(process.env.CRUCIAL_URL);

export class AddTask {
  constructor(counter) { this.counter = counter; }
  async run() { await this.counter.addAndGet(1); }
}
Serializable()(AddTask, { kind: 'class', name: 'AddTask' });
