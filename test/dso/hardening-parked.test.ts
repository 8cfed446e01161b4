import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { RawClient } from './hardening-process.ts';
import { RawDealer } from './hardening-raw-zmtp.ts';

const codec = new WireCodec();

/** Asks until `probe` answers `want` (each ask is a round trip, no timer); the node's view of a closed link settles in a few. */
async function until(c: RawClient, seq: { n: number }, frames: (s: number) => Uint8Array[], want: unknown): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const s = ++seq.n;
    const a = await c.send(s, frames(s));
    if (a.ok && a.value === want) return;
  }
  assert.fail(`never saw ${String(want)}`);
}

describe('dso hardening - parked calls of a client whose link is gone', () => {
  let node: DsoNode;
  let live: RawClient;
  const seq = { n: 0 };
  before(async () => { node = await startDso({ port: 0, insecure: true }); live = new RawClient(node.address, randomBytes(8)); });
  after(async () => { live.close(); await node.close(); });

  it('hardening parked - a released permit goes to the live waiter, not to the one whose link closed', async () => {
    const dead = await RawDealer.open(node.address);
    await dead.write(RawDealer.message(codec.encodeCall(randomBytes(8), 1, 'Semaphore', 's', 'acquire', [], { init: [0] })));
    await until(live, seq, (s) => live.frames(s, 'Semaphore', 's', 'getQueueLength', []), 1);
    const s = ++seq.n;
    const waiting = live.send(s, live.frames(s, 'Semaphore', 's', 'acquire', []));
    await until(live, seq, (n) => live.frames(n, 'Semaphore', 's', 'getQueueLength', []), 2);
    dead.close();
    await until(live, seq, (n) => live.frames(n, 'Semaphore', 's', 'getQueueLength', []), 1);
    const r = ++seq.n;
    assert.deepEqual(await live.send(r, live.frames(r, 'Semaphore', 's', 'release', [])), { ok: true, value: null });
    assert.deepEqual(await waiting, { ok: true, value: null }, 'the live waiter got the permit');
    const p = ++seq.n;
    assert.deepEqual(await live.send(p, live.frames(p, 'Semaphore', 's', 'availablePermits', [])), { ok: true, value: 0 });
  });

  it('hardening parked - $system.cancel withdraws the caller\'s own parked call: the permit goes to the next waiter; another client\'s seq is not touched', async () => {
    const quitter = new RawClient(node.address, randomBytes(8));
    const other = new RawClient(node.address, randomBytes(8));
    try {
      const given = quitter.send(1, quitter.frames(1, 'Semaphore', 'c', 'acquire', [], { init: [0] }));
      await until(live, seq, (n) => live.frames(n, 'Semaphore', 'c', 'getQueueLength', []), 1);
      const waiting = other.send(1, other.frames(1, 'Semaphore', 'c', 'acquire', []));
      await until(live, seq, (n) => live.frames(n, 'Semaphore', 'c', 'getQueueLength', []), 2);
      // Another client naming seq 1 cancels nothing of the quitter's (nor its own: not on its link).
      const c = ++seq.n;
      assert.deepEqual(await live.send(c, live.frames(c, '$system', '', 'cancel', [1])), { ok: true, value: false });
      assert.deepEqual(await quitter.send(2, quitter.frames(2, '$system', '', 'cancel', [1])), { ok: true, value: true });
      assert.equal((await given).ok, false, 'the cancelled call ends with an error');
      await until(live, seq, (n) => live.frames(n, 'Semaphore', 'c', 'getQueueLength', []), 1);
      const r = ++seq.n;
      await live.send(r, live.frames(r, 'Semaphore', 'c', 'release', []));
      assert.deepEqual(await waiting, { ok: true, value: null }, 'the permit went to the waiter still waiting');
      assert.deepEqual(await quitter.send(3, quitter.frames(3, '$system', '', 'cancel', [1])), { ok: true, value: false }, 'nothing left to cancel');
    } finally {
      quitter.close(); other.close();
    }
  });

  it('hardening parked - two dead parties of a 4-party barrier are not counted: the live ones still wait for two more', async () => {
    const deads = [await RawDealer.open(node.address), await RawDealer.open(node.address)];
    for (const d of deads) await d.write(RawDealer.message(codec.encodeCall(randomBytes(8), 1, 'CyclicBarrier', 'b', 'await', [], { init: [4] })));
    await until(live, seq, (n) => live.frames(n, 'CyclicBarrier', 'b', 'getNumberWaiting', []), 2);
    for (const d of deads) d.close();
    await until(live, seq, (n) => live.frames(n, 'CyclicBarrier', 'b', 'getNumberWaiting', []), 0);
    const others = [new RawClient(node.address, randomBytes(8)), new RawClient(node.address, randomBytes(8)), new RawClient(node.address, randomBytes(8))];
    try {
      const parked = others.slice(0, 3).map((c) => c.send(1, c.frames(1, 'CyclicBarrier', 'b', 'await', [])));
      // Three live parties: not enough for 4 now that the dead ones are gone; a fourth trips it.
      await until(live, seq, (n) => live.frames(n, 'CyclicBarrier', 'b', 'getNumberWaiting', []), 3);
      const last = ++seq.n;
      assert.deepEqual(await live.send(last, live.frames(last, 'CyclicBarrier', 'b', 'await', [])), { ok: true, value: 0 });
      assert.deepEqual((await Promise.all(parked)).map((a) => a.ok), [true, true, true]);
    } finally {
      for (const c of others) c.close();
    }
  });

  it('hardening parked - a call its client already resent on a new link stays parked when the old link goes, and answers the new one', async () => {
    const id = randomBytes(8);
    const old = await RawDealer.open(node.address);
    await old.write(RawDealer.message(codec.encodeCall(id, 1, 'Semaphore', 'j', 'acquire', [], { init: [0] })));
    await until(live, seq, (n) => live.frames(n, 'Semaphore', 'j', 'getQueueLength', []), 1);
    const again = new RawClient(node.address, id);
    try {
      const resent = again.send(1, codec.encodeCall(id, 1, 'Semaphore', 'j', 'acquire', [], { init: [0] }));
      // The resend joined the parked call (no second waiter); then the old link goes.
      const q = ++seq.n;
      assert.deepEqual(await live.send(q, live.frames(q, 'Semaphore', 'j', 'getQueueLength', [])), { ok: true, value: 1 });
      old.close();
      await old.closed;
      const r = ++seq.n;
      assert.deepEqual(await live.send(r, live.frames(r, 'Semaphore', 'j', 'release', [])), { ok: true, value: null });
      assert.deepEqual(await resent, { ok: true, value: null });
    } finally {
      again.close();
    }
  });
});
