import { CloudThread, AtomicLong, shutdown } from 'crucial';
import { PiEstimator } from './estimator-decorated.ts';
const THREADS = 4, SAMPLES = 100_000;
const threads = Array.from({ length: THREADS }, () => new CloudThread(new PiEstimator(SAMPLES)));
threads.forEach((t) => t.start());
await Promise.all(threads.map((t) => t.join()));
console.log(JSON.stringify({ pi: 4 * Number(await new AtomicLong('counter-ts').get()) / (THREADS * SAMPLES) }));
await shutdown();
