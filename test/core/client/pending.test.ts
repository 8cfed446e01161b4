import { strict as assert } from 'node:assert';
import { PendingCalls } from '../../../core/client/pending.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);

describe('core/client/pending', () => {
  it('pending - random sets, deletes and gets read as a Map does, in the same order (replay: CRUCIAL_TEST_SEED)', () => {
    const random = mulberry32(SEED);
    for (let run = 0; run < 200; run++) {
      const oracle = new Map<number, string>();
      const calls = new PendingCalls<string>();
      let seq = 0;
      for (let op = 0; op < 200; op++) {
        const r = random();
        const held = [...oracle.keys()];
        if (r < 0.45 || held.length === 0) {
          seq += 1 + Math.floor(random() * 3);
          oracle.set(seq, `v${seq}`);
          calls.set(seq, `v${seq}`);
        } else if (r < 0.85) {
          const s = random() < 0.8 ? held[Math.floor(random() * held.length)]! : seq + 1;
          assert.equal(calls.delete(s), oracle.delete(s), `seed ${SEED} run ${run}: delete(${s})`);
        } else if (r < 0.9) {
          // Delete while iterating, as Connection's unavailability sweep does.
          for (const [s] of calls) if (random() < 0.5) { calls.delete(s); oracle.delete(s); }
        } else if (r < 0.92) {
          calls.clear();
          oracle.clear();
        }
        const probe = Math.floor(random() * (seq + 2));
        assert.equal(calls.get(probe), oracle.get(probe), `seed ${SEED} run ${run}: get(${probe})`);
        assert.equal(calls.size, oracle.size, `seed ${SEED} run ${run}: size`);
        assert.deepEqual([...calls.entries()], [...oracle.entries()], `seed ${SEED} run ${run}: order`);
        assert.deepEqual([...calls.values()], [...oracle.values()], `seed ${SEED} run ${run}: values`);
      }
    }
  });

  it('pending - a seq of 0 or an undefined-looking lookup is not taken for the one call held alone', () => {
    const calls = new PendingCalls<string>();
    assert.equal(calls.get(-1), undefined);
    calls.set(0, 'zero');
    assert.equal(calls.get(0), 'zero');
    assert.equal(calls.delete(0), true);
    assert.equal(calls.get(-1), undefined);
    assert.equal(calls.delete(-1), false);
    assert.equal(calls.size, 0);
  });
});
