/**
 * Each persistence strategy against real node processes: state written through the wire survives
 * SIGKILL and a restart; a matrix comes back mapped in place; a map put writes one entry; a torn
 * or corrupt region is refused.
 */
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso, type DsoNode } from 'crucial/node';
import { PersistentStore } from '../../dso/persistence/store.ts';
import type { PersistenceStats } from '../../dso/persistence/strategies.ts';
import { startNodeProcess } from '../../bench/lib/dso-process.ts';

const P = { persistent: true };

interface Proc { child: ChildProcess; address: string; conn: Connection }
const children: ChildProcess[] = [];

/** Starts `crucial dso start --pmem FILE` in a child process and connects to it. */
async function startNode(pmem: string): Promise<Proc> {
  const { child, address } = await startNodeProcess(pmem);
  children.push(child);
  return { child, address, conn: connect(address) };
}

async function kill9(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  if (p.child.exitCode === null && p.child.signalCode === null) await once(p.child, 'exit');
  await p.conn.close();
}

async function stop(p: Proc): Promise<void> {
  await p.conn.close();
  p.child.kill('SIGTERM');
  if (p.child.exitCode === null && p.child.signalCode === null) await once(p.child, 'exit');
}

/** An in-process node on `pmem`, for the checks that read the store's counters. */
async function startLocal(pmem: string): Promise<{ node: DsoNode; conn: Connection; stats: PersistenceStats }> {
  const node = await startDso({ port: 0, pmemPath: pmem });
  return { node, conn: connect(node.address), stats: node.store.persistence!.stats };
}

const delta = (after: PersistenceStats, before: PersistenceStats) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof PersistenceStats]])) as unknown as PersistenceStats;

describe('dso persistence strategies on pmem', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-pstrat-')); });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('persistence - every strategy (scalar, map, tree map, list, matrix, snapshot) survives kill -9 and a restart', async () => {
    const pmem = join(dir, 'all.pmem');
    let n = await startNode(pmem);
    let c = n.conn;
    // Scalars: one 8-byte cell each.
    await c.call('AtomicLong', 'long', 'set', [-(2n ** 63n)], { ...P, init: [0] });
    await c.call('AtomicLong', 'long', 'addAndGet', [-1]); // wraps to 2^63-1
    await c.call('AtomicLong', 'minus-one', 'decrementAndGet', [], { ...P, init: [0] });
    await c.call('AtomicInt', 'int', 'addAndGet', [-41], { ...P, init: [1] });
    await c.call('AtomicBoolean', 'bool', 'compareAndSet', [false, true], { ...P, init: [false] });
    await c.call('AtomicCounter', 'counter', 'increment', [2 ** 40], { ...P, init: [1] });
    // Maps: entry by entry; number and string keys stay apart; insertion order is kept.
    await c.call('AtomicMap', 'map', 'put', ['z', 'first'], { ...P, init: [[[5, 'five']]] });
    await c.call('AtomicMap', 'map', 'put', ['5', 'string five']);
    await c.call('AtomicMap', 'map', 'merge', ['sum', 2, 'sum']);
    await c.call('AtomicMap', 'map', 'mergeAll', [[['sum', 3], ['w', new Float64Array([1, 2])]], 'sum']);
    await c.call('AtomicMap', 'map', 'mergeAll', [[['w', new Float64Array([10, 20])]], 'sum']);
    await c.call('AtomicMap', 'map', 'putAll', [[['gone', 1], ['a', { nested: [1, 'x'] }]]]);
    await c.call('AtomicMap', 'map', 'remove', ['gone']);
    await c.call('AtomicMap', 'map', 'put', ['z', 'moved? no, replaced in place']);
    await c.call('AtomicTreeMap', 'tree', 'size', [], { ...P, init: [[['b', 2], ['a', 1], [3, 'three']]] });
    await c.call('AtomicTreeMap', 'tree', 'remove', ['b']);
    await c.call('AtomicTreeMap', 'tree', 'put', [-1, 'minus one']);
    // List: appends write one entry, an insert rewrites the shifted tail.
    await c.call('AtomicList', 'list', 'addAll', [[1, 2, 3, 4]], { ...P, init: [['a']] });
    await c.call('AtomicList', 'list', 'insert', [1, 'ins']);
    await c.call('AtomicList', 'list', 'remove', [3]);
    await c.call('AtomicList', 'list', 'set', [0, 'A']);
    await c.call('AtomicList', 'list', 'add', [null]);
    // Matrix: in place, failure-atomic per call.
    await c.call('AtomicMatrix', 'mx', 'setRow', [1, new Float64Array([7, 8, 9])], { ...P, init: [3, 3, [1, 1, 1, 1, 1, 1, 1, 1, 1]] });
    await c.call('AtomicMatrix', 'mx', 'addToRow', [2, [0.5, 0.5, 0.5]]);
    await c.call('AtomicMatrix', 'mx', 'set', [0, 2, -3]);
    assert.equal(await c.call('AtomicMatrix', 'mx', 'add', [0, 2, 1]), -2);
    // Snapshot fallback.
    await c.call('AtomicReference', 'ref', 'set', [{ model: 'v2', acc: 0.93 }], { ...P, init: [null] });
    await c.call('AtomicByteArray', 'bytes', 'set', [1, 42], { ...P, init: [4] });
    await kill9(n);

    n = await startNode(pmem);
    c = n.conn;
    assert.equal(await c.call('AtomicLong', 'long', 'get', []), 2n ** 63n - 1n);
    assert.equal(await c.call('AtomicLong', 'minus-one', 'get', []), -1n);
    assert.equal(await c.call('AtomicInt', 'int', 'get', []), -40);
    assert.equal(await c.call('AtomicBoolean', 'bool', 'get', []), true);
    assert.equal(await c.call('AtomicCounter', 'counter', 'tally', []), 2 ** 40 + 1);
    const entries = await c.call('AtomicMap', 'map', 'entries', []) as [unknown, unknown][];
    assert.deepEqual(entries.map((e) => e[0]), [5, 'z', '5', 'sum', 'w', 'a']);
    assert.equal(await c.call('AtomicMap', 'map', 'get', [5]), 'five');
    assert.equal(await c.call('AtomicMap', 'map', 'get', ['5']), 'string five');
    assert.equal(await c.call('AtomicMap', 'map', 'get', ['sum']), 5);
    assert.deepEqual([...await c.call('AtomicMap', 'map', 'get', ['w']) as Float64Array], [11, 22]);
    assert.deepEqual(await c.call('AtomicMap', 'map', 'get', ['a']), { nested: [1, 'x'] });
    assert.equal(await c.call('AtomicMap', 'map', 'containsKey', ['gone']), false);
    assert.deepEqual(await c.call('AtomicTreeMap', 'tree', 'entries', []), [[-1, 'minus one'], [3, 'three'], ['a', 1]]);
    assert.deepEqual(await c.call('AtomicList', 'list', 'toArray', []), ['A', 'ins', 1, 3, 4, null]);
    assert.deepEqual([...await c.call('AtomicMatrix', 'mx', 'toArray', []) as Float64Array], [1, 1, -2, 7, 8, 9, 1.5, 1.5, 1.5]);
    assert.deepEqual(await c.call('AtomicReference', 'ref', 'get', []), { model: 'v2', acc: 0.93 });
    assert.equal(await c.call('AtomicByteArray', 'bytes', 'get', [1]), 42);

    // Clearing rebuilds a container aside; it stays cleared, and usable, across another kill.
    await c.call('AtomicMap', 'map', 'clear', []);
    await c.call('AtomicMap', 'map', 'put', ['after', 1]);
    await c.call('AtomicList', 'list', 'clear', []);
    await c.call('AtomicTreeMap', 'tree', 'clear', []);
    await c.call('AtomicLong', 'long', 'incrementAndGet', []); // wraps to -2^63
    await kill9(n);

    n = await startNode(pmem);
    c = n.conn;
    try {
      assert.deepEqual(await c.call('AtomicMap', 'map', 'entries', []), [['after', 1]]);
      assert.deepEqual(await c.call('AtomicList', 'list', 'toArray', []), []);
      assert.equal(await c.call('AtomicTreeMap', 'tree', 'size', []), 0);
      assert.equal(await c.call('AtomicLong', 'long', 'get', []), -(2n ** 63n));
    } finally {
      await stop(n);
    }
  });

  it('persistence - a 1000-row matrix comes back equal after kill -9, served from the mapped region with nothing decoded', async () => {
    const pmem = join(dir, 'model.pmem');
    const rows = 1000, cols = 64;
    const model = new Float64Array(rows * cols).map((_, i) => Math.sin(i) * 1e3);
    const n = await startNode(pmem);
    await n.conn.call('AtomicMatrix', 'model', 'shape', [], { ...P, init: [rows, cols, model] });
    for (let r = 0; r < rows; r += 97) {
      const row = new Float64Array(cols).fill(r + 0.25);
      model.set(row, r * cols);
      await n.conn.call('AtomicMatrix', 'model', 'setRow', [r, row]);
    }
    await kill9(n);

    const local = await startLocal(pmem);
    try {
      const persistence = local.node.store.persistence!;
      assert.equal(local.stats.valuesDecoded, 0, 'nothing was decoded at start-up');
      assert.equal(local.stats.restoredInPlace, 1);
      assert.ok(persistence.inPlace('AtomicMatrix', 'model'), "the restored object's data is a view of the region's mapping");
      assert.deepEqual(await local.conn.call('AtomicMatrix', 'model', 'toArray', []), model);
      const before = { ...local.stats };
      await local.conn.call('AtomicMatrix', 'model', 'setRow', [999, new Float64Array(cols).fill(-1)]);
      const d = delta(local.stats, before);
      assert.equal(d.entriesWritten, 1);
      assert.equal(d.bytesWritten, 8 * cols, 'a row update writes that row only');
      assert.ok(persistence.inPlace('AtomicMatrix', 'model'), 'still in place after a write');
      assert.deepEqual([...await local.conn.call('AtomicMatrix', 'model', 'getRow', [999]) as Float64Array], new Array(cols).fill(-1));
    } finally {
      await local.conn.close();
      await local.node.close();
    }
  });

  it('persistence - one put into a map of 1,000 entries writes only that entry, and a read writes nothing', async () => {
    const local = await startLocal(join(dir, 'map.pmem'));
    const c = local.conn;
    try {
      const big = Array.from({ length: 1000 }, (_, i) => [`key-${i}`, { i, name: `value number ${i}` }]);
      await c.call('AtomicMap', 'big', 'putAll', [big], { ...P, init: [] });
      assert.equal(await c.call('AtomicMap', 'big', 'size', []), 1000);

      let before = { ...local.stats };
      await c.call('AtomicMap', 'big', 'put', ['key-500', 'replaced']);
      let d = delta(local.stats, before);
      assert.equal(d.entriesWritten, 1, 'one entry written');
      assert.ok(d.bytesWritten > 0 && d.bytesWritten < 64, `${d.bytesWritten} bytes written for one small entry`);
      assert.equal(d.commits, 1);

      before = { ...local.stats };
      await c.call('AtomicMap', 'big', 'get', ['key-1']);
      await c.call('AtomicMap', 'big', 'entries', []);
      assert.deepEqual(delta(local.stats, before), { ...delta(before, before) }, 'reads write nothing');

      before = { ...local.stats };
      await c.call('AtomicMap', 'big', 'mergeAll', [[['key-1', 1], ['key-2', 2], ['new', 3]], 'replace']);
      d = delta(local.stats, before);
      assert.equal(d.entriesWritten, 3, 'mergeAll writes the entries it touched');
      assert.equal(d.commits, 1, '... in one failure-atomic block');

      before = { ...local.stats };
      await c.call('AtomicLong', 'n', 'incrementAndGet', [], { ...P, init: [0] });
      before = { ...local.stats };
      await c.call('AtomicLong', 'n', 'incrementAndGet', []);
      await c.call('AtomicLong', 'n', 'get', []);
      await c.call('AtomicLong', 'n', 'compareAndSet', [99, 100]);
      d = delta(local.stats, before);
      assert.deepEqual([d.entriesWritten, d.bytesWritten], [1, 8], 'a scalar write is one 8-byte cell; reads and failed CAS write nothing');

      before = { ...local.stats };
      await c.call('AtomicList', 'l', 'addAll', [Array.from({ length: 1000 }, (_, i) => i)], { ...P, init: [] });
      before = { ...local.stats };
      await c.call('AtomicList', 'l', 'add', ['tail']);
      await c.call('AtomicList', 'l', 'set', [10, 'ten']);
      assert.equal(delta(local.stats, before).entriesWritten, 2, 'an append and a set write one entry each');
    } finally {
      await c.close();
      await local.node.close();
    }
    // Nothing half-written: a fresh node sees the same map.
    const again = await startLocal(join(dir, 'map.pmem'));
    try {
      assert.equal(await again.conn.call('AtomicMap', 'big', 'get', ['key-500']), 'replaced');
      assert.equal(await again.conn.call('AtomicMap', 'big', 'size', []), 1001);
      assert.equal(await again.conn.call('AtomicList', 'l', 'get', [10]), 'ten');
      assert.equal(await again.conn.call('AtomicList', 'l', 'size', []), 1001);
    } finally {
      await again.conn.close();
      await again.node.close();
    }
  });

  it('persistence - matrix rows and mergeAll blocks are never torn by kill -9 in the middle of a stream of calls', async () => {
    const pmem = join(dir, 'torn.pmem');
    const rows = 8, cols = 512, keys = 16;
    const acked = new Array<number>(rows).fill(0);
    let mergesAcked = 0;
    for (let round = 0; round < 3; round++) {
      const n = await startNode(pmem);
      const c = n.conn;
      await c.call('AtomicMatrix', 'm', 'shape', [], { ...P, init: [rows, cols] });
      await c.call('AtomicMap', 'agg', 'size', [], { ...P, init: [] });
      let stopped = false;
      const before = { rows: acked.slice(), merges: mergesAcked };
      const writer = async (r: number) => {
        for (let v = acked[r]! + 1; !stopped; v++) {
          await c.call('AtomicMatrix', 'm', 'setRow', [r, new Float64Array(cols).fill(v)]);
          acked[r] = v;
        }
      };
      const merger = async () => {
        while (!stopped) {
          await c.call('AtomicMap', 'agg', 'mergeAll', [Array.from({ length: keys }, (_, k) => [`k${k}`, 1]), 'sum']);
          mergesAcked++;
        }
      };
      // Only the calls cut off by the kill may fail; anything that failed before it is a bug.
      const failures: unknown[] = [];
      const loops = [...Array.from({ length: rows }, (_, r) => writer(r)), merger()].map((p) => p.catch((err) => { if (!stopped) failures.push(err); }));
      // Kill once every writer has had writes acknowledged (and a little later each round).
      while (acked.some((v, r) => v < before.rows[r]! + 1 + round) || mergesAcked < before.merges + 1 + round) {
        if (failures.length > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      stopped = true;
      await kill9(n);
      await Promise.all(loops);
      assert.deepEqual(failures, [], `round ${round}: no call failed before the kill`);
      assert.ok(acked.every((v, r) => v > before.rows[r]!), `round ${round}: every row writer had writes acknowledged`);
      assert.ok(mergesAcked > before.merges, `round ${round}: mergeAll calls were acknowledged`);
    }
    const n = await startNode(pmem);
    try {
      const data = await n.conn.call('AtomicMatrix', 'm', 'toArray', []) as Float64Array;
      for (let r = 0; r < rows; r++) {
        const row = data.subarray(r * cols, (r + 1) * cols);
        assert.ok(row.every((x) => x === row[0]), `row ${r} is whole`);
        // At most the one call in flight at the kill went further than the last acknowledgement.
        assert.ok(row[0] === acked[r] || row[0] === acked[r]! + 1, `row ${r} holds its last acknowledged write (${row[0]} vs ${acked[r]})`);
      }
      const agg = await n.conn.call('AtomicMap', 'agg', 'entries', []) as [string, number][];
      assert.equal(agg.length, keys);
      assert.ok(agg.every(([, v]) => v === agg[0]![1]), `every key of a mergeAll moved together: ${agg.map((e) => e[1]).join(',')}`);
      assert.ok(agg[0]![1] >= mergesAcked, `every acknowledged mergeAll is there (${agg[0]![1]} >= ${mergesAcked})`);
      assert.ok(agg[0]![1] <= mergesAcked + 3, 'and at most one unacknowledged one per kill');
    } finally {
      await stop(n);
    }
  });

  it('persistence - a region cut short is refused at start with ERR_PMEM_TRUNCATED', async () => {
    const pmem = join(dir, 'cut.pmem');
    const n = await startNode(pmem);
    await n.conn.call('AtomicLong', 'x', 'incrementAndGet', [], { ...P, init: [0] });
    await stop(n);
    truncateSync(pmem, Math.floor(statSync(pmem).size / 2));
    await assert.rejects(startNode(pmem), /exited 1: .*ERR_PMEM_TRUNCATED/s);
  });
});

describe('dso persistence - regions written as whole snapshots', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-pmig-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('persistence - objects stored as whole snapshots move to their in-place form when the node restarts', async () => {
    const pmem = join(dir, 'old.pmem');
    const old = await startDso({ port: 0 });
    const store = await PersistentStore.open(pmem, { sizeBytes: 64 << 20, wholeSnapshots: true });
    old.store.persistence = store;
    const c = connect(old.address);
    await c.call('AtomicMap', 'm', 'put', [1, 'one'], { ...P, init: [[['z', 26]]] });
    await c.call('AtomicMatrix', 'x', 'setRow', [1, [3, 4]], { ...P, init: [2, 2] });
    await c.call('AtomicLong', 'n', 'addAndGet', [41], { ...P, init: [1] });
    await c.close();
    await old.close();
    store.close();

    const local = await startLocal(pmem);
    try {
      assert.equal(local.stats.restoredByDecode, 3, 'each snapshot was decoded once');
      assert.deepEqual(await local.conn.call('AtomicMap', 'm', 'entries', []), [['z', 26], [1, 'one']]);
      assert.ok(local.node.store.persistence!.inPlace('AtomicMatrix', 'x'));
      assert.equal(await local.conn.call('AtomicLong', 'n', 'get', []), 42n);
    } finally {
      await local.conn.close();
      await local.node.close();
    }
    const again = await startLocal(pmem);
    try {
      assert.equal(again.stats.valuesDecoded, 2, 'only the two map entries are decoded now');
      assert.equal(again.stats.restoredInPlace, 2);
      assert.deepEqual([...await again.conn.call('AtomicMatrix', 'x', 'toArray', []) as Float64Array], [0, 0, 3, 4]);
    } finally {
      await again.conn.close();
      await again.node.close();
    }
  });
});
