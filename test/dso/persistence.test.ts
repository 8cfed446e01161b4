import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicLong, AtomicMap, AtomicMatrix, CyclicBarrier, shared, connect, type Connection } from 'crucial';
import { Tally } from '../fixtures/counter-class.ts';
import { startNodeProcess } from '../../bench/lib/dso-process.ts';


const children: ChildProcess[] = [];

async function startNode(pmem: string): Promise<{ child: ChildProcess; address: string }> {
  const node = await startNodeProcess(pmem);
  children.push(node.child);
  return node;
}

describe('dso persistence on pmem', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-pmem-')); });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('persistence - acknowledged writes to persistent objects survive kill -9 and a restart', async () => {
    const pmem = join(dir, 'node.pmem');
    let node = await startNode(pmem);
    let conn: Connection = connect(node.address);
    const opts = { connection: conn, persistent: true };
    const counter = new AtomicLong('p-counter', 0, opts);
    for (let i = 0; i < 50; i++) await counter.incrementAndGet();
    const map = new AtomicMap<string, unknown>('p-map', undefined, opts);
    await map.put('w', new Float64Array([0.5, 1.5, 2.5]));
    await map.merge('n', 5, 'sum');
    await map.merge('n', 7, 'sum');
    const model = new AtomicMatrix('p-model', 2, 3, undefined, opts);
    await model.setRow(1, new Float64Array([7, 8, 9]));
    const tally = shared(Tally, 'p-tally', { ...opts, args: [100] });
    await tally.add(23);
    const ephemeral = new AtomicLong('e-counter', 9, { connection: conn });
    await ephemeral.get();
    const barrier = new CyclicBarrier('p-barrier', 2, opts);
    await barrier.getParties();

    node.child.kill('SIGKILL');
    await once(node.child, 'exit');
    await conn.close();

    node = await startNode(pmem);
    conn = connect(node.address);
    try {
      assert.equal(await new AtomicLong('p-counter', undefined, { connection: conn }).get(), 50n);
      const m = new AtomicMap<string, unknown>('p-map', undefined, { connection: conn });
      assert.deepEqual([...(await m.get('w') as Float64Array)], [0.5, 1.5, 2.5]);
      assert.equal(await m.get('n'), 12);
      assert.deepEqual([...await new AtomicMatrix('p-model', undefined, undefined, undefined, { connection: conn }).getRow(1)], [7, 8, 9]);
      // The user class comes back from the module kept in pmem, with no client having re-sent it.
      assert.equal(await conn.call('Tally', 'p-tally', 'add', [0]), 123);
      assert.equal(await new AtomicLong('e-counter', undefined, { connection: conn }).get(), 0n, 'ephemeral objects are gone');
      await assert.rejects(conn.call('CyclicBarrier', 'p-barrier', 'getParties', []), /does not exist/);
    } finally {
      await conn.close();
      node.child.kill('SIGTERM');
      await once(node.child, 'exit');
    }
  });

  it('persistence - a user object made persistent without constructor arguments stays persistent through the module upload', async () => {
    // The node lacks the class at first: the call is refused, the module uploaded, the call retried.
    // The retry must still ask for a persistent object, or its acknowledged writes die with the node.
    const pmem = join(dir, 'upload.pmem');
    let node = await startNode(pmem);
    let conn: Connection = connect(node.address);
    const tally = shared(Tally, 'p-tally-noargs', { connection: conn, persistent: true });
    assert.equal(await tally.add(7), 7);
    node.child.kill('SIGKILL');
    await once(node.child, 'exit');
    await conn.close();

    node = await startNode(pmem);
    conn = connect(node.address);
    try {
      assert.equal(await conn.call('Tally', 'p-tally-noargs', 'add', [0]), 7);
    } finally {
      await conn.close();
      node.child.kill('SIGTERM');
      await once(node.child, 'exit');
    }
  });

  it('persistence - a corrupt region file stops the node with a clear error', async () => {
    const pmem = join(dir, 'corrupt.pmem');
    writeFileSync(pmem, Buffer.alloc(1 << 20, 0x5a));
    await assert.rejects(startNode(pmem), /exited 1: .*ERR_PMEM_(CORRUPT|TRUNCATED)/s);
  });
});
