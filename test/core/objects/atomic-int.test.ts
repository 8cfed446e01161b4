import { strict as assert } from 'node:assert';
import { AtomicInt } from '../../../core/objects/atomic-int.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-int', () => {
  const dso = withDso();

  it('atomic-int - behaves like java AtomicInteger for get, set and the get-and-X family', async () => {
    const a = new AtomicInt(dso.key(), 7, dso.opts);
    assert.equal(await a.get(), 7);
    assert.equal(await a.getAndSet(9), 7);
    assert.equal(await a.getAndAdd(1), 9);
    assert.equal(await a.addAndGet(-10), 0);
    assert.equal(await a.decrementAndGet(), -1);
    assert.equal(await a.getAndDecrement(), -1);
    assert.equal(await a.getAndIncrement(), -2);
    await a.set(3);
    assert.equal(await a.incrementAndGet(), 4);
  });

  it('atomic-int - overflows from 2^31-1 to -2^31 like a Java int', async () => {
    const a = new AtomicInt(dso.key(), 2147483647, dso.opts);
    assert.equal(await a.incrementAndGet(), -2147483648);
    assert.equal(await a.decrementAndGet(), 2147483647);
    assert.equal(await a.addAndGet(2147483647), -2);
  });

  it('atomic-int - compareAndSet swaps only on the expected value', async () => {
    const a = new AtomicInt(dso.key(), 1, dso.opts);
    assert.equal(await a.compareAndSet(0, 5), false);
    assert.equal(await a.compareAndSet(1, 5), true);
    assert.equal(await a.get(), 5);
  });

  it('atomic-int - incrementAndGet is exact under 8 connections x 1000 calls', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async () => {
      const a = new AtomicInt(key, 0, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 1000 }, () => a.incrementAndGet()));
    }));
    assert.equal(await new AtomicInt(key, 0, dso.opts).get(), 8000);
  });

  it('atomic-int - values outside 32 bits and non-integers are ERR_BAD_ARGUMENT', async () => {
    const a = new AtomicInt(dso.key(), 0, dso.opts);
    await rejectsWithCode(a.set(2 ** 31), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(a.addAndGet(0.5), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(a.set('1' as unknown as number), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-int - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicInt', dso.key(), 'multiply', [2]), 'ERR_UNKNOWN_METHOD');
  });
});
