import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { BUILTIN_TYPES } from '../../core/protocol/schema/types.ts';
import { WaitQueue } from '../../dso/objects/waiters.ts';
import { startNode, callOrExit, RawClient, type HardenedNode } from './hardening-process.ts';

describe('dso hardening - opts.state', () => {
  let proc: HardenedNode;
  let c: RawClient;
  before(async () => {
    proc = await startNode();
    c = new RawClient(proc.address, randomBytes(8));
  });
  after(async () => { c.close(); await proc.stop(); });

  it('hardening state - a Semaphore with a crafted queue is refused with ERR_BAD_ARGUMENT and the node outlives the timeout it set', async () => {
    const crafted = await callOrExit(proc, c, 1, 'Semaphore', 'crafted', 'tryAcquire', [1, 50], { state: { queue: {}, permits: 0 } });
    assert.equal(crafted.ok, false);
    assert.equal((crafted as { error: { code?: string } }).error.code, 'ERR_BAD_ARGUMENT');
    // A timer of the node's own, longer than the crafted one: the process must still be there to answer it.
    const timed = await callOrExit(proc, c, 2, 'Semaphore', 'honest', 'tryAcquire', [1, 200], { init: [0] });
    assert.deepEqual(timed, { ok: true, value: false });
    const alive = await callOrExit(proc, c, 3, 'AtomicLong', 'alive', 'incrementAndGet', []);
    assert.deepEqual(alive, { ok: true, value: 1n });
  });
});

describe('dso hardening - last-resort guard of a node process', () => {
  let proc: HardenedNode;
  let c: RawClient;
  before(async () => {
    proc = await startNode(['--modules', fileURLToPath(new URL('../fixtures/hardening/', import.meta.url))]);
    c = new RawClient(proc.address, randomBytes(8));
  });
  after(async () => { c.close(); await proc.stop(); });

  it('hardening state - a user object that throws in its own timer and drops a rejection leaves the node serving, and the node says so', async () => {
    assert.deepEqual(await callOrExit(proc, c, 1, 'TimerBomb', 'b', 'arm', [20]), { ok: true, value: null });
    assert.deepEqual(await callOrExit(proc, c, 2, 'TimerBomb', 'b', 'dropRejection', []), { ok: true, value: null });
    // A wait on the node's own timer, past the bomb's: the process must still be there to answer.
    assert.deepEqual(await callOrExit(proc, c, 3, 'Semaphore', 'wait', 'tryAcquire', [1, 200], { init: [0] }), { ok: true, value: false });
    assert.deepEqual(await callOrExit(proc, c, 4, 'TimerBomb', 'b', 'ping', []), { ok: true, value: 'pong' });
    assert.match(proc.output(), /threw outside any call; the node keeps serving: Error: boom in a timer/);
    assert.match(proc.output(), /promise rejection unhandled; the node keeps serving: Error: a rejection nobody handles/);
  });
});

describe('dso hardening - state of every built-in type', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => { node = await startDso({ port: 0 }); c = new RawClient(node.address, randomBytes(8)); });
  after(async () => { c.close(); await node.close(); });

  it('hardening state - opts.state is refused for every built-in type, the object is not created', async () => {
    let seq = 0;
    const types = [...Object.keys(BUILTIN_TYPES)];
    assert.ok(types.length >= 15);
    for (const type of types) {
      const a = await c.send(++seq, c.frames(seq, type, 'st', '$touch', [], { state: { value: 1 } }));
      assert.equal(a.ok, false, type);
      assert.equal((a as { error: { code?: string } }).error.code, 'ERR_BAD_ARGUMENT', type);
      assert.equal(node.store.instanceOf(type, 'st'), undefined, type);
    }
  });
});

describe('dso hardening - waiter timeouts', () => {
  it('hardening state - a timeout hook that throws fails that waiter only', async () => {
    const q = new WaitQueue<number>();
    const boom = new Error('hook failed');
    const failing = q.wait(1, 'w', () => { throw boom; });
    const other = q.wait(undefined, 'other');
    await assert.rejects(failing, (e) => e === boom);
    assert.equal(q.size, 1);
    q.wakeOne(7);
    assert.equal(await other, 7);
  });
});
