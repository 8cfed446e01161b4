import { strict as assert } from 'node:assert';
import { Shared, shared, sharedByName, ServerlessExecutorService, InvalidOptionError, ReleasedError, ObjectRef } from 'crucial';
import { Clash } from '../../fixtures/clash-class.ts';

class Holder {
  @Shared({ key: 'clash-holder' }) clash = new Clash() as unknown as ReturnType<typeof shared<Clash>>;
}

describe('shared user classes - method names that proxies also use', function () {
  this.timeout(30_000);

  it('shared - methods named like proxy members run on the node', async () => {
    const c = shared(Clash, 'clash-1');
    assert.equal(await c.release(), 'node:release:1');
    assert.equal(await c.release(), 'node:release:2', 'the proxy was not released by the first call');
    assert.equal(await c.call(7), 'node:call:7');
    assert.equal(await c.key(), 'node:key');
    assert.equal(await c.invoke(2, 3), 5);
    assert.equal(await c.typeName(), 'node:typeName');
    assert.equal(await c.materialize(), 'node:materialize');
    assert.equal(await c.connection(), 'node:connection');
    assert.equal(await c.bindKey('z'), 'node:bindKey:z');
    assert.equal(await c.bindConnection(), 'node:bindConnection');
    assert.equal(await c.perCallOptions(), 'node:perCallOptions');
    assert.equal(await c.conn(), 'node:conn');
    assert.equal(await c.toJSON(), 'node:toJSON');
  });

  it('shared - the proxy keeps its identity and lifecycle under the reserved names', async () => {
    const c = shared(Clash, 'clash-2');
    const ref = c.toObjectRef();
    assert.ok(ref instanceof ObjectRef);
    assert.deepEqual([ref.type, ref.key], ['Clash', 'clash-2']);
    assert.equal(await c.call(1), 'node:call:1');
    await c[Symbol.asyncDispose]();
    await assert.rejects(c.call(2), ReleasedError);
  });

  it('shared - a @Shared field holding a clashing class is created from its state and answers remotely', async () => {
    const h = new Holder();
    assert.equal(h.clash.toObjectRef().key, 'clash-holder');
    assert.equal(await h.clash.release(), 'node:release:1');
  });

  it('shared - a clashing proxy handed to a cloud thread is materialized, not called, and is remote there', async () => {
    const c = shared(Clash, 'clash-thread');
    const se = new ServerlessExecutorService();
    const out = await se.submit(async () => [await c.release(), await c.call(4)], { captures: { c } }).get();
    assert.deepEqual(out, ['node:release:1', 'node:call:4']);
    assert.equal(await c.release(), 'node:release:2', 'materialize() ran as the proxy\'s own, not as the user method');
  });

  it('sharedByName - without the class, call(name, args) reaches a method of any name', async () => {
    await shared(Clash, 'clash-by-name').typeName();
    const p = sharedByName('Clash', 'clash-by-name');
    assert.equal(p.key, 'clash-by-name');
    assert.equal(await (p as any).call('release', []), 'node:release:1');
    assert.equal(await (p as any).typeName(), 'node:typeName');
  });

  it('Shared - a class declaring a reserved name (toObjectRef, then) is refused at definition, naming it', () => {
    assert.throws(() => {
      @Shared() class Bad { toObjectRef(): string { return 'x'; } }
      return Bad;
    }, (err: unknown) => err instanceof InvalidOptionError && /Bad declares "toObjectRef"/.test(err.message));
    assert.throws(() => {
      @Shared() class Thenable { then(): void { /* not a promise */ } }
      return Thenable;
    }, (err: unknown) => err instanceof InvalidOptionError && /"then"/.test(err.message));
  });
});
