/**
 * A call whose changes cannot be made durable (here: the region is full) is answered with the
 * error and leaves the object exactly as the region has it, for every kind of persistent
 * storage: map entries (even a vector summed in place), tree-map keys, list elements, a snapshot.
 * The node keeps serving, and a restart finds the same state.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso, type DsoNode } from 'crucial/node';

const P = { persistent: true };
const chunk = (i: number) => `${i}:`.padEnd(48 * 1024, 'z');

describe('dso persistence - a failed commit leaves memory as the region has it', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-rollback-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function open(pmem: string): Promise<{ node: DsoNode; c: Connection }> {
    const node = await startDso({ port: 0, pmemPath: pmem, pmemSizeBytes: 4 << 20 });
    return { node, c: connect(node.address) };
  }

  async function state(c: Connection): Promise<unknown[]> {
    return [
      await c.call('AtomicMap', 'm', 'entries', []),
      await c.call('AtomicTreeMap', 't', 'entries', []),
      await c.call('AtomicList', 'l', 'toArray', []),
      await c.call('AtomicReference', 'r', 'get', []),
    ];
  }

  it('rollback - region full: map, tree map, list and snapshot calls fail whole, memory and region agree, the node keeps serving', async () => {
    const pmem = join(dir, 'full.pmem');
    let { node, c } = await open(pmem);
    try {
      await c.call('AtomicMap', 'm', 'put', ['vec', new Float64Array([1, 2, 3])], { ...P, init: [] });
      await c.call('AtomicTreeMap', 't', 'put', [0, 'zero'], { ...P, init: [] });
      await c.call('AtomicList', 'l', 'add', ['first'], { ...P, init: [] });
      await c.call('AtomicReference', 'r', 'set', [['small']], { ...P, init: [null] });
      // Fill the region through the list until a call is refused.
      let refused: Error | undefined;
      let last = -1;
      for (let i = 0; i < 200 && !refused; i++) await c.call('AtomicList', 'l', 'add', [chunk(i)]).then(() => { last = i; }, (e: Error) => { refused = e; });
      assert.ok(refused, 'the region filled up');
      const before = await state(c);
      // Each of these needs more room than is left: each must fail and change nothing.
      await assert.rejects(c.call('AtomicMap', 'm', 'mergeAll', [[['vec', new Float64Array([10, 10, 10])], ['big', chunk(-1).repeat(4)]], 'sum']));
      await assert.rejects(c.call('AtomicTreeMap', 't', 'putAll', [[[1, 'one'], [2, chunk(-2).repeat(4)]]]));
      await assert.rejects(c.call('AtomicList', 'l', 'insert', [0, chunk(-3).repeat(4)]));
      await assert.rejects(c.call('AtomicReference', 'r', 'set', [[chunk(-4).repeat(4)]]));
      assert.deepEqual(await state(c), before, 'memory is as the region has it (the vector summed in place is back to [1, 2, 3])');
      assert.deepEqual([...(await c.call('AtomicMap', 'm', 'get', ['vec']) as Float64Array)], [1, 2, 3]);
      // Still serving: removing the last element frees room (one entry; the reply is a boolean, a
      // small record), and a write that fits goes through.
      assert.equal(await c.call('AtomicList', 'l', 'removeValue', [chunk(last)]), true);
      assert.equal(await c.call('AtomicTreeMap', 't', 'put', [1, 'one']), null);
      const after = await state(c);
      await c.close();
      await node.close();
      ({ node, c } = await open(pmem));
      assert.deepEqual(await state(c), after, 'a restart finds what memory had');
    } finally {
      await c.close();
      await node.close();
    }
  });
});
