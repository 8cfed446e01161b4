/**
 * ObjectStore (dso/store.ts): a call that creates a persistent object — its first call, or
 * `forceNew` replacing one — changes stable storage even when its method writes nothing (`get`,
 * `$touch`) or fails, so its reply is kept durably in the creation's own failure-atomic block.
 * Resent to a node restarted after kill -9 it is answered with its first reply and does not create
 * the object again over what other clients wrote (and were acknowledged) since.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { connect, shared } from 'crucial';
import { Ledger } from '../fixtures/ledger-class.ts';
import { RawClient, kill9, stopNode, type Answer } from '../../bench/lib/dso-process.ts';
import { withNodeProcesses } from '../helpers/node-processes.ts';

const P = { persistent: true };

/** An answer as comparable data (an error by its code and message). */
const plain = (a: Answer) => (a.ok ? a : { ok: false, code: a.error.code, message: a.error.message });

describe('dso store - a call that creates a persistent object is applied once across a restart', function () {
  this.timeout(60_000);
  const procs = withNodeProcesses('store');

  it('forceNew - a replacement resent after kill -9 is answered from its record and does not erase acknowledged writes', async () => {
    const pmem = procs.pmem('force');
    let node = await procs.start(pmem);
    const b = connect(node.address);
    await shared(Ledger, 'loader', { connection: b }).state();
    // [type, key, method, args, B's write after the replacement, what the object holds then]
    const cases: Array<[string, string, string, unknown[], unknown[], (c: ReturnType<typeof connect>) => Promise<unknown>, unknown]> = [
      ['AtomicLong', 'get', 'get', [], [1], (c) => c.call('AtomicLong', 'get', 'get', []), 101n],
      ['AtomicLong', 'touch', '$touch', [], [1], (c) => c.call('AtomicLong', 'touch', 'get', []), 101n],
      ['AtomicLong', 'bad', 'noSuchMethod', [], [1], (c) => c.call('AtomicLong', 'bad', 'get', []), 101n],
      // A user class: kept as a snapshot, its first write made with the call's.
      ['Ledger', 'sync', 'state', [], [4], async (c) => ((await c.call('Ledger', 'sync', 'state', [])) as { total: number }).total, 4],
      // An async method: the replacement lands with its commit when it settles, with its record.
      ['Ledger', 'async', 'addLater', [40], [2], async (c) => ((await c.call('Ledger', 'async', 'state', [])) as { total: number }).total, 42],
    ];
    const raw = new RawClient(node.address, new Uint8Array(randomBytes(8)));
    const frames: Uint8Array[][] = [];
    const first: Answer[] = [];
    try {
      for (const [i, [type, key, method, args, write]] of cases.entries()) {
        const init = type === 'AtomicLong' ? [100] : [];
        const add = type === 'AtomicLong' ? 'addAndGet' : 'add';
        await b.call(type, key, add, [5], { ...P, init }); // the object exists before the replacement
        frames.push(raw.frames(i + 1, type, key, method, args, { ...P, forceNew: true, init }));
        first.push(await raw.send(i + 1, frames[i]!)); // its reply "lost": the client will resend
        assert.deepEqual(plain(await raw.send(i + 1, frames[i]!)), plain(first[i]!), `${key}: deduplicated before a crash`);
        await b.call(type, key, add, write, P); // acknowledged: must survive the resend
      }
      assert.equal(first[0]!.ok && first[0]!.value, 100n);
      assert.equal(first[2]!.ok ? 'ok' : first[2]!.error.code, 'ERR_UNKNOWN_METHOD');
      await b.close();

      await kill9(node);
      node = await procs.start(pmem, node.port);
      raw.reconnect(node.address);
      for (let i = 0; i < cases.length; i++) {
        assert.deepEqual(plain(await raw.send(i + 1, frames[i]!)), plain(first[i]!), `${cases[i]![1]}: the first reply again`);
      }
      const c = connect(node.address);
      for (const [, key, , , , read, expected] of cases) assert.equal(await read(c), expected, `${key}: the acknowledged write is kept`);
      await c.close();
    } finally {
      raw.close();
      await stopNode(node);
    }
  });

  it('creation - a read that created a persistent object, resent after kill -9, does not create it again after a delete', async () => {
    const pmem = procs.pmem('create');
    let node = await procs.start(pmem);
    const raw = new RawClient(node.address, new Uint8Array(randomBytes(8)));
    try {
      const frames = raw.frames(1, 'AtomicLong', 'g', 'get', [], { ...P, init: [100] });
      const first = await raw.send(1, frames);
      assert.deepEqual(first, { ok: true, value: 100n });
      const b = connect(node.address);
      assert.equal(await b.call('$system', '', 'delete', ['AtomicLong', 'g']), true);
      await b.close();

      await kill9(node);
      node = await procs.start(pmem, node.port);
      raw.reconnect(node.address);
      assert.deepEqual(await raw.send(1, frames), first, 'the first reply again');
      const c = connect(node.address);
      assert.equal(await c.call('$system', '', 'delete', ['AtomicLong', 'g']), false, 'the object stays deleted');
      await c.close();
    } finally {
      raw.close();
      await stopNode(node);
    }
  });
});
