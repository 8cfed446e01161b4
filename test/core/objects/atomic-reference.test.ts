import { strict as assert } from 'node:assert';
import { AtomicReference } from '../../../core/objects/atomic-reference.ts';
import { AtomicLong } from '../../../core/objects/atomic-long.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-reference', () => {
  const dso = withDso();

  it('atomic-reference - holds null until set and returns the old value from getAndSet', async () => {
    const r = new AtomicReference<string>(dso.key(), undefined, dso.opts);
    assert.equal(await r.get(), null);
    assert.equal(await r.getAndSet('a'), null);
    assert.equal(await r.get(), 'a');
  });

  it('atomic-reference - keeps nested maps, lists, bytes and Float64Array intact', async () => {
    const v = { name: 'x', list: [1, 'two', [3]], bytes: new Uint8Array([1, 2]), vec: new Float64Array([0.5, 1.5]), nested: { deep: { ok: true } } };
    const r = new AtomicReference<typeof v>(dso.key(), v, dso.opts);
    const back = (await r.get())!;
    // bytes arrive as a Uint8Array (a Buffer under Node); compare the content.
    assert.deepEqual([...back.bytes], [1, 2]);
    assert.deepEqual({ ...back, bytes: null }, { ...v, bytes: null });
  });

  it('atomic-reference - compareAndSet compares wire values structurally', async () => {
    const r = new AtomicReference<unknown>(dso.key(), { a: [1, 2] }, dso.opts);
    assert.equal(await r.compareAndSet({ a: [1, 3] }, 'no'), false);
    assert.equal(await r.compareAndSet({ a: [1, 2] }, 'yes'), true);
    assert.equal(await r.get(), 'yes');
  });

  it('atomic-reference - a reference to another shared object comes back as a working proxy', async () => {
    const counter = new AtomicLong(dso.key(), 41, dso.opts);
    await counter.get(); // objects are created by their first call, not by the proxy constructor
    const r = new AtomicReference<AtomicLong>(dso.key(), counter, dso.opts);
    const back = await r.get();
    assert.ok(back instanceof AtomicLong);
    assert.equal(await back.incrementAndGet(), 42n);
    assert.equal(await r.compareAndSet(counter, null), true);
  });

  it('atomic-reference - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicReference', dso.key(), 'updateAndGet', []), 'ERR_UNKNOWN_METHOD');
  });
});
