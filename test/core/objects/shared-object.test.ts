import { strict as assert } from 'node:assert';
import { AtomicLong, AtomicReference, CyclicBarrier, ReleasedError, InvalidOptionError, ClosedError, NotSerializableError, connect } from 'crucial';
import { withDso } from '../../helpers/dso.ts';

describe('shared-object proxies', () => {
  const dso = withDso();

  it('shared-object - a released proxy refuses calls with ERR_RELEASED and the object stays on the node', async () => {
    const key = dso.key('released');
    const a = new AtomicLong(key, 5, dso.opts);
    assert.equal(await a.get(), 5n);
    a.release();
    await assert.rejects(a.get(), ReleasedError);
    assert.equal(await new AtomicLong(key, undefined, dso.opts).get(), 5n);
  });

  it('shared-object - a first call refused before it left keeps the creation options for the next call', async () => {
    // The first call carries the constructor arguments; one that never reached the node must not take them along.
    const ref = new AtomicReference(dso.key('unsent'), { v: 1 }, dso.opts);
    await assert.rejects(ref.set((() => 1) as unknown as { v: number }), NotSerializableError);
    assert.deepEqual(await ref.get(), { v: 1 });
    const counter = new AtomicLong(dso.key('unsent-slow'), 9, dso.opts);
    await assert.rejects(counter.addAndGet(2n ** 64n), { code: 'ERR_BAD_ARGUMENT' });
    assert.equal(await counter.incrementAndGet(), 10n);
  });

  it('shared-object - await using releases the proxy at the end of the block', async () => {
    const key = dso.key('disposed');
    let outside: AtomicLong;
    {
      await using a = new AtomicLong(key, 1, dso.opts);
      outside = a;
      assert.equal(await a.incrementAndGet(), 2n);
    }
    await assert.rejects(outside.get(), ReleasedError);
  });

  it('shared-object - a proxy without a key explains how to bind one', async () => {
    await assert.rejects(new AtomicLong(3, undefined, dso.opts).get(), /no key: pass one to the constructor or declare the field with @Shared/);
    assert.throws(() => new AtomicLong(''), InvalidOptionError);
  });

  it('shared-object - constructor arguments only matter when the node creates the object', async () => {
    const key = dso.key('ctor');
    await new AtomicLong(key, 10, dso.opts).get();
    assert.equal(await new AtomicLong(key, 99, dso.opts).get(), 10n);
  });

  it('shared-object - forceNew replaces an existing object', async () => {
    const key = dso.key('force');
    await new AtomicLong(key, 10, dso.opts).addAndGet(5);
    assert.equal(await new AtomicLong(key, 1, { ...dso.opts, forceNew: true }).get(), 1n);
  });

  it('shared-object - a deleted object is recreated from the proxy constructor arguments', async () => {
    const key = dso.key('recreate');
    const b = new CyclicBarrier(key, 3, dso.opts);
    assert.equal(await b.getParties(), 3);
    assert.equal(await dso.connection.call('$system', '', 'delete', ['CyclicBarrier', key]), true);
    assert.equal(await b.getParties(), 3);
  });

  it('shared-object - calls on a closed connection fail with ERR_CLOSED', async () => {
    const conn = connect(dso.node.address);
    const a = new AtomicLong(dso.key('closed'), 0, { connection: conn });
    await a.get();
    await conn.close();
    await assert.rejects(a.get(), ClosedError);
  });
});
