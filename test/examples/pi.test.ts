import { strict as assert } from 'node:assert';
import { estimatePi } from '../../examples/pi/main.ts';
import { runExample } from './helpers.ts';

describe('examples/pi', function () {
  this.timeout(60_000);

  it('pi - CloudThreads sharing an AtomicLong estimate π within 0.02 (Listing 1)', async () => {
    const r = await estimatePi({ threads: 4, iterations: 100_000 });
    assert.equal(r.points, 400_000);
    assert.ok(Math.abs(r.pi - Math.PI) < 0.02, `π estimate ${r.pi}`);
  });

  it('pi - invokeAll gives the same estimate and restarts the counter each run (Listing 2)', async () => {
    const r = await estimatePi({ threads: 3, iterations: 100_000, executor: true });
    assert.ok(r.hits <= 300_000n, `hits ${r.hits} exceed the darts thrown: the counter was not reset`);
    assert.ok(Math.abs(r.pi - Math.PI) < 0.02, `π estimate ${r.pi}`);
  });

  it('pi - the command prints its estimate and exits', async () => {
    const out = await runExample('examples/pi/main.ts', ['--threads', '2', '--iterations', '50000', '--executor']);
    assert.equal(out.code, 0, out.stderr);
    const m = /π ≈ (\d\.\d+)/.exec(out.stdout);
    assert.ok(m, out.stdout);
    assert.ok(Math.abs(Number(m[1]) - Math.PI) < 0.05, out.stdout);
  });
});
