/**
 * SystemObject (dso/system.ts): `$system.delete` of a persistent object changes stable storage, so
 * its reply is kept durably in the removal's failure-atomic block. Resent to a node restarted after
 * kill -9 it is answered with its first reply and does not delete the object another client has
 * re-created (and written, acknowledged) since.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { connect } from 'crucial';
import { RawClient, kill9, stopNode } from '../../bench/lib/dso-process.ts';
import { withNodeProcesses } from '../helpers/node-processes.ts';

const P = { persistent: true };

describe('dso $system - a delete of a persistent object is applied once across a restart', function () {
  this.timeout(60_000);
  const procs = withNodeProcesses('system');

  it('delete - resent after kill -9, is answered from its record and does not delete the object re-created since', async () => {
    const pmem = procs.pmem('delete');
    let node = await procs.start(pmem);
    const b = connect(node.address);
    const raw = new RawClient(node.address, new Uint8Array(randomBytes(8)));
    try {
      assert.equal(await b.call('AtomicLong', 'd', 'addAndGet', [5], P), 5n);
      assert.equal(await b.call('AtomicMap', 'm', 'put', ['k', 1], { ...P, init: [] }), null);
      const frames = [
        raw.frames(1, '$system', '', 'delete', ['AtomicLong', 'd']),
        raw.frames(2, '$system', '', 'delete', ['AtomicMap', 'm']),
      ];
      const first = [await raw.send(1, frames[0]!), await raw.send(2, frames[1]!)]; // replies "lost"
      assert.deepEqual(first, [{ ok: true, value: true }, { ok: true, value: true }]);
      assert.deepEqual(await raw.send(1, frames[0]!), first[0], 'deduplicated before a crash');
      // Re-created and written by another client, acknowledged: must survive the resends.
      assert.equal(await b.call('AtomicLong', 'd', 'addAndGet', [7], P), 7n);
      assert.equal(await b.call('AtomicMap', 'm', 'put', ['k', 2], { ...P, init: [] }), null);
      await b.close();

      await kill9(node);
      node = await procs.start(pmem, node.port);
      raw.reconnect(node.address);
      assert.deepEqual(await raw.send(1, frames[0]!), first[0], 'the first reply again');
      assert.deepEqual(await raw.send(2, frames[1]!), first[1], 'the first reply again');
      const c = connect(node.address);
      assert.equal(await c.call('AtomicLong', 'd', 'get', [], P), 7n, 'the re-created object is kept');
      assert.equal(await c.call('AtomicMap', 'm', 'get', ['k'], P), 2);
      await c.close();
    } finally {
      raw.close();
      await stopNode(node);
    }
  });
});
