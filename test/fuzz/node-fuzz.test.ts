import { strict as assert } from 'node:assert';
import { fuzzNode, type FuzzReport } from '../../bench/fuzz/engine.ts';

/** Replayable: CRUCIAL_FUZZ_SEED=<seed> npx tsx bench/fuzz/node-fuzz.ts --inputs N --transport T --seed <seed>. */
// CI runs one fixed seed (a red run is then the code, not the draw); elsewhere each run explores a new one.
const seed = process.env.CRUCIAL_FUZZ_SEED ? Number(process.env.CRUCIAL_FUZZ_SEED) : process.env.CI ? 20261201 : Date.now() % 2 ** 31;

function check(r: FuzzReport): void {
  const why = `seed ${seed}: ${JSON.stringify(r)}`;
  assert.equal(r.crashes, 0, why);
  assert.equal(r.hangs, 0, why);
  assert.equal(r.linkDrops, 0, why);
  // Every message is answered except calls that park (a barrier await, an acquire): a few per thousand.
  assert.ok(r.replies + r.silent === r.messages && r.silent <= r.messages * 0.01, why);
  assert.ok(r.errorReplies > 0 && r.okReplies > 0, why);
  // The node is bounded: max-object-bytes 1 MiB, reply cache and partial budgets. A campaign peaks at
  // 130-160 MiB; one hostile header allocating for itself (160 MB for 22 bytes, fixed) passed 384 at once.
  assert.ok(r.rssMaxMiB < 384, why);
}

describe('fuzz - a live node (bounded slice of bench/fuzz/node-fuzz.ts)', function () {
  this.timeout(180_000);

  it('node fuzz - 40,000 inputs over zmtp: no crash, no hang, every unparked message answered', async () => {
    check(await fuzzNode({ inputs: 40_000, transport: 'zmtp', seed, batch: 10_000 }));
  });

  it('node fuzz - 10,000 inputs over libzmq: no crash, no hang, every unparked message answered', async () => {
    check(await fuzzNode({ inputs: 10_000, transport: 'libzmq', seed: seed + 1, batch: Number(process.env.CRUCIAL_FUZZ_BATCH ?? 10_000), log: process.env.CRUCIAL_FUZZ_LOG ? (l) => console.error(l) : undefined }));
  });
});
