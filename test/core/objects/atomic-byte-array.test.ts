import { strict as assert } from 'node:assert';
import { AtomicByteArray } from '../../../core/objects/atomic-byte-array.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-byte-array', () => {
  const dso = withDso();

  it('atomic-byte-array - starts zero-filled with a fixed length', async () => {
    const a = new AtomicByteArray(dso.key(), 4, dso.opts);
    assert.equal(await a.length(), 4);
    assert.deepEqual([...await a.getAll()], [0, 0, 0, 0]);
  });

  it('atomic-byte-array - per-byte operations wrap modulo 256', async () => {
    const a = new AtomicByteArray(dso.key(), new Uint8Array([250, 1, 2]), dso.opts);
    assert.equal(await a.getAndAdd(0, 10), 250);
    assert.equal(await a.get(0), 4);
    assert.equal(await a.addAndGet(1, -2), 255);
    await a.set(2, -1);
    assert.equal(await a.get(2), 255);
    assert.equal(await a.getAndSet(2, 7), 255);
    assert.equal(await a.compareAndSet(2, 8, 9), false);
    assert.equal(await a.compareAndSet(2, 7, 9), true);
  });

  it('atomic-byte-array - setAll replaces the whole content but keeps the length', async () => {
    const a = new AtomicByteArray(dso.key(), 3, dso.opts);
    await a.setAll(new Uint8Array([9, 8, 7]));
    assert.deepEqual([...await a.getAll()], [9, 8, 7]);
    await rejectsWithCode(a.setAll(new Uint8Array(4)), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-byte-array - getAndAdd is exact under 8 connections x 100 calls', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async () => {
      const a = new AtomicByteArray(key, 2, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 100 }, () => a.getAndAdd(1, 1)));
    }));
    assert.equal(await new AtomicByteArray(key, 2, dso.opts).get(1), 800 % 256);
  });

  it('atomic-byte-array - an index out of bounds or a value above 255 is ERR_BAD_ARGUMENT', async () => {
    const a = new AtomicByteArray(dso.key(), 2, dso.opts);
    await rejectsWithCode(a.get(2), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(a.set(-1, 0), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(a.set(0, 256), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-byte-array - creating it without a length is ERR_NO_OBJECT', async () => {
    await rejectsWithCode(new AtomicByteArray(dso.key(), undefined, dso.opts).length(), 'ERR_NO_OBJECT');
  });

  it('atomic-byte-array - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicByteArray', dso.key(), 'resize', [], { init: [1] }), 'ERR_UNKNOWN_METHOD');
  });

  it('atomic-byte-array - increments and decrements wrap modulo 256, as AtomicIntegerArray\'s would for bytes', async () => {
    const a = new AtomicByteArray(dso.key(), new Uint8Array([254, 0, 5]), dso.opts);
    assert.equal(await a.incrementAndGet(0), 255);
    assert.equal(await a.getAndIncrement(0), 255);
    assert.equal(await a.get(0), 0);
    assert.equal(await a.decrementAndGet(1), 255);
    assert.equal(await a.getAndDecrement(2), 5);
    assert.deepEqual([...await a.getAll()], [0, 255, 4]);
    await rejectsWithCode(a.incrementAndGet(3), 'ERR_BAD_ARGUMENT');
  });
});
