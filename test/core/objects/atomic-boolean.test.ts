import { strict as assert } from 'node:assert';
import { AtomicBoolean } from '../../../core/objects/atomic-boolean.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-boolean', () => {
  const dso = withDso();

  it('atomic-boolean - starts false and getAndSet returns the old value', async () => {
    const b = new AtomicBoolean(dso.key(), undefined, dso.opts);
    assert.equal(await b.get(), false);
    assert.equal(await b.getAndSet(true), false);
    assert.equal(await b.get(), true);
    await b.set(false);
    assert.equal(await b.get(), false);
  });

  it('atomic-boolean - exactly one of many concurrent compareAndSet(false, true) wins', async () => {
    const key = dso.key();
    const results = await Promise.all(Array.from({ length: 8 }, () =>
      new AtomicBoolean(key, false, { connection: dso.connect() }).compareAndSet(false, true)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('atomic-boolean - a non-boolean value is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new AtomicBoolean(dso.key(), true, dso.opts).set(1 as unknown as boolean), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-boolean - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicBoolean', dso.key(), 'toggle', []), 'ERR_UNKNOWN_METHOD');
  });
});
