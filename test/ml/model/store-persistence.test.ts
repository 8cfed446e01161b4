/**
 * Models in pmem: published to a node process started with --pmem, the node killed with SIGKILL
 * right after publish returned, restarted on the same region, and every version loaded back bit
 * for bit; and (in process, where the node's counters are visible) the arrays come back mapped in
 * place from the region, not decoded.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso } from 'crucial/node';
import { kill9, startNodeProcess, type NodeProcess } from '../../../bench/lib/dso-process.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { SEED, assertSameModel, forestModel, taggedModel } from './models.ts';

describe('ml/model/store persistence (--pmem)', function () {
  this.timeout(120_000);
  let dir = '';
  const nodes: NodeProcess[] = [];
  const conns: Connection[] = [];
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-ml-store-')); });
  afterEach(function () { if (this.currentTest?.state === 'failed') console.log(`    replay with ML_TEST_SEED=${SEED}`); });
  after(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await Promise.all(nodes.map((n) => kill9(n)));
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (pmem: string, port = 0) => {
    const node = await startNodeProcess(pmem, port);
    nodes.push(node);
    const conn = connect(node.address);
    conns.push(conn);
    return { node, store: new ModelStore({ connection: conn }) };
  };

  it('store persistence - every published version survives kill -9 and a restart, bit for bit, with the same latest', async () => {
    const pmem = join(dir, 'killed.pmem');
    const nNodes = process.env.CI ? 20_000 : 100_000; // a forest of ~10^5 nodes
    const v1 = forestModel(SEED, nNodes);
    const v2 = forestModel(SEED + 1, nNodes / 2, 5);
    let { node, store } = await open(pmem);
    assert.equal(await store.publish('forest', v1), 1);
    assert.equal(await store.publish('forest', v2), 2);
    assert.equal(await store.publish('centroids', taggedModel(4, 8, 8)), 1);
    // Killed right after the last acknowledged publish: no clean close, nothing flushed at exit.
    await kill9(node);
    ({ node, store } = await open(pmem));
    assert.deepEqual(await store.list(), ['centroids', 'forest']);
    assert.equal(await store.latestVersion('forest'), 2);
    assert.deepEqual(await store.versions('forest'), [1, 2]);
    assertSameModel(await store.load('forest', 1), v1, 'v1');
    assertSameModel(await store.load('forest'), v2, 'v2');
    assertSameModel(await store.load('centroids'), taggedModel(4, 8, 8), 'centroids');
    // Publishing goes on from where it was: version numbers are not reused after the restart.
    assert.equal(await store.publish('forest', v1), 3);
    await kill9(node);
    ({ store } = await open(pmem));
    assert.deepEqual(await store.versions('forest'), [1, 2, 3]);
    assertSameModel(await store.load('forest'), v1, 'v3');
  });

  it('store persistence - a node killed -9 in the middle of a publish restarts with the previous version as latest, whole', async () => {
    const pmem = join(dir, 'midway.pmem');
    const v1 = forestModel(SEED + 5, 2000);
    let { node, store } = await open(pmem);
    assert.equal(await store.publish('midway', v1), 1);
    // A connection that kills the node as soon as the first array of the next version is written:
    // the version is allocated and partly stored, its manifest and the index not yet.
    const conn = connect(node.address);
    conns.push(conn);
    let killing: Promise<void> | undefined;
    const killer = Object.create(conn, { call: { value: (type: string, key: string, method: string, args: unknown[], o?: object) => {
      const reply = conn.call(type, key, method, args, o);
      if (type === 'AtomicMatrix' && !killing) killing = reply.then(() => kill9(node));
      return reply;
    } } }) as Connection;
    await assert.rejects(new ModelStore({ connection: killer }).publish('midway', forestModel(SEED + 6, 2000)));
    await killing;
    ({ node, store } = await open(pmem));
    assert.equal(await store.latestVersion('midway'), 1);
    assert.deepEqual(await store.versions('midway'), [1]);
    assertSameModel(await store.load('midway'), v1);
    // Version 2 was handed out before the crash: the next publish does not reuse it.
    assert.equal(await store.publish('midway', v1), 3);
  });

  it('store persistence - at restart the arrays are mapped from the region in place, only the small JSON parts are decoded', async () => {
    const pmem = join(dir, 'inplace.pmem');
    const model = forestModel(SEED + 2, 4000);
    let node = await startDso({ host: '127.0.0.1', port: 0, pmemPath: pmem });
    let conn = connect(node.address);
    await new ModelStore({ connection: conn }).publish('mapped', model);
    await conn.close();
    await node.close();
    node = await startDso({ host: '127.0.0.1', port: 0, pmemPath: pmem });
    conn = connect(node.address);
    try {
      const persistence = node.store.persistence!;
      const arrays = Object.keys(model.arrays);
      for (const a of arrays) assert.ok(persistence.inPlace('AtomicMatrix', `ml/model/mapped/v1/${a}`), `${a} is not a view of the mapping`);
      // Decoded at start: the two maps' entries (index, manifest) and the version counter, nothing per array element.
      assert.ok(persistence.stats.valuesDecoded <= 3, `values decoded at restart: ${persistence.stats.valuesDecoded}`);
      assertSameModel(await new ModelStore({ connection: conn }).load('mapped'), model);
    } finally {
      await conn.close();
      await node.close();
    }
  });

  it('store persistence - a publish that does not fit in the region fails and leaves the latest version whole', async () => {
    const pmem = join(dir, 'small.pmem');
    const node = await startDso({ host: '127.0.0.1', port: 0, pmemPath: pmem, pmemSizeBytes: 8 * 2 ** 20 });
    const conn = connect(node.address);
    try {
      const store = new ModelStore({ connection: conn });
      const small = forestModel(SEED + 3, 1000);
      assert.equal(await store.publish('bounded', small), 1);
      // ~9.6 MB of arrays into an 8 MiB region: some arrays are written, then one is refused.
      await assert.rejects(store.publish('bounded', forestModel(SEED + 4, 200_000)), /full/);
      assert.equal(await store.latestVersion('bounded'), 1);
      assert.deepEqual(await store.versions('bounded'), [1]);
      assertSameModel(await store.load('bounded'), small);
    } finally {
      await conn.close();
      await node.close();
    }
  });
});
