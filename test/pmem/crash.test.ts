import assert from "node:assert/strict";
import { crashSeed, SEED_ENV } from "../../pmem/testing/crash-images.ts";
import { runCrashCampaign } from "./fixtures/crash-driver.ts";
import { tempDir } from "./helpers.ts";

describe("pmem crash", function () {
  this.timeout(180_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("pmem crash - 24 SIGKILLs of a transferring child keep balances, acknowledged transfers and free lists", async () => {
    // Kill times and transfers come from this seed; kill timing also depends on the machine's speed.
    const seed = crashSeed();
    const replay = `seed ${seed}; replay with ${SEED_ENV}=${seed}`;
    const summary = await runCrashCampaign({ path: tmp.file("bank.pmem"), kills: 24, flush: "msync", maxRunMs: 250, seed });
    assert.deepEqual(summary.failures, [], replay);
    assert.equal(summary.kills, 24, replay);
    assert.ok(summary.transfers > 0, `the child committed transfers between kills (${replay})`);
  });
});
