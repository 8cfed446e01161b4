/**
 * README claim "linearizable": random concurrent histories on one node (several clients, every
 * mutating built-in type, resent calls) checked by Porcupine. The checker is built in before()
 * (Go; cached under .crucial-cache/lincheck/). The full run is bench/linearizability.ts.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DedupCache } from '../../dso/dedup.ts';
import { withDso } from '../helpers/dso.ts';
import { buildChecker, runChecker, FIXTURES_DIR } from './checker.ts';
import { baseSeed, describeFailure, runCampaign } from './campaign.ts';
import { TYPES } from './workload.ts';

const HISTORIES = 50;

describe('linearizability - Porcupine over random concurrent histories', function () {
  const dso = withDso();
  let checker = '';
  let dir = '';
  let keep = false;

  before(async function () {
    this.timeout(300_000); // a fresh clone downloads Porcupine and compiles the checker once
    checker = await buildChecker();
    dir = await mkdtemp(join(tmpdir(), 'crucial-lin-'));
  });

  after(async () => {
    if (dir && !keep) await rm(dir, { recursive: true, force: true });
  });

  it('the checker rejects a stale read and a resend applied twice, and accepts a concurrent history', async () => {
    const files = ['stale-read', 'double-apply', 'concurrent-ok'].map((f) => join(FIXTURES_DIR, `${f}.jsonl`));
    const { code, reports, stderr } = await runChecker(checker, files, dir);
    assert.equal(code, 1, `the checker must exit 1 on a non-linearizable history (stderr: ${stderr})`);
    const bySeed = Object.fromEntries(reports.map((r) => [r.seed, r]));
    for (const bad of ['fixture-stale-read', 'fixture-double-apply']) {
      assert.equal(bySeed[bad]?.ok, false, `${bad} must be rejected`);
      assert.ok(bySeed[bad]!.viz && existsSync(bySeed[bad]!.viz!), `${bad} must come with a visualization`);
    }
    assert.equal(bySeed['fixture-concurrent']?.ok, true, 'a linearizable concurrent history must pass');
  });

  it(`${HISTORIES} histories of every mutating built-in type, with resent calls, are linearizable`, async function () {
    this.timeout(120_000);
    const seed = baseSeed();
    const res = await runCampaign({ address: dso.node.address, dir, histories: HISTORIES, baseSeed: seed, checker });
    const failures = res.failures.map(describeFailure);
    const mismatches = res.histories.flatMap((h) => h.resendMismatches.map((m) => `seed ${h.seed}: ${m}`));
    keep = failures.length > 0 || mismatches.length > 0 || res.checkerErrors.length > 0;
    const replay = `(base seed ${seed}; rerun with CRUCIAL_LIN_SEED=${seed})`;
    assert.deepEqual(res.checkerErrors, [], `the checker could not read the histories ${replay}`);
    assert.equal(res.reports.length, HISTORIES);
    assert.deepEqual(failures, [], `non-linearizable histories ${replay}`);
    assert.deepEqual(mismatches, [], `a resent call got a different reply ${replay}`);
    // The histories must have exercised what the claim covers, or passing proves nothing.
    const byType: Record<string, number> = {};
    for (const h of res.histories) for (const [t, n] of Object.entries(h.byType)) byType[t] = (byType[t] ?? 0) + n;
    assert.deepEqual(TYPES.filter((t) => !byType[t]), [], `types never called ${replay}`);
    assert.ok(res.histories.reduce((s, h) => s + h.resends, 0) > 0, `no call was resent ${replay}`);
  });

  it('a node that runs resent calls again fails the check (the harness can tell)', async function () {
    this.timeout(60_000);
    const seed = baseSeed();
    // Exactly-once switched off in this process's node: every resend is a new call.
    const begin = DedupCache.prototype.begin;
    DedupCache.prototype.begin = () => ({ kind: 'new' });
    try {
      const res = await runCampaign({ address: dso.node.address, dir, histories: 5, baseSeed: seed, checker });
      const mismatches = res.histories.reduce((s, h) => s + h.resendMismatches.length, 0);
      assert.deepEqual(res.checkerErrors, []);
      assert.ok(res.failures.length > 0, `Porcupine accepted 5 histories whose resent calls ran twice (base seed ${seed})`);
      assert.ok(mismatches > 0, `no resent call was answered differently with exactly-once off (base seed ${seed})`);
    } finally {
      DedupCache.prototype.begin = begin;
    }
  });
});
