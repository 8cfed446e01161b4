import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { renderMandelbrot } from '../../examples/mandelbrot/main.ts';
import { runExample } from './helpers.ts';

/** RGB of the pixel over complex point (re, im) in the example's view. */
function pixelAt(png: PNG, re: number, im: number): [number, number, number] {
  const x = Math.floor(((re + 2.5) / 3.5) * png.width);
  const y = Math.floor(((im + 1.25) / 2.5) * png.height);
  const o = (y * png.width + x) * 4;
  return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
}

describe('examples/mandelbrot', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'crucial-mandelbrot-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('mandelbrot - invokeIterativeTask fills every row of the shared image (Listing 3)', async () => {
    const out = join(dir, 'a.png');
    const r = await renderMandelbrot({ width: 70, height: 50, iterations: 200, tasks: 4, out });
    assert.equal(r.rowsDone, 50);
    const png = PNG.sync.read(await readFile(out));
    assert.equal(png.width, 70);
    assert.equal(png.height, 50);
  });

  it('mandelbrot - the PNG is black inside the set and coloured outside it', async () => {
    const out = join(dir, 'b.png');
    await renderMandelbrot({ width: 140, height: 100, iterations: 300, tasks: 3, out });
    const png = PNG.sync.read(await readFile(out));
    for (const [re, im] of [[-0.2, 0.0], [-1.0, 0.05], [0.25 - 0.1, 0.0]] as const) {
      assert.deepEqual(pixelAt(png, re, im), [0, 0, 0], `(${re}, ${im}) is in the set`);
    }
    for (const [re, im] of [[-2.4, 1.2], [0.9, -1.2], [0.5, 0.6]] as const) {
      assert.notDeepEqual(pixelAt(png, re, im), [0, 0, 0], `(${re}, ${im}) escapes`);
    }
  });

  it('mandelbrot - the command writes a PNG of the requested size', async () => {
    const out = join(dir, 'cli.png');
    const r = await runExample('examples/mandelbrot/main.ts', ['-W', '60', '-H', '40', '-i', '100', '-t', '2', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const png = PNG.sync.read(await readFile(out));
    assert.deepEqual([png.width, png.height], [60, 40]);
  });
});
