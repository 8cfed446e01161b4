import { AtomicLong, CloudThread, shutdown } from 'crucial';
import { Adder } from './strip-task.ts';
const amounts: number[] = [1, 2, 3, 4];
const threads = amounts.map((n) => new CloudThread(new Adder(n)));
threads.forEach((t) => t.start());
await Promise.all(threads.map((t) => t.join()));
console.log(JSON.stringify({ total: Number(await new AtomicLong('strip').get()) }));
await shutdown();
