/**
 * Mandelbrot set (seed Listing 3): rows are computed in a distributed parallel for
 * (`invokeIterativeTask`) and written into a `@Shared` image on the DSO node, then saved as a PNG.
 *
 *   npx tsx examples/mandelbrot/main.ts --width 700 --height 500 --iterations 500 --tasks 8 --out mandelbrot.png
 */
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { ServerlessExecutorService, Shared, remote, shutdown } from 'crucial';
import { MandelbrotImage } from './image.ts';
import { computeRow } from './render.ts';
import { isMain, positiveInt } from '../lib/cli.ts';

export interface MandelbrotOptions {
  width: number;
  height: number;
  /** Bound on iterations per pixel (MAX_INTERNAL_ITERS). */
  iterations: number;
  /** Cloud threads the rows are split among (N_TASKS). */
  tasks: number;
  /** Where to write the PNG. */
  out: string;
}

export interface MandelbrotResult {
  out: string;
  width: number;
  height: number;
  rowsDone: number;
  seconds: number;
}

/** Listing 3, nearly line for line. */
export class Mandelbrot {
  @Shared({ key: 'mandelbrotImage', forceNew: true })
  private image = remote(new MandelbrotImage());

  constructor(private readonly opts: MandelbrotOptions) {}

  async compute(): Promise<void> {
    const { width: COLUMNS, height: ROWS, iterations: MAX_INTERNAL_ITERS, tasks: N_TASKS } = this.opts;
    const image = this.image;
    await image.init(COLUMNS, ROWS);
    const se = new ServerlessExecutorService();
    await se.invokeIterativeTask(
      async (row: number) => image.setRowColor(row, computeRow(row, COLUMNS, ROWS, MAX_INTERNAL_ITERS)),
      N_TASKS, 0, ROWS,
      { captures: { image, computeRow, COLUMNS, ROWS, MAX_INTERNAL_ITERS } },
    );
    se.shutdown();
  }

  /** Reads the finished image back from the node and encodes it as a PNG. */
  async toPng(): Promise<{ png: Buffer; rowsDone: number }> {
    const { width, height, rowsDone } = await this.image.info();
    const png = new PNG({ width, height });
    png.data = Buffer.from(await this.image.rgba());
    return { png: PNG.sync.write(png), rowsDone };
  }
}

export async function renderMandelbrot(opts: MandelbrotOptions): Promise<MandelbrotResult> {
  const start = performance.now();
  const m = new Mandelbrot(opts);
  await m.compute();
  const { png, rowsDone } = await m.toPng();
  await writeFile(opts.out, png);
  return { out: opts.out, width: opts.width, height: opts.height, rowsDone, seconds: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const opts = new Command('mandelbrot')
    .description('Mandelbrot set rows in a distributed parallel for, image in a @Shared object, saved as PNG (seed Listing 3)')
    .option('-W, --width <px>', 'image width (COLUMNS)', positiveInt, 700)
    .option('-H, --height <px>', 'image height (ROWS)', positiveInt, 500)
    .option('-i, --iterations <n>', 'max iterations per pixel', positiveInt, 500)
    .option('-t, --tasks <n>', 'cloud threads the rows are split among', positiveInt, 8)
    .option('-o, --out <file>', 'PNG to write', 'mandelbrot.png')
    .parse()
    .opts<MandelbrotOptions>();
  try {
    const r = await renderMandelbrot(opts);
    console.log(`wrote ${r.out}: ${r.width}x${r.height}, ${r.rowsDone} rows from ${opts.tasks} cloud threads, ${r.seconds.toFixed(2)} s`);
  } finally {
    await shutdown();
  }
}

if (isMain(import.meta.url)) await main();
