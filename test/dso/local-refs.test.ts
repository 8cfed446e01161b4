import { strict as assert } from 'node:assert';
import { AtomicList, AtomicLong, AtomicMap, Future, Shared, remote, shared } from 'crucial';
import { Account, Busy, Caller, Ledger, Piggy, Pinger } from '../fixtures/ref-classes.ts';
import { withDso, stillPending } from '../helpers/dso.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso, type DsoNode } from 'crucial/node';

describe('dso local references - shared objects held by @Shared objects', function () {
  this.timeout(30_000);
  const dso = withDso();

  it('local-refs - a @Shared field of a user object is a proxy on the node, created with its own initial value', async () => {
    // The seed's pattern, on the process's default node: the holder's field ships the Account's
    // state, whose own @Shared fields travel as references.
    class Bank { @Shared({ key: 'localref-bank-account' }) account = remote(new Account()); }
    const account = new Bank().account;
    assert.equal(await account.deposit(10), 15n, 'the field AtomicLong(5) existed with 5 before the first deposit');
    assert.equal(await account.deposit(1), 16n);
    assert.equal(await account.balanceKey(), 'localref-account-balance');
    assert.equal(await new AtomicLong('localref-account-balance').get(), 16n);
    assert.deepEqual(await new AtomicList('localref-account-log').toArray(), ['deposit 10', 'deposit 1']);
  });

  it('local-refs - the wrapped user class keeps its arity: an object whose constructor needs arguments is not created blank', async () => {
    // The node creates an object without arguments only when its class takes none; a proxy that
    // finds it missing then resends its constructor arguments (ERR_NO_OBJECT) instead.
    await shared(Ledger, dso.key('ledger-arity'), { ...dso.opts, args: [new AtomicLong(dso.key('arity-total'), 0, dso.opts), new AtomicMap(dso.key('arity-entries'), [], dso.opts)] }).record('a', 1);
    await assert.rejects(dso.connection.call('Ledger', dso.key('ledger-never-made'), 'record', ['x', 1]), (err: { code?: string }) => err.code === 'ERR_NO_OBJECT');
  });

  it('local-refs - references passed to the constructor and to methods are proxies on the node', async () => {
    const total = new AtomicLong(dso.key('ledger-total'), 0, dso.opts);
    const entries = new AtomicMap<string, number[]>(dso.key('ledger-entries'), [], dso.opts);
    const other = new AtomicLong(dso.key('ledger-other'), 100, dso.opts);
    await Promise.all([total.materialize(), entries.materialize(), other.materialize()]);
    const ledger = shared(Ledger, dso.key('ledger'), { ...dso.opts, args: [total, entries] });
    assert.equal(await ledger.record('ann', 3), 3n);
    assert.equal(await ledger.record('ann', 4), 7n);
    assert.deepEqual(await entries.get('ann'), [3, 4]);
    assert.equal(await ledger.addTo(other, 5), 105n);
    assert.equal(await other.get(), 105n);
  });

  it('local-refs - values cross a local call by copy: changing a value read from a map leaves the map alone', async () => {
    const entries = new AtomicMap<string, number[]>(dso.key('copy-entries'), [['x', [1, 2]]], dso.opts);
    const total = new AtomicLong(dso.key('copy-total'), 0, dso.opts);
    await Promise.all([entries.materialize(), total.materialize()]);
    const ledger = shared(Ledger, dso.key('copy-ledger'), { ...dso.opts, args: [total, entries] });
    assert.deepEqual(await ledger.tamper('x'), [1, 2]);
  });

  it('local-refs - a self-call through a reference runs re-entrantly instead of deadlocking', async () => {
    const a = shared(Pinger, dso.key('self'), { ...dso.opts, args: ['a'] });
    await a.link(a as any, a as any);
    assert.equal(await a.countdown(5), 5);
  });

  it('local-refs - a cycle A -> B -> A of async methods completes, in call order', async () => {
    const a = shared(Pinger, dso.key('cyc-a'), { ...dso.opts, args: ['a'] });
    const b = shared(Pinger, dso.key('cyc-b'), { ...dso.opts, args: ['b'] });
    await a.link(a as any, b as any);
    await b.link(b as any, a as any);
    assert.deepEqual(await a.ping(4), ['a', 'b', 'a', 'b', 'a']);
    assert.deepEqual(await a.getTrace(), ['a4', 'a2', 'a0']);
    assert.deepEqual(await b.getTrace(), ['b3', 'b1']);
  });

  it('local-refs - a call from A to a busy B waits for B\'s running method (B stays linearizable)', async () => {
    const gate = new Future<string>(dso.key('gate'), dso.opts);
    await gate.materialize();
    const b = shared(Busy, dso.key('busy'), { ...dso.opts, args: [gate] });
    const a = shared(Caller, dso.key('caller'), { ...dso.opts, args: [b] });
    await b.getLog();
    await a.toObjectRef();
    const held = b.hold();
    const poked = a.poke();
    assert.ok(await stillPending(poked), 'A\'s call to B ran while B was busy');
    await gate.set('go');
    assert.equal(await held, 'go');
    assert.equal(await poked, 3);
    assert.deepEqual(await b.getLog(), ['hold-start', 'hold-end', 'caller']);
  });

  it('local-refs - a shared field made by a constructor running on the node is created there, with its initial value', async () => {
    const piggy = shared(Piggy, dso.key('piggy'), dso.opts);
    assert.equal(await piggy.insert(1), 8n);
    assert.equal(await new AtomicLong('localref-piggy-coins', undefined, dso.opts).get(), 8n, 'the object lives on the node that hosts the Piggy');
  });

  it('local-refs - a failing local call nobody waits for leaves the node serving', async () => {
    const total = new AtomicLong(dso.key('ff-total'), 1, dso.opts);
    const ledger = shared(Ledger, dso.key('ff-ledger'), { ...dso.opts, args: [total] });
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => { unhandled.push(reason); };
    process.on('unhandledRejection', record);
    try {
      await ledger.addTo(total, 0);
      assert.equal(await ledger.fireAndForget(), 'ok');
      // Unhandled rejections are reported after the microtask queue drains; a macrotask is past that.
      await new Promise((r) => setImmediate(r));
      assert.equal(await ledger.addTo(total, 1), 2n);
    } finally {
      process.off('unhandledRejection', record);
    }
    assert.deepEqual(unhandled.map(String), [], 'the ignored failure became an unhandled rejection (a node without a handler exits)');
  });
});

describe('dso local references - persistent user objects', function () {
  this.timeout(60_000);
  let dir = '';
  let node: DsoNode | undefined;
  let conn: Connection | undefined;
  const start = async (): Promise<Connection> => {
    node = await startDso({ port: 0, pmemPath: join(dir, 'refs.pmem'), pmemSizeBytes: 16 * 1024 * 1024, allowUpload: true });
    return (conn = connect(node.address));
  };
  const stop = async (): Promise<void> => { await conn?.close(); await node?.close(); conn = undefined; node = undefined; };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-local-refs-')); });
  after(async () => { await stop(); rmSync(dir, { recursive: true, force: true }); });

  it('local-refs - a persistent user object keeps its reference across a restart and uses it after', async () => {
    let c = await start();
    const total = new AtomicLong('p-total', 10, { connection: c, persistent: true });
    await total.materialize();
    assert.equal(await shared(Ledger, 'p-ledger', { connection: c, persistent: true, args: [total] }).bump(2), 12n);
    await stop();
    c = await start();
    assert.equal(await shared(Ledger, 'p-ledger', { connection: c }).bump(3), 15n, 'restored fields hold a reference that is revived on first use');
    assert.equal(await new AtomicLong('p-total', undefined, { connection: c }).get(), 15n);
  });
});

