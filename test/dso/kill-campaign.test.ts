/**
 * A small DSO kill campaign (bench/dso-kill.ts runs 500 kills): kill -9 under load across every
 * built-in mutable type and a persistent user class, restart, resend; nothing acknowledged is lost
 * and nothing is applied twice. Seeded: CRUCIAL_KILL_SEED replays a run.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../../bench/lib/dso-kill-campaign.ts';

describe('dso kill campaign', function () {
  this.timeout(120_000);

  it('kill campaign - kill -9 under load: every acknowledged write present, every counter exact, nothing applied twice', async () => {
    const seed = process.env.CRUCIAL_KILL_SEED ? Number(process.env.CRUCIAL_KILL_SEED) : Math.floor(Math.random() * 2 ** 31);
    const dir = mkdtempSync(join(tmpdir(), 'crucial-kill-'));
    try {
      const kills = process.env.CI ? 5 : 8;
      const r = await runCampaign({ pmem: join(dir, 'node.pmem'), kills, writers: 3, seed, minRunMs: 20, maxRunMs: 150, verifyEvery: 4 });
      const why = `seed ${seed} (replay: CRUCIAL_KILL_SEED=${seed}): ${JSON.stringify(r)}`;
      assert.equal(r.kills, kills, why);
      assert.ok(r.acknowledged > kills * 3, `writes were acknowledged between the kills; ${why}`);
      assert.deepEqual([r.lost, r.duplicates, r.badReplies, r.errors], [0, 0, 0, 0], why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
