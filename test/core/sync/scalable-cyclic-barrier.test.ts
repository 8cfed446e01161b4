import { strict as assert } from 'node:assert';
import { ScalableCyclicBarrier } from '../../../core/sync/scalable-cyclic-barrier.ts';
import { withDso, rejectsWithCode, stillPending } from '../../helpers/dso.ts';

describe('scalable-cyclic-barrier', () => {
  const dso = withDso();

  it('scalable-cyclic-barrier - 10 parties pass 10 rounds together', async () => {
    const key = dso.key();
    const parties = 10;
    const progress: number[] = new Array(parties).fill(0);
    await Promise.all(Array.from({ length: parties }, async (_, p) => {
      const b = new ScalableCyclicBarrier(key, parties, { connection: dso.connect(), party: p });
      for (let r = 0; r < 10; r++) {
        progress[p] = r;
        await b.await();
        assert.ok(progress.every((x) => x >= r), `round ${r}: ${progress}`);
      }
    }));
    assert.equal(await new ScalableCyclicBarrier(key, parties, dso.opts).generation(), 10);
  });

  it('scalable-cyclic-barrier - a retried arrival of the same party is counted once', async () => {
    const key = dso.key();
    const a = new ScalableCyclicBarrier(key, 2, { ...dso.opts, party: 'a' });
    // Party a times out, then its task is re-run with the same id and retries: still one arrival.
    await rejectsWithCode(a.await(20), 'ERR_TIMEOUT');
    const again = new ScalableCyclicBarrier(key, 2, { ...dso.opts, party: 'a', generation: 0 });
    const waiting = again.await();
    assert.ok(await stillPending(waiting));
    assert.equal(await again.getNumberWaiting(), 1);
    const b = new ScalableCyclicBarrier(key, 2, { connection: dso.connect(), party: 'b' });
    assert.equal(await b.await(), 0);
    assert.equal(await waiting, 1);
    assert.equal(await b.generation(), 1);
  });

  it('scalable-cyclic-barrier - a re-run party that resumes at an old generation is released at once', async () => {
    const key = dso.key();
    const [x, y] = ['x', 'y'].map((party) => new ScalableCyclicBarrier(key, 2, { ...dso.opts, party }));
    await Promise.all([x!.await(), y!.await()]);
    const rerun = new ScalableCyclicBarrier(key, 2, { ...dso.opts, party: 'x', generation: 0 });
    assert.ok((await rerun.await()) >= 0);
  });

  it('scalable-cyclic-barrier - one proxy cannot wait twice at the same time', async () => {
    const b = new ScalableCyclicBarrier(dso.key(), 2, dso.opts);
    const first = b.await(50);
    await rejectsWithCode(b.await(), 'ERR_ILLEGAL_STATE');
    await rejectsWithCode(first, 'ERR_TIMEOUT');
  });

  it('scalable-cyclic-barrier - arriving ahead of the barrier is ERR_ILLEGAL_STATE', async () => {
    const key = dso.key();
    await rejectsWithCode(dso.connection.call('ScalableCyclicBarrier', key, 'arrive', ['p', 5], { init: [2] }), 'ERR_ILLEGAL_STATE');
    await rejectsWithCode(dso.connection.call('ScalableCyclicBarrier', key, 'arrive', [[], 0]), 'ERR_BAD_ARGUMENT');
  });

  it('scalable-cyclic-barrier - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('ScalableCyclicBarrier', dso.key(), 'await', [], { init: [2] }), 'ERR_UNKNOWN_METHOD');
  });
});
