/**
 * Exactly-once across a node restart: a call on a persistent object that was applied before a
 * kill -9 is answered from its durable dedup record when resent, byte for byte, to the restarted
 * node, whether the first reply reached the client or not; it is never applied twice.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect, shared } from 'crucial';
import { Ledger } from '../fixtures/ledger-class.ts';
import { RawClient, kill9, stopNode } from '../../bench/lib/dso-process.ts';
import { withNodeProcesses } from '../helpers/node-processes.ts';

const P = { persistent: true };

describe('dso exactly-once - a call resent across a restart is applied once', function () {
  this.timeout(60_000);
  const procs = withNodeProcesses('once');

  it('exactly-once - mutations of every persistent kind, resent after kill -9 and a restart, are answered with their first reply and not applied again', async () => {
    const pmem = procs.pmem('once');
    let node = await procs.start(pmem);
    const setup = connect(node.address);
    await shared(Ledger, 'loader', { connection: setup }).state();
    await shared(Ledger, 'led', { connection: setup, persistent: true }).state();
    await setup.call('AtomicLong', 'n', 'get', [], { ...P, init: [0] });
    await setup.call('AtomicList', 'l', 'size', [], { ...P, init: [] });
    await setup.call('AtomicMap', 'm', 'size', [], { ...P, init: [] });
    await setup.call('AtomicMatrix', 'x', 'shape', [], { ...P, init: [2, 2] });
    await setup.call('AtomicReference', 'r', 'get', [], { ...P, init: [0] });
    await setup.close();

    const raw = new RawClient(node.address, new Uint8Array(randomBytes(8)));
    const big = 'y'.repeat(80 * 1024);
    const calls: Array<[string, string, string, unknown[]]> = [
      ['AtomicLong', 'n', 'addAndGet', [5]],
      ['AtomicList', 'l', 'add', ['one']],
      ['AtomicList', 'l', 'add', [big]],
      ['AtomicMap', 'm', 'merge', ['k', 2, 'sum']],
      ['AtomicMatrix', 'x', 'add', [1, 1, 0.5]],
      ['AtomicReference', 'r', 'getAndSet', [1]],
      ['Ledger', 'led', 'add', [4]],
      ['Ledger', 'led', 'addLater', [40]],
      ['AtomicList', 'l', 'remove', [1]], // its reply (the big element) is over 64 KiB: kept as a tombstone
    ];
    const frames = calls.map(([t, k, m, a], i) => raw.frames(i + 1, t, k, m, a));
    const first = [];
    for (let i = 0; i < calls.length; i++) first.push(await raw.send(i + 1, frames[i]!));
    assert.ok(first.every((a) => a.ok), 'every first call succeeded');

    await kill9(node);
    node = await procs.start(pmem, node.port);
    raw.reconnect(node.address);
    try {
      for (let i = 0; i < calls.length; i++) {
        const again = await raw.send(i + 1, frames[i]!);
        if (i === calls.length - 1) {
          assert.equal(again.ok ? 'ok' : again.error.code, 'ERR_REPLY_NOT_KEPT', 'the big reply was not kept: the resend is refused, not run');
        } else {
          assert.deepEqual(again, first[i], `${calls[i]!.slice(0, 3).join('.')}: the first reply again`);
        }
      }
      const c = connect(node.address);
      assert.equal(await c.call('AtomicLong', 'n', 'get', []), 5n);
      assert.deepEqual(await c.call('AtomicList', 'l', 'toArray', []), ['one']);
      assert.equal(await c.call('AtomicMap', 'm', 'get', ['k']), 2);
      assert.equal(await c.call('AtomicMatrix', 'x', 'get', [1, 1]), 0.5);
      assert.equal(await c.call('AtomicReference', 'r', 'get', []), 1);
      assert.equal((await c.call('Ledger', 'led', 'state', []) as { total: number }).total, 44);
      await c.close();
    } finally {
      raw.close();
      await stopNode(node);
    }
  });
});
