/**
 * `npm run demo`: Monte Carlo π and the Mandelbrot set on the embedded default (a DSO node and a
 * worker pool inside this process; nothing to configure).
 *
 *   npx tsx examples/demo.ts [--out mandelbrot.png]
 */
import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { shutdown } from 'crucial';
import { estimatePi } from './pi/main.ts';
import { renderMandelbrot } from './mandelbrot/main.ts';

const opts = new Command('demo')
  .description('runs Monte Carlo π and Mandelbrot with cloud threads on the embedded DSO node and worker pool')
  .option('-o, --out <file>', 'where to write the Mandelbrot PNG', 'mandelbrot.png')
  .parse()
  .opts<{ out: string }>();

try {
  const threads = Math.max(4, availableParallelism());
  console.log(`crucial demo: embedded DSO node, local pool of ${availableParallelism()} worker threads`);
  const pi = await estimatePi({ threads, iterations: 2_000_000 });
  console.log(`Monte Carlo π ≈ ${pi.pi.toFixed(6)} (|error| ${Math.abs(pi.pi - Math.PI).toExponential(2)}), ${pi.points.toLocaleString('en')} points from ${threads} cloud threads sharing an AtomicLong, ${pi.seconds.toFixed(2)} s`);
  const m = await renderMandelbrot({ width: 700, height: 500, iterations: 500, tasks: 8, out: opts.out });
  console.log(`Mandelbrot: ${m.width}x${m.height}, ${m.rowsDone} rows from 8 cloud threads into a @Shared image, written to ${m.out}, ${m.seconds.toFixed(2)} s`);
} finally {
  await shutdown();
}
