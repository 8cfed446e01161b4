import { strict as assert } from 'node:assert';
import { Shared, shared, sharedByName, remote, RemoteError, ServerlessExecutorService, Serializable, InvalidOptionError } from 'crucial';
import { Tally } from '../../fixtures/counter-class.ts';
import { bundleModule } from '../../../core/objects/module-bundle.ts';

class Holder {
  @Shared({ key: 'holder-tally' }) tally = remote(new Tally(100));
  @Shared() defaultKeyed = remote(new Tally(1));
}

describe('shared user classes', function () {
  this.timeout(30_000);

  it('shared - methods of a @Shared class execute on the node with its state', async () => {
    const t = shared(Tally, 'user-tally-1', { args: [10] });
    assert.equal(await t.add(5), 15);
    assert.equal(await t.sumSquares(3), 29);
    assert.deepEqual(await t.snapshot(), { total: 29, calls: 1 });
  });

  it('shared - two proxies of one key see one object', async () => {
    const a = shared(Tally, 'user-tally-2');
    const b = shared(Tally, 'user-tally-2');
    await a.add(1);
    await b.add(2);
    assert.deepEqual(await a.snapshot(), { total: 3, calls: 2 });
  });

  it('shared - async methods on one object run one at a time (linearizable)', async () => {
    const t = shared(Tally, 'user-tally-async');
    await Promise.all(Array.from({ length: 25 }, () => t.slowAdd(1)));
    assert.equal((await t.snapshot()).total, 25);
  });

  it('shared - an error thrown by a method arrives with its class name and node stack', async () => {
    const t = shared(Tally, 'user-tally-err');
    await assert.rejects(t.fail('bad input'), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.remoteName, 'RangeError');
      assert.equal(err.message, 'bad input');
      assert.match(err.remoteStack ?? '', /Tally\.fail/);
      return true;
    });
  });

  it('shared - a @Shared field is created on the node from the field initializer', async () => {
    const h = new Holder();
    assert.equal(await h.tally.add(1), 101);
    assert.equal(h.defaultKeyed.key, 'Holder.defaultKeyed');
    assert.equal(await new Holder().tally.add(1), 102, 'a second holder shares the same object');
  });

  it('shared - an object can be called by type name and key without its class', async () => {
    await shared(Tally, 'user-tally-by-name', { args: [40] }).add(2);
    const byName = sharedByName<Tally>('Tally', 'user-tally-by-name');
    assert.equal(await byName.add(0), 42);
  });

  it('shared - a proxy handed to a cloud thread travels as a reference', async () => {
    const t = shared(Tally, 'user-tally-ref', { args: [0] });
    const se = new ServerlessExecutorService();
    await se.invokeAll(Array.from({ length: 4 }, () => async () => { await t.add(10); }), { captures: { t } });
    assert.equal((await t.snapshot()).total, 40);
  });

  it('shared - the module is shipped under the hash of its code', async () => {
    const a = await bundleModule(new URL('../../fixtures/counter-class.ts', import.meta.url).href);
    assert.match(a.hash, /^[0-9a-f]{64}$/);
    assert.ok(a.code.includes('sumSquares'));
  });

  it('shared - a class that is not @Shared is refused', () => {
    class Plain { x = 1; }
    assert.throws(() => shared(Plain, 'x'), InvalidOptionError);
  });
});
