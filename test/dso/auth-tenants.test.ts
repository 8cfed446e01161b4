/**
 * A shared node keeps its tenants apart: each token maps to a namespace, and no call a tenant can
 * make (a plain call, forceNew, opts.state, $system.delete, $system.clearEphemeral, a key holding
 * the namespace separator, a reference in an argument) reaches an object of another tenant or of
 * the root. The oracle is the other tenant's own view of its objects, and the root's view of the
 * node's keys (`<namespace>\0<key>`).
 */
import { strict as assert } from 'node:assert';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { Connection } from '../../core/client/connection.ts';
import { Namespace } from '../../dso/tenancy.ts';
import { ObjectRef } from '../../core/protocol/wire/protocol.ts';
import { rejectsWithCode } from '../helpers/dso.ts';

const TOKENS = { '': 'root-token-0123456789abcdef', alice: 'alice-token-0123456789abcdef', bob: 'bob-token-0123456789abcdef' };

describe('dso auth - tenants of a shared node', function () {
  this.timeout(30_000);
  let node: DsoNode;
  let alice: Connection;
  let bob: Connection;
  let root: Connection;
  before(async () => {
    node = await startDso({ port: 0, tokens: TOKENS, allowUpload: true });
    alice = new Connection(node.address, { token: TOKENS.alice });
    bob = new Connection(node.address, { token: TOKENS.bob });
    root = new Connection(node.address, { token: TOKENS[''] });
  });
  after(async () => {
    await Promise.all([alice, bob, root].map((c) => c.close()));
    await node.close();
  });

  it('tenants - the same key names two objects, one per tenant; the root sees both under their namespaces', async () => {
    assert.equal(await alice.call('AtomicLong', 'x', 'addAndGet', [5]), 5n);
    assert.equal(await bob.call('AtomicLong', 'x', 'get', []), 0n);
    assert.equal(await bob.call('AtomicLong', 'x', 'addAndGet', [1]), 1n);
    assert.equal(await root.call('AtomicLong', 'alice\u0000x', 'get', []), 5n);
    assert.equal(await root.call('AtomicLong', 'bob\u0000x', 'get', []), 1n);
    assert.equal(await root.call('AtomicLong', 'x', 'get', []), 0n);
  });

  it('tenants - forceNew, opts.state, delete and clearEphemeral of one tenant leave the other\'s objects as they were', async () => {
    await alice.call('AtomicLong', 'kept', 'set', [42]);
    await alice.call('AtomicMap', 'm', 'put', ['a', 1]);
    await bob.call('AtomicLong', 'kept', 'get', [], { forceNew: true, init: [-1] });
    await bob.call('AtomicMap', 'm', 'size', [], { forceNew: true, state: { map: new Map([['evil', 1]]) } }).catch(() => undefined);
    assert.equal(await bob.call('$system', '', 'delete', ['AtomicLong', 'kept']), true, 'bob deletes his own "kept"');
    assert.equal(await bob.call('$system', '', 'delete', ['AtomicMap', 'alice\u0000m']), false, 'no key of bob\'s names alice\'s map');
    await bob.call('$system', '', 'clearEphemeral', []);
    assert.equal(await alice.call('AtomicLong', 'kept', 'get', []), 42n);
    assert.equal(await alice.call('AtomicMap', 'm', 'get', ['a']), 1);
    assert.equal(await alice.call('AtomicMap', 'm', 'size', []), 1);
    // The root's clearEphemeral clears the root's objects, not the tenants'.
    await root.call('AtomicLong', 'root-only', 'set', [3]);
    await root.call('$system', '', 'clearEphemeral', []);
    assert.equal(await root.call('AtomicLong', 'root-only', 'get', []), 0n);
    assert.equal(await alice.call('AtomicLong', 'kept', 'get', []), 42n);
  });

  it('tenants - a tenant may not upload code nor submit jobs, even on a node that allows upload', async () => {
    await rejectsWithCode(bob.call('$system', '', 'loadModule', ['00'.repeat(32), 'export const x = 1;']), 'ERR_FORBIDDEN');
    await rejectsWithCode(bob.call('$jobs', '', 'kinds', []), 'ERR_FORBIDDEN');
    // The root may (its hash check answers, not the permission).
    await rejectsWithCode(root.call('$system', '', 'loadModule', ['00'.repeat(32), 'export const x = 1;']), 'ERR_BAD_ARGUMENT');
  });

  it('tenants - references a tenant sends land in its namespace, and come back as it wrote them', async () => {
    await alice.call('AtomicLong', 'target', 'set', [7]);
    await bob.call('AtomicLong', 'target', 'set', [8]);
    // A Future holding a reference: set by bob to a ref to "target", read back by bob.
    await bob.call('Future', 'f', 'set', [new ObjectRef('AtomicLong', 'target')]);
    const back = await bob.call('Future', 'f', 'get', []);
    assert.ok(back instanceof ObjectRef, `got ${String(back)}`);
    assert.equal((back as ObjectRef).key, 'target');
    assert.equal(await root.call('Future', 'bob\u0000f', 'get', []).then((r) => (r as ObjectRef).key), 'bob\u0000target');
  });

  it('tenants - a reference nested past the depth a namespace rewrites is refused, not let through to the root\'s object', async () => {
    await root.call('AtomicLong', 'secret', 'set', [4242]);
    let deep: unknown = new ObjectRef('AtomicLong', 'secret');
    for (let i = 0; i < 70; i++) deep = [deep];
    await rejectsWithCode(alice.call('Future', 'deep', 'set', [deep]), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(alice.call('AtomicReference', 'deep', 'get', [], { forceNew: true, init: [deep] }), 'ERR_BAD_ARGUMENT');
    // Nothing of it was stored anywhere: the root's view has no such object, and alice's is unset.
    assert.equal(await root.call('$system', '', 'delete', ['Future', 'alice\u0000deep']), false);
    assert.equal(await root.call('AtomicLong', 'secret', 'get', []), 4242n);
    // Shallow nesting is still rewritten into the namespace.
    let shallow: unknown = new ObjectRef('AtomicLong', 'secret');
    for (let i = 0; i < 10; i++) shallow = [shallow];
    await alice.call('Future', 'shallow', 'set', [shallow]);
    let stored = await root.call('Future', 'alice\u0000shallow', 'get', []);
    while (Array.isArray(stored)) stored = stored[0];
    assert.equal((stored as ObjectRef).key, 'alice\u0000secret');
  });

  it('tenancy - Namespace maps nested references and the client id in, and only its own references out', () => {
    const ns = new Namespace('t');
    const call = {
      client: new Uint8Array([1, 2]), seq: 1, type: 'AtomicList', key: 'k', method: 'add',
      args: [[new ObjectRef('A', 'x'), { r: new ObjectRef('B', 'y') }], 3],
      opts: { init: [new ObjectRef('C', 'z')] },
    };
    const inbound = ns.inbound(call);
    assert.equal(inbound.key, 't\u0000k');
    assert.deepEqual([...inbound.client], [...new TextEncoder().encode('t\u0000'), 1, 2]);
    assert.deepEqual(inbound.args, [[new ObjectRef('A', 't\u0000x'), { r: new ObjectRef('B', 't\u0000y') }], 3]);
    assert.deepEqual(inbound.opts.init, [new ObjectRef('C', 't\u0000z')]);
    assert.equal(((call.args[0] as unknown[])[0] as ObjectRef).key, 'x', 'the original call is not changed');
    const plain = { a: [1, 2, { b: 'c' }] };
    assert.equal(ns.outbound(plain), plain, 'a value without references is not copied');
    assert.deepEqual(ns.outbound([new ObjectRef('A', 't\u0000x'), new ObjectRef('A', 'u\u0000y')]), [new ObjectRef('A', 'x'), new ObjectRef('A', 'u\u0000y')]);
  });
});
