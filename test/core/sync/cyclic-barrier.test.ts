import { strict as assert } from 'node:assert';
import { CyclicBarrier } from '../../../core/sync/cyclic-barrier.ts';
import { withDso, rejectsWithCode, stillPending } from '../../helpers/dso.ts';

describe('cyclic-barrier', () => {
  const dso = withDso();

  it('cyclic-barrier - 10 parties pass 10 rounds together', async () => {
    const key = dso.key();
    const parties = 10;
    const rounds = 10;
    const progress: number[] = new Array(parties).fill(0);
    await Promise.all(Array.from({ length: parties }, async (_, p) => {
      const b = new CyclicBarrier(key, parties, { connection: dso.connect() });
      for (let r = 0; r < rounds; r++) {
        progress[p] = r;
        const idx = await b.await();
        assert.ok(idx >= 0 && idx < parties);
        // Nobody can be past round r while this party has just been released from it.
        assert.ok(progress.every((x) => x >= r), `round ${r}: ${progress}`);
      }
    }));
  });

  it('cyclic-barrier - arrival indexes run from parties-1 down to 0', async () => {
    const b = new CyclicBarrier(dso.key(), 3, dso.opts);
    const first = b.await();
    assert.ok(await stillPending(first));
    assert.equal(await b.getNumberWaiting(), 1);
    const second = b.await();
    assert.equal(await b.await(), 0);
    assert.deepEqual((await Promise.all([first, second])).sort(), [1, 2]);
  });

  it('cyclic-barrier - a timed-out await breaks the barrier for the others', async () => {
    const b = new CyclicBarrier(dso.key(), 3, dso.opts);
    const other = b.await();
    await rejectsWithCode(b.await(20), 'ERR_TIMEOUT');
    await rejectsWithCode(other, 'ERR_BROKEN_BARRIER');
    assert.equal(await b.isBroken(), true);
    await b.reset();
    assert.equal(await b.isBroken(), false);
  });

  it('cyclic-barrier - zero parties is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new CyclicBarrier(dso.key(), 0, dso.opts).await(), 'ERR_BAD_ARGUMENT');
  });

  it('cyclic-barrier - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('CyclicBarrier', dso.key(), 'arrive', [], { init: [2] }), 'ERR_UNKNOWN_METHOD');
  });
});
