import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { loadArrow } from '../../../core/protocol/wire/arrow.ts';
import { WireCodec } from '../../../core/protocol/wire/codec.ts';
import { parseReply } from '../../../core/protocol/wire/reply.ts';
import { Kind } from '../../../core/protocol/wire/protocol.ts';
import { framePoolStats } from '../../../core/protocol/transport/frame-pool.ts';
import { AtomicReference, connect, releaseArray } from '../../../core/index.ts';
import { RawClient } from '../hardening-process.ts';
import type { Answer } from '../../../bench/lib/dso-process.ts';
import { RawDealer } from '../hardening-raw-zmtp.ts';

/** Element i of the array numbered `n`: each array's bytes differ from every other's everywhere. */
const filled = (len: number, n: number) => Float64Array.from({ length: len }, (_, i) => n * 1e7 + i);
const firstWrong = (a: Float64Array, n: number) => a.findIndex((x, i) => x !== n * 1e7 + i);
/** The value of an OK answer (an error answer fails the test). */
const valueOf = (a: Answer): Float64Array => { if (!a.ok) throw a.error; return a.value as Float64Array; };

describe('atomic-reference - large values a set replaces go back to the receive pool', () => {
  let node: DsoNode;
  let writer: RawClient;
  before(async () => { await loadArrow(); node = await startDso({ port: 0, insecure: true }); writer = new RawClient(node.address, randomBytes(8)); });
  after(async () => { writer.close(); await node.close(); });

  it('atomic-reference recycle - sets of the same size reuse the frame the previous value came in', async () => {
    const len = 256 * 1024; // 2 MiB
    let seq = 100;
    await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'stream', 'set', [filled(len, 1)]));
    const reused = framePoolStats.reused;
    for (let n = 2; n <= 6; n++) assert.equal((await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'stream', 'set', [filled(len, n)]))).ok, true);
    assert.ok(framePoolStats.reused - reused >= 4, `${framePoolStats.reused - reused} of 5 receives reused a frame`);
    const got = await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'stream', 'get', []));
    assert.equal(firstWrong(valueOf(got), 6), -1);
  });

  it('atomic-reference recycle - a get reply still being written when sets replace its value arrives intact', async () => {
    // Larger than the loopback socket buffers: the node's write of the reply stays in flight while the reader does not read.
    const len = 3 * 1024 * 1024; // 24 MiB
    let seq = 1;
    assert.equal((await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'big', 'set', [filled(len, 1)]), 30_000)).ok, true);
    const reader = await RawDealer.open(node.address);
    try {
      // Stop reading at the reply's first bytes: the node has run the get and is writing value 1's own frame.
      const started = once(reader.socket, 'data').then(() => reader.socket.pause());
      await reader.write(RawDealer.message(new WireCodec().encodeCall(randomBytes(8), 1, 'AtomicReference', 'big', 'get', [])));
      await started;
      // Value 1 is dropped (its frame buffer released while the reply still reads it); value 3 arrives in a frame of the same size.
      for (const n of [2, 3]) assert.equal((await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'big', 'set', [filled(len, n)]), 30_000)).ok, true);
      reader.socket.resume();
      const reply = parseReply(await reader.next());
      assert.equal(reply.kind, Kind.OK);
      assert.equal(firstWrong(reply.payload as Float64Array, 1), -1, 'the reply holds value 1 as it was when the get ran');
      const now = await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'big', 'get', []), 30_000);
      assert.equal(firstWrong(valueOf(now), 3), -1);
    } finally {
      reader.close();
    }
  });

  it('atomic-reference recycle - getAndSet returns the value it replaced intact (its buffer is not recycled)', async () => {
    const len = 256 * 1024;
    let seq = 200;
    await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'gas', 'set', [filled(len, 1)]));
    const old = await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'gas', 'getAndSet', [filled(len, 2)]));
    // Receives of the same size right after must not land in the buffer the reply above was written from.
    for (let n = 3; n <= 5; n++) await writer.send(seq, writer.frames(seq++, 'AtomicReference', 'gas', 'set', [filled(len, n)]));
    assert.equal(firstWrong(valueOf(old), 1), -1);
  });

  it('atomic-reference recycle - a persistent AtomicReference never gives a frame back (stable storage commits after the method)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crucial-recycle-'));
    let pnode = await startDso({ port: 0, insecure: true, pmemPath: join(dir, 'r.pmem'), pmemSizeBytes: 64 * 1024 * 1024 });
    let c = new RawClient(pnode.address, randomBytes(8));
    try {
      const len = 256 * 1024;
      const recycled = framePoolStats.recycled;
      for (let n = 1; n <= 4; n++) {
        const a = await c.send(n, c.frames(n, 'AtomicReference', 'kept', 'set', [filled(len, n)], { persistent: true }), 30_000);
        assert.equal(a.ok, true);
      }
      assert.equal(framePoolStats.recycled, recycled);
      assert.equal(firstWrong(valueOf(await c.send(9, c.frames(9, 'AtomicReference', 'kept', 'get', [], { persistent: true }))), 4), -1);
      // Restarted, the object is attached to its stored state without its constructor running: set
      // still works (an ES #private method threw "Receiver must be an instance of class AtomicReference").
      c.close();
      await pnode.close();
      pnode = await startDso({ port: 0, insecure: true, pmemPath: join(dir, 'r.pmem'), pmemSizeBytes: 64 * 1024 * 1024 });
      c = new RawClient(pnode.address, randomBytes(8));
      assert.equal(firstWrong(valueOf(await c.send(1, c.frames(1, 'AtomicReference', 'kept', 'get', [], { persistent: true }))), 4), -1);
      const again = await c.send(2, c.frames(2, 'AtomicReference', 'kept', 'set', [filled(len, 5)], { persistent: true }), 30_000);
      assert.equal(again.ok, true, again.ok ? '' : String(again.error));
      assert.equal(firstWrong(valueOf(await c.send(3, c.frames(3, 'AtomicReference', 'kept', 'get', [], { persistent: true }))), 5), -1);
      assert.equal(framePoolStats.recycled, recycled);
    } finally {
      c.close();
      await pnode.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('atomic-reference recycle - releaseArray: the client reads the next get into the released buffer; the released array reads as empty', async () => {
    const conn = connect(node.address);
    try {
      const ref = new AtomicReference<Float64Array>('client-release', undefined, { connection: conn });
      const len = 256 * 1024;
      await ref.set(filled(len, 7));
      const a = (await ref.get())!;
      const alias = new Float64Array(a.buffer, a.byteOffset, 4);
      assert.equal(firstWrong(a, 7), -1);
      assert.equal(releaseArray(a), true);
      assert.equal(a.length, 0);
      assert.equal(alias.length, 0);
      assert.equal(releaseArray(a), false, 'released once only');
      await ref.set(filled(len, 8));
      const reused = framePoolStats.reused;
      const b = (await ref.get())!;
      assert.ok(framePoolStats.reused > reused, 'the reply was read into a pooled buffer');
      assert.equal(firstWrong(b, 8), -1);
      assert.equal(alias.length, 0, 'the old array never shows the new reply');
      const mine = filled(len, 9);
      assert.equal(releaseArray(mine), false);
      assert.equal(firstWrong(mine, 9), -1, 'an array the program made is left alone');
    } finally {
      await conn.close();
    }
  });

  it('atomic-reference recycle - releaseArray leaves bytes values alone: they share the reply\'s first frame with their siblings', async () => {
    const conn = connect(node.address);
    try {
      const ref = new AtomicReference<unknown>('client-release-siblings', undefined, { connection: conn });
      await ref.set([Buffer.alloc(700_000, 1), Buffer.alloc(700_000, 2), filled(1024, 3)]);
      const [a, b, c] = (await ref.get()) as [Uint8Array, Uint8Array, Float64Array];
      assert.equal(a.buffer, b.buffer, 'both bytes values lie in one received frame');
      assert.equal(releaseArray(a), false);
      assert.equal(b.length, 700_000, 'the sibling keeps its bytes');
      assert.ok(b.every((x) => x === 2) && a.every((x) => x === 1));
      assert.equal(firstWrong(c, 3), -1);
    } finally {
      await conn.close();
    }
  });
});
