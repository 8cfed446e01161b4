import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runExample } from './helpers.ts';

describe('example commands', function () {
  this.timeout(60_000);

  for (const file of ['examples/pi/main.ts', 'examples/mandelbrot/main.ts', 'examples/wordcount/main.ts', 'examples/santa/main.ts', 'examples/demo.ts', 'bench/dso-vs-redis.ts']) {
    it(`${file} --help describes its options and exits 0`, async () => {
      const r = await runExample(file, ['--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: .*\n[\s\S]*Options:/);
    });
  }

  it('demo - npm run demo prints π and writes the Mandelbrot PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucial-demo-'));
    try {
      const out = join(dir, 'demo.png');
      const r = await runExample('examples/demo.ts', ['--out', out]);
      assert.equal(r.code, 0, r.stderr);
      const m = /π ≈ (\d\.\d+)/.exec(r.stdout);
      assert.ok(m && Math.abs(Number(m[1]) - Math.PI) < 0.01, r.stdout);
      const png = PNG.sync.read(await readFile(out));
      assert.deepEqual([png.width, png.height], [700, 500]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
