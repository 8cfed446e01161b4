import { strict as assert } from 'node:assert';
import { AtomicCounter } from '../../../core/objects/atomic-counter.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-counter', () => {
  const dso = withDso();

  it('atomic-counter - increment and decrement return the new count and tally reads it', async () => {
    const c = new AtomicCounter(dso.key(), undefined, dso.opts);
    assert.equal(await c.increment(), 1);
    assert.equal(await c.increment(5), 6);
    assert.equal(await c.decrement(), 5);
    assert.equal(await c.tally(), 5);
  });

  it('atomic-counter - reset returns the old count and starts again from zero', async () => {
    const c = new AtomicCounter(dso.key(), 3, dso.opts);
    assert.equal(await c.reset(), 3);
    assert.equal(await c.tally(), 0);
  });

  it('atomic-counter - increment is exact under 8 connections x 1000 calls', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async () => {
      const c = new AtomicCounter(key, 0, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 1000 }, () => c.increment()));
    }));
    assert.equal(await new AtomicCounter(key, 0, dso.opts).tally(), 8000);
  });

  it('atomic-counter - a count past 2^53 is refused with ERR_ILLEGAL_STATE', async () => {
    const c = new AtomicCounter(dso.key(), Number.MAX_SAFE_INTEGER, dso.opts);
    await rejectsWithCode(c.increment(), 'ERR_ILLEGAL_STATE');
  });

  it('atomic-counter - a fractional step is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new AtomicCounter(dso.key(), 0, dso.opts).increment(0.5), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-counter - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicCounter', dso.key(), 'get', []), 'ERR_UNKNOWN_METHOD');
  });
});
