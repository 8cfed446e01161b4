import { strict as assert } from 'node:assert';
import { Semaphore } from '../../../core/sync/semaphore.ts';
import { withDso, rejectsWithCode, stillPending } from '../../helpers/dso.ts';

describe('semaphore', () => {
  const dso = withDso();

  it('semaphore - acquire blocks when no permit is left and resumes on release', async () => {
    const key = dso.key();
    const s = new Semaphore(key, 1, dso.opts);
    await s.acquire();
    const blocked = new Semaphore(key, 1, { connection: dso.connect() }).acquire();
    assert.ok(await stillPending(blocked));
    assert.equal(await s.getQueueLength(), 1);
    await s.release();
    await blocked;
    assert.equal(await s.availablePermits(), 0);
  });

  it('semaphore - waiters are served first come, first served', async () => {
    const s = new Semaphore(dso.key(), 0, dso.opts);
    const order: string[] = [];
    const big = s.acquire(2).then(() => order.push('big'));
    assert.ok(await stillPending(big, 20));
    const small = s.acquire(1).then(() => order.push('small'));
    assert.ok(await stillPending(small, 20));
    await s.release(1); // not enough for the head; the small request behind it must not overtake
    assert.ok(await stillPending(small, 30));
    await s.release(2);
    await Promise.all([big, small]);
    assert.deepEqual(order, ['big', 'small']);
  });

  it('semaphore - tryAcquire answers at once and the timed form answers false on timeout', async () => {
    const s = new Semaphore(dso.key(), 2, dso.opts);
    assert.equal(await s.tryAcquire(2), true);
    assert.equal(await s.tryAcquire(), false);
    assert.equal(await s.tryAcquire(1, 20), false);
    await s.release(3);
    assert.equal(await s.availablePermits(), 3);
    assert.equal(await s.drainPermits(), 3);
  });

  it('semaphore - a timed acquire rejects with ERR_TIMEOUT', async () => {
    await rejectsWithCode(new Semaphore(dso.key(), 0, dso.opts).acquire(1, 20), 'ERR_TIMEOUT');
  });

  it('semaphore - as a mutex over 8 connections never lets two holders in', async () => {
    const key = dso.key();
    let inside = 0;
    let maxInside = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      const s = new Semaphore(key, 1, { connection: dso.connect() });
      for (let i = 0; i < 10; i++) {
        await s.acquire();
        maxInside = Math.max(maxInside, ++inside);
        await new Promise((r) => setImmediate(r));
        inside--;
        await s.release();
      }
    }));
    assert.equal(maxInside, 1);
  });

  it('semaphore - a negative permit count is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new Semaphore(dso.key(), 1, dso.opts).acquire(-1), 'ERR_BAD_ARGUMENT');
  });

  it('semaphore - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('Semaphore', dso.key(), 'lock', [], { init: [1] }), 'ERR_UNKNOWN_METHOD');
  });
});
