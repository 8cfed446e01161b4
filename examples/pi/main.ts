/**
 * Monte Carlo π (seed Listings 1 and 2): N cloud threads each throw `iterations` darts and add their
 * hits to one shared AtomicLong; π ≈ 4 · hits / (N · iterations).
 *
 *   npx tsx examples/pi/main.ts --threads 4 --iterations 1000000 [--executor]
 */
import { Command } from 'commander';
import { AtomicLong, CloudThread, ServerlessExecutorService, shutdown } from 'crucial';
import { COUNTER_KEY, PiEstimator } from './estimator.ts';
import { isMain, positiveInt } from '../lib/cli.ts';

export interface PiOptions {
  /** Number of cloud threads. */
  threads: number;
  /** Darts per thread. */
  iterations: number;
  /** Use ServerlessExecutorService.invokeAll (Listing 2) instead of CloudThread start/join (Listing 1). */
  executor?: boolean;
}

export interface PiResult {
  pi: number;
  hits: bigint;
  points: number;
  seconds: number;
}

/** Runs the estimation on the configured DSO (the embedded node by default). */
export async function estimatePi(options: PiOptions): Promise<PiResult> {
  const { threads: nThreads, iterations } = options;
  const counter = new AtomicLong(COUNTER_KEY, 0);
  await counter.set(0); // a previous run in the same DSO left its total here
  const start = performance.now();
  if (options.executor) {
    // Listing 2
    const se = new ServerlessExecutorService();
    const tasks = Array.from({ length: nThreads }, () => new PiEstimator(iterations));
    await se.invokeAll(tasks);
    se.shutdown();
  } else {
    // Listing 1
    const threads: CloudThread[] = [];
    for (let i = 0; i < nThreads; i++) threads.push(new CloudThread(new PiEstimator(iterations)));
    threads.forEach((t) => t.start());
    for (const t of threads) await t.join();
  }
  const seconds = (performance.now() - start) / 1000;
  const hits = await counter.get();
  const points = nThreads * iterations;
  return { pi: (4.0 * Number(hits)) / points, hits, points, seconds };
}

async function main(): Promise<void> {
  const program = new Command('pi')
    .description('Monte Carlo estimation of π with cloud threads sharing an AtomicLong (seed Listings 1-2)')
    .option('-t, --threads <n>', 'number of cloud threads', positiveInt, 4)
    .option('-i, --iterations <n>', 'darts per thread', positiveInt, 1_000_000)
    .option('-e, --executor', 'use ServerlessExecutorService.invokeAll (Listing 2) instead of CloudThread', false)
    .parse();
  const opts = program.opts<PiOptions>();
  try {
    const r = await estimatePi(opts);
    const how = opts.executor ? 'ServerlessExecutorService.invokeAll' : 'CloudThread start/join';
    console.log(`π ≈ ${r.pi.toFixed(6)} (error ${Math.abs(r.pi - Math.PI).toExponential(2)}) from ${r.points.toLocaleString('en')} points, ${opts.threads} cloud threads via ${how}, ${r.seconds.toFixed(2)} s`);
  } finally {
    await shutdown();
  }
}

if (isMain(import.meta.url)) await main();
