import assert from "node:assert/strict";
import { runCrashCampaign } from "./fixtures/crash-driver.ts";
import { tempDir } from "./helpers.ts";

describe("pmem crash", function () {
  this.timeout(180_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("pmem crash - 24 SIGKILLs of a transferring child keep balances, acknowledged transfers and free lists", async () => {
    const summary = await runCrashCampaign({ path: tmp.file("bank.pmem"), kills: 24, flush: "msync", maxRunMs: 250, seed: Date.now() });
    assert.deepEqual(summary.failures, []);
    assert.equal(summary.kills, 24);
    assert.ok(summary.transfers > 0, "the child committed transfers between kills");
  });
});
