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

  it('santa - the comparison reports p50 <= p99 and the overhead against plain threads', async () => {
    const results = await compareFlavours(SMALL, 2, 0);
    assert.deepEqual(results.map((r) => r.flavour), [...FLAVOURS]);
    for (const r of results) {
      assert.equal(r.seconds.length, 2);
      assert.ok(r.p50 <= r.p99);
    }
    assert.equal(results[0]!.overheadPct, 0);
  });

  it('santa - the command prints the Table 3 rows', async () => {
    const r = await runExample('examples/santa/main.ts', ['--runs', '1', '--warmup', '0', '--deliveries', '2', '--vacation-ms', '10', '--elf-work-ms', '5', '--deliver-ms', '1', '--consult-ms', '1']);
    assert.equal(r.code, 0, r.stderr);
    for (const row of ['p50 (s)', 'p99 (s)', 'overhead', 'threads+dso', 'crucial']) assert.ok(r.stdout.includes(row), r.stdout);
  });
});
