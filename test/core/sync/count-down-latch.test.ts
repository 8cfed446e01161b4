import { strict as assert } from 'node:assert';
import { CountDownLatch } from '../../../core/sync/count-down-latch.ts';
import { withDso, rejectsWithCode, stillPending } from '../../helpers/dso.ts';

describe('count-down-latch', () => {
  const dso = withDso();

  it('count-down-latch - await waits until the count reaches zero', async () => {
    const key = dso.key();
    const l = new CountDownLatch(key, 3, dso.opts);
    const waiters = Array.from({ length: 4 }, () => new CountDownLatch(key, 3, { connection: dso.connect() }).await());
    for (let i = 0; i < 3; i++) {
      assert.ok(await stillPending(Promise.all(waiters), 20));
      await l.countDown();
    }
    assert.deepEqual(await Promise.all(waiters), [true, true, true, true]);
    assert.equal(await l.getCount(), 0);
  });

  it('count-down-latch - a timed await answers false when the count is not reached', async () => {
    const l = new CountDownLatch(dso.key(), 1, dso.opts);
    assert.equal(await l.await(20), false);
    assert.equal(await l.await(0), false);
  });

  it('count-down-latch - countDown at zero has no effect and await returns true at once', async () => {
    const l = new CountDownLatch(dso.key(), 0, dso.opts);
    await l.countDown();
    assert.equal(await l.getCount(), 0);
    assert.equal(await l.await(), true);
  });

  it('count-down-latch - a negative count is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new CountDownLatch(dso.key(), -1, dso.opts).getCount(), 'ERR_BAD_ARGUMENT');
  });

  it('count-down-latch - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('CountDownLatch', dso.key(), 'countUp', [], { init: [1] }), 'ERR_UNKNOWN_METHOD');
  });
});
