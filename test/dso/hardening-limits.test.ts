import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { DsoNode, startDso } from '../../dso/node.ts';
import { InvalidOptionError } from '../../core/protocol/errors.ts';
import { startNode, callOrExit, RawClient, type HardenedNode } from './hardening-process.ts';

const code = (a: { ok: boolean }) => (a as { error?: { code?: string } }).error?.code;

describe('dso hardening - per-call limits, default node process', () => {
  let proc: HardenedNode;
  let c: RawClient;
  before(async () => { proc = await startNode(); c = new RawClient(proc.address, randomBytes(8)); });
  after(async () => { c.close(); await proc.stop(); });

  it('hardening limits - AtomicLong.multiply(3, 1e308) is refused with ERR_LIMIT and the node answers the next call', async () => {
    const a = await callOrExit(proc, c, 1, 'AtomicLong', 'm', 'multiply', [3, 1e308], { init: [1] });
    assert.equal(code(a), 'ERR_LIMIT');
    assert.deepEqual(await callOrExit(proc, c, 2, 'AtomicLong', 'm', 'get', []), { ok: true, value: 1n });
  });

  it('hardening limits - a 54-byte AtomicByteArray(2^29) is refused with ERR_LIMIT, not allocated', async () => {
    const frames = c.frames(3, 'AtomicByteArray', 'b', 'length', [], { init: [2 ** 29] });
    assert.ok(frames[0]!.byteLength < 64);
    const a = await callOrExit(proc, c, 3, 'AtomicByteArray', 'b', 'length', [], { init: [2 ** 29] });
    assert.equal(code(a), 'ERR_LIMIT');
    assert.equal(code(await callOrExit(proc, c, 4, 'AtomicMatrix', 'mx', 'shape', [], { init: [8192, 8192] })), 'ERR_LIMIT');
  });
});

describe('dso hardening - per-call limits from the command line', () => {
  it('hardening limits - crucial dso start --max-work 1000 --max-object-bytes 4096 enforces both', async () => {
    const proc = await startNode(['--max-work', '1000', '--max-object-bytes', '4096']);
    const c = new RawClient(proc.address, randomBytes(8));
    try {
      assert.deepEqual(await callOrExit(proc, c, 1, 'AtomicLong', 'm', 'multiply', [3, 1000], { init: [1] }), { ok: true, value: BigInt.asIntN(64, 3n ** 1000n) });
      assert.equal(code(await callOrExit(proc, c, 2, 'AtomicLong', 'm', 'multiply', [3, 1001])), 'ERR_LIMIT');
      assert.equal(code(await callOrExit(proc, c, 3, 'AtomicByteArray', 'b', 'length', [], { init: [4097] })), 'ERR_LIMIT');
    } finally {
      c.close();
      await proc.stop();
    }
  });
});

describe('dso hardening - per-call limits are options', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => { node = await startDso({ port: 0, maxWorkPerCall: 1000, maxObjectBytes: 4096 }); c = new RawClient(node.address, randomBytes(8)); });
  after(async () => { c.close(); await node.close(); });

  it('hardening limits - a node started with maxWorkPerCall 1000 runs multiply(3, 1000) exactly and refuses 1001', async () => {
    assert.deepEqual(await c.send(1, c.frames(1, 'AtomicLong', 'm', 'multiply', [3, 1000], { init: [1] })), { ok: true, value: BigInt.asIntN(64, 3n ** 1000n) });
    assert.equal(code(await c.send(2, c.frames(2, 'AtomicLong', 'm', 'multiply', [3, 1001]))), 'ERR_LIMIT');
  });

  it('hardening limits - maxObjectBytes 4096 allows a 4096-byte array and refuses 4097 bytes, and a concat past it', async () => {
    assert.deepEqual(await c.send(3, c.frames(3, 'AtomicByteArray', 'ok', 'length', [], { init: [4096] })), { ok: true, value: 4096 });
    assert.equal(code(await c.send(4, c.frames(4, 'AtomicByteArray', 'big', 'length', [], { init: [4097] }))), 'ERR_LIMIT');
    assert.equal(node.store.instanceOf('AtomicByteArray', 'big'), undefined);
    const first = await c.send(5, c.frames(5, 'AtomicMap', 'mp', 'merge', ['k', new Uint8Array(3000), 'concat']));
    assert.ok(first.ok && first.value instanceof Uint8Array && first.value.byteLength === 3000);
    assert.equal(code(await c.send(6, c.frames(6, 'AtomicMap', 'mp', 'merge', ['k', new Uint8Array(3000), 'concat']))), 'ERR_LIMIT');
  });

  it('hardening limits - limits that are not positive integers are refused at construction', async () => {
    assert.throws(() => new DsoNode({ port: 0, maxWorkPerCall: 0 }), InvalidOptionError);
    assert.throws(() => new DsoNode({ port: 0, maxObjectBytes: 1.5 }), InvalidOptionError);
  });
});

describe('dso hardening - timeouts past what a timer can hold', () => {
  it('hardening limits - tryAcquire with a timeout of 1e308 ms or Infinity waits (it is not timed out after 1 ms)', async () => {
    const node = await startDso({ port: 0 });
    const c = new RawClient(node.address, randomBytes(8));
    try {
      const waiting = [c.send(1, c.frames(1, 'Semaphore', 's', 'tryAcquire', [1, 1e308], { init: [0] })), c.send(2, c.frames(2, 'Semaphore', 's', 'tryAcquire', [1, Infinity]))];
      // Both are parked: a release of 2 permits answers both with true (a timed-out one would answer false first).
      assert.deepEqual(await c.send(3, c.frames(3, 'Semaphore', 's', 'getQueueLength', [])), { ok: true, value: 2 });
      assert.deepEqual(await c.send(4, c.frames(4, 'Semaphore', 's', 'release', [2])), { ok: true, value: null });
      assert.deepEqual(await Promise.all(waiting), [{ ok: true, value: true }, { ok: true, value: true }]);
    } finally {
      c.close();
      await node.close();
    }
  });
});
