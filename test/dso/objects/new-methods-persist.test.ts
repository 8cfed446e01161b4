/**
 * The methods added to the built-in types for java.util parity change state through the same fields
 * the persistence strategies track: their effects survive a node restart over the same pmem file.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso, type DsoNode } from 'crucial/node';

const P = { persistent: true };

describe('dso objects - added java.util methods on persistent objects', function () {
  this.timeout(60_000);
  let dir = '';
  let node: DsoNode | undefined;
  let conn: Connection | undefined;

  async function start(): Promise<Connection> {
    node = await startDso({ port: 0, pmemPath: join(dir, 'node.pmem'), pmemSizeBytes: 16 * 1024 * 1024 });
    return (conn = connect(node.address));
  }
  async function stop(): Promise<void> {
    await conn?.close();
    await node?.close();
    conn = undefined;
    node = undefined;
  }

  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-java-util-')); });
  after(async () => { await stop(); rmSync(dir, { recursive: true, force: true }); });

  it('new-methods - tree-map polls and putAll, map replace and conditional remove, list bulk edits and byte increments survive a restart', async () => {
    let c = await start();
    await c.call('AtomicTreeMap', 'tm', 'putAll', [[[3, 'c'], [1, 'a'], ['z', 26], [2, 'b']]], { ...P, init: [] });
    assert.deepEqual(await c.call('AtomicTreeMap', 'tm', 'pollFirstEntry', []), [1, 'a']);
    assert.deepEqual(await c.call('AtomicTreeMap', 'tm', 'pollLastEntry', []), ['z', 26]);
    assert.equal(await c.call('AtomicTreeMap', 'tm', 'replace', [2, 'b', 'B']), true);
    await c.call('AtomicMap', 'm', 'putAll', [[['a', 1], ['b', 2], ['c', 3]]], { ...P, init: [] });
    assert.equal(await c.call('AtomicMap', 'm', 'remove', ['a', 1]), true);
    assert.equal(await c.call('AtomicMap', 'm', 'replace', ['b', 20]), 2);
    await c.call('AtomicList', 'l', 'size', [], { ...P, init: [[1, 2, 3, 2, 4]] });
    assert.equal(await c.call('AtomicList', 'l', 'removeAll', [[2]]), true);
    assert.equal(await c.call('AtomicList', 'l', 'insertAll', [1, ['x', 'y']]), true);
    assert.equal(await c.call('AtomicList', 'l', 'retainAll', [[1, 'y', 4]]), true);
    await c.call('AtomicByteArray', 'b', 'length', [], { ...P, init: [3] });
    assert.equal(await c.call('AtomicByteArray', 'b', 'decrementAndGet', [0]), 255);
    assert.equal(await c.call('AtomicByteArray', 'b', 'getAndIncrement', [2]), 0);
    await stop();

    c = await start();
    assert.deepEqual(await c.call('AtomicTreeMap', 'tm', 'entries', []), [[2, 'B'], [3, 'c']]);
    assert.deepEqual(await c.call('AtomicTreeMap', 'tm', 'firstKey', []), 2);
    assert.deepEqual(await c.call('AtomicMap', 'm', 'entries', []), [['b', 20], ['c', 3]]);
    assert.deepEqual(await c.call('AtomicList', 'l', 'toArray', []), [1, 'y', 4]);
    assert.deepEqual([...(await c.call('AtomicByteArray', 'b', 'getAll', [])) as Uint8Array], [255, 0, 1]);
  });
});
