import { strict as assert } from 'node:assert';
import { AtomicLong } from '../../../core/objects/atomic-long.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-long', () => {
  const dso = withDso();

  it('atomic-long - starts at its initial value and returns bigint', async () => {
    const a = new AtomicLong(dso.key(), 10, dso.opts);
    assert.equal(await a.get(), 10n);
    assert.equal(await a.addAndGet(5), 15n);
    assert.equal(await a.getAndIncrement(), 15n);
    assert.equal(await a.get(), 16n);
  });

  it('atomic-long - wraps around at 2^63 like a Java long', async () => {
    const a = new AtomicLong(dso.key(), 2n ** 63n - 1n, dso.opts);
    assert.equal(await a.incrementAndGet(), -(2n ** 63n));
  });

  it('atomic-long - compareAndSet only swaps on the expected value', async () => {
    const a = new AtomicLong(dso.key(), 1, dso.opts);
    assert.equal(await a.compareAndSet(2, 3), false);
    assert.equal(await a.compareAndSet(1, 3), true);
    assert.equal(await a.get(), 3n);
  });

  it('atomic-long - addAndGet is exact under 8 connections x 1000 increments', async () => {
    const key = dso.key();
    const conns = Array.from({ length: 8 }, () => dso.connect());
    await Promise.all(conns.map(async (connection) => {
      const a = new AtomicLong(key, 0, { connection });
      await Promise.all(Array.from({ length: 1000 }, () => a.addAndGet(1)));
    }));
    assert.equal(await new AtomicLong(key, 0, dso.opts).get(), 8000n);
  });

  it('atomic-long - a bigint beyond 64 bits is ERR_BAD_ARGUMENT, refused before it is sent', async () => {
    const a = new AtomicLong(dso.key(), 7, dso.opts);
    for (const v of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 70n]) {
      await assert.rejects(a.set(v), (e: Error & { code?: string }) => e.name === 'BadArgumentError' && e.code === 'ERR_BAD_ARGUMENT' && /does not fit in 64 bits/.test(e.message));
    }
    await rejectsWithCode(a.addAndGet(2n ** 64n), 'ERR_BAD_ARGUMENT');
    assert.equal(await a.get(), 7n);
  });

  it('atomic-long - a non-integer argument is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new AtomicLong(dso.key(), 0, dso.opts).addAndGet(1.5), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-long - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicLong', dso.key(), 'frobnicate', []), 'ERR_UNKNOWN_METHOD');
  });
});
