import { strict as assert } from 'node:assert';
import { FLAVOURS, checkReport, compareFlavours, runOnce } from '../../examples/santa/main.ts';
import { DEFAULT_CONFIG, type SantaConfig } from '../../examples/santa/entities.ts';
import { runExample } from './helpers.ts';

const SMALL: SantaConfig = { ...DEFAULT_CONFIG, deliveries: 3, vacationMs: 20, elfWorkMs: 10, deliverMs: 2, consultMs: 1 };

describe('examples/santa', function () {
  this.timeout(90_000);

  for (const flavour of FLAVOURS) {
    it(`santa - ${flavour} completes every delivery with groups of 9 reindeer and 3 elves`, async () => {
      const { report } = await runOnce(flavour, SMALL);
      assert.deepEqual(checkReport(report, SMALL), []);
      assert.equal(report.reindeerGroups.length, SMALL.deliveries);
      assert.ok(report.elfGroups.length > 0, 'elves were never helped');
    });
  }

  it('santa - odd sizes work too: 4 elves in pairs, 2 reindeer', async () => {
    const cfg = { ...SMALL, elves: 4, elfGroup: 2, reindeer: 2 };
    for (const flavour of FLAVOURS) assert.deepEqual(checkReport((await runOnce(flavour, cfg)).report, cfg), [], flavour);
  });

  it('santa - the comparison reports the median and the slowest of 3 runs and the p50 overhead against the first flavour', async () => {
    const results = await compareFlavours(SMALL, 3, 0);
    assert.deepEqual(results.map((r) => r.flavour), [...FLAVOURS]);
    for (const r of results) {
      assert.equal(r.seconds.length, 3);
      // Nearest rank over 3 runs: p50 is the 2nd fastest, p99 the slowest.
      const [, median, slowest] = [...r.seconds].sort((a, b) => a - b);
      assert.equal(r.p50, median, `${r.flavour} p50 of ${r.seconds}`);
      assert.equal(r.p99, slowest, `${r.flavour} p99 of ${r.seconds}`);
      assert.equal(r.reports.length, 3);
      for (const report of r.reports) assert.deepEqual(checkReport(report, SMALL), [], r.flavour);
    }
    const base = results[0]!.p50;
    for (const r of results.slice(1)) {
      const expected = ((r.p50 - base) / base) * 100;
      assert.ok(Math.abs(r.overheadPct - expected) < 1e-9, `${r.flavour} overhead ${r.overheadPct}%, expected ${expected}%`);
    }
  });

  it('santa - the command prints the Table 3 rows', async () => {
    const r = await runExample('examples/santa/main.ts', ['--runs', '1', '--warmup', '0', '--deliveries', '2', '--vacation-ms', '10', '--elf-work-ms', '5', '--deliver-ms', '1', '--consult-ms', '1']);
    assert.equal(r.code, 0, r.stderr);
    for (const row of ['p50 (s)', 'p99 (s)', 'overhead', 'threads+dso', 'crucial']) assert.ok(r.stdout.includes(row), r.stdout);
  });
});
