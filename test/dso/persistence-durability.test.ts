/**
 * A persistent object's call is answered only once its effect is durable, on every path (a sync
 * built-in, a sync or async user method, calls that waited in the object's queue); a commit that
 * fails answers an error and leaves memory as it was; user fields of every kind a persistent object
 * may hold come back after kill -9, and a value that cannot be persisted is refused when written.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { connect, shared, type Connection } from 'crucial';
import { Ledger } from '../fixtures/ledger-class.ts';
import { RawClient, kill9, stopNode, type Answer, type NodeProcess } from '../../bench/lib/dso-process.ts';
import { withNodeProcesses } from '../helpers/node-processes.ts';

const P = { persistent: true };

describe('dso persistence - the node answers only after what it answered is durable', function () {
  this.timeout(60_000);
  const procs = withNodeProcesses('durable');

  async function start(pmem: string, port = 0): Promise<{ node: NodeProcess; conn: Connection }> {
    const node = await procs.start(pmem, port);
    return { node, conn: connect(node.address) };
  }

  /** Loads the Ledger class on the node and creates `key`, persistent. */
  async function ledger(conn: Connection, key: string): Promise<void> {
    // The module is uploaded through an ephemeral object first: the SDK's retry after ERR_MODULE_MISSING
    // drops `persistent` from a first call that carries no constructor arguments (reported, core/objects).
    await shared(Ledger, `${key}-loader`, { connection: conn }).state();
    await shared(Ledger, key, { connection: conn, persistent: true }).state();
  }

  it('durability - each call path is durable the moment its reply arrives (kill -9 on the reply, restart)', async () => {
    const pmem = procs.pmem('paths');
    let { node, conn } = await start(pmem);
    await ledger(conn, 'l');
    await conn.call('AtomicLong', 'n', 'get', [], { ...P, init: [0] });
    const raw = new RawClient(node.address, new Uint8Array(randomBytes(8)));
    let seq = 0;
    const paths: Array<[string, () => Promise<unknown>, (c: Connection) => Promise<void>]> = [
      ['sync built-in', async () => raw.send(++seq, raw.frames(seq, 'AtomicLong', 'n', 'addAndGet', [7])),
        async (c) => assert.equal(await c.call('AtomicLong', 'n', 'get', []), 7n)],
      ['sync user method', async () => raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'add', [3])),
        async (c) => assert.equal((await c.call('Ledger', 'l', 'state', []) as { total: number }).total, 3)],
      ['async user method', async () => raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'addLater', [10])),
        async (c) => assert.equal((await c.call('Ledger', 'l', 'state', []) as { total: number }).total, 13)],
      ['sync call queued behind an async one', async () => {
        const first = raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'addLater', [100]));
        const queued = raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'add', [1000]));
        await first;
        return queued;
      }, async (c) => assert.equal((await c.call('Ledger', 'l', 'state', []) as { total: number }).total, 1113)],
      ['async call queued behind an async one', async () => {
        const first = raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'addLater', [10_000]));
        const queued = raw.send(++seq, raw.frames(seq, 'Ledger', 'l', 'addLater', [100_000]));
        await first;
        return queued;
      }, async (c) => assert.equal((await c.call('Ledger', 'l', 'state', []) as { total: number }).total, 111_113)],
    ];
    try {
      for (const [name, call, check] of paths) {
        const answer = await call() as Answer;
        // The kill is sent the moment the reply is here: nothing the node does after replying counts.
        node.child.kill('SIGKILL');
        assert.ok(answer.ok, `${name}: ${answer.ok ? '' : answer.error.message}`);
        await kill9(node);
        await conn.close();
        ({ node, conn } = await start(pmem, node.port));
        raw.reconnect(node.address);
        await check(conn).catch((err: Error) => { throw new Error(`${name}: ${err.message}`); });
      }
    } finally {
      raw.close();
      await conn.close();
      await stopNode(node);
    }
  });

  it('durability - a commit that fails answers an error and leaves memory as it was, on the sync, async and queued paths', async () => {
    const pmem = procs.pmem('fail');
    let { node, conn } = await start(pmem);
    try {
      await ledger(conn, 'f');
      const l = (m: string, args: unknown[]) => conn.call('Ledger', 'f', m, args);
      assert.equal(await l('add', [1]), 1);
      await assert.rejects(l('widen', [5]), (e: Error & { code?: string }) => e.code === 'ERR_NOT_SERIALIZABLE' && /wider than 64 bits/.test(e.message));
      await assert.rejects(l('widenLater', [50]), (e: Error & { code?: string }) => e.code === 'ERR_NOT_SERIALIZABLE');
      // Queued behind a slow async call: a failing one and a good one.
      const slow = l('addLater', [10]);
      const bad = l('widen', [500]);
      const good = l('add', [20]);
      assert.equal(await slow, 11);
      await assert.rejects(bad, /wider than 64 bits/);
      assert.equal(await good, 31);
      await assert.rejects(l('keepWeakMap', []), (e: Error & { code?: string }) => e.code === 'ERR_NOT_SERIALIZABLE' && /WeakMap/.test(e.message));
      const s = await l('state', []) as { total: number; big: bigint; extra: unknown };
      assert.deepEqual([s.total, s.big, s.extra], [31, 0n, null], 'memory is as the failed calls found it');
      // The node is alive and what it acknowledged is durable.
      await kill9(node);
      await conn.close();
      ({ node, conn } = await start(pmem));
      const after = await conn.call('Ledger', 'f', 'state', []) as { total: number; big: bigint };
      assert.deepEqual([after.total, after.big], [31, 0n]);
    } finally {
      await conn.close();
      await stopNode(node);
    }
  });

  it('durability - Set, Map, Date, typed array, bigint and undefined fields of a persistent user object come back after kill -9', async () => {
    const pmem = procs.pmem('kinds');
    let { node, conn } = await start(pmem);
    try {
      await ledger(conn, 'k');
      await conn.call('Ledger', 'k', 'tag', ['a', 1000]);
      await conn.call('Ledger', 'k', 'tag', ['b', 2000]);
      await conn.call('Ledger', 'k', 'tag', ['a', 3000]);
      const before = await conn.call('Ledger', 'k', 'state', []);
      // Stored while the object was new: `note` undefined.
      await ledger(conn, 'fresh');
      await kill9(node);
      await conn.close();
      ({ node, conn } = await start(pmem));
      const s = await conn.call('Ledger', 'k', 'state', []) as Record<string, unknown>;
      assert.deepEqual(s, before);
      assert.deepEqual(s.tags, ['a', 'b']);
      assert.deepEqual(s.counts, [['a', 2], ['b', 1]]);
      assert.equal(s.whenIsDate, true);
      assert.equal(s.when, 3000);
      assert.ok(s.samples instanceof Float64Array && s.samples.length === 3);
      assert.equal(s.big, 3n);
      assert.equal((await conn.call('Ledger', 'fresh', 'state', []) as Record<string, unknown>).note, 'undefined');
      // Still usable after the restart: a Set that came back as {} would throw on add.
      assert.equal(await conn.call('Ledger', 'k', 'tag', ['c', 4000]), 3);
    } finally {
      await conn.close();
      await stopNode(node);
    }
  });
});
