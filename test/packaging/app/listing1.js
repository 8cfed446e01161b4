// Listing 1 (CloudThread + AtomicLong): prints the estimate and how many threads ran.
import { CloudThread, AtomicLong, shutdown } from 'crucial';
import { PiEstimator } from './estimator.js';
const THREADS = 4, SAMPLES = 100_000;
const threads = Array.from({ length: THREADS }, () => new CloudThread(new PiEstimator(SAMPLES)));
threads.forEach((t) => t.start());
await Promise.all(threads.map((t) => t.join()));
console.log(JSON.stringify({ pi: 4 * Number(await new AtomicLong('counter').get()) / (THREADS * SAMPLES) }));
await shutdown();
