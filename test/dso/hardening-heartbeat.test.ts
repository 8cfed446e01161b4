import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { ZmtpDealer } from '../../core/protocol/transport/zmtp/dealer.ts';
import { TcpProxy } from '../fixtures/tcp-proxy.ts';
import { RawClient } from './hardening-process.ts';

const codec = new WireCodec();

/** Asks until `probe` answers `want`: round trips only, no timer; the node's heartbeats end the frozen link meanwhile. */
async function until(c: RawClient, seq: { n: number }, frames: (s: number) => Uint8Array[], want: unknown, tries = 100_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const s = ++seq.n;
    const a = await c.send(s, frames(s));
    if (a.ok && a.value === want) return;
  }
  assert.fail(`never saw ${String(want)}`);
}

describe('dso hardening - the node heartbeats its peers', function () {
  this.timeout(30_000);
  let node: DsoNode;
  let live: RawClient;
  const seq = { n: 0 };
  // Small heartbeats so the test is short; the defaults are 5 s / 15 s.
  before(async () => { node = await startDso({ port: 0, insecure: true, heartbeatIvlMs: 50, heartbeatTimeoutMs: 200 }); live = new RawClient(node.address, randomBytes(8)); });
  after(async () => { live.close(); await node.close(); });

  it('hardening heartbeat - a frozen client that sends no heartbeats of its own loses its parked acquire, the live waiter gets the released permit', async () => {
    const proxy = new TcpProxy(Number(node.address.split(':').at(-1)));
    // A client with its own heartbeats off: only the node's PINGs can find out it is gone.
    const frozen = new ZmtpDealer(await proxy.listen(), () => undefined, { heartbeatIvlMs: 0 });
    try {
      frozen.send(codec.encodeCall(randomBytes(8), 1, 'Semaphore', 'f', 'acquire', [], { init: [0] }));
      await until(live, seq, (s) => live.frames(s, 'Semaphore', 'f', 'getQueueLength', []), 1);
      const s = ++seq.n;
      const waiting = live.send(s, live.frames(s, 'Semaphore', 'f', 'acquire', []));
      await until(live, seq, (n) => live.frames(n, 'Semaphore', 'f', 'getQueueLength', []), 2);
      proxy.freeze(); // stopped like a SIGSTOPped process: the socket stays open, nothing moves either way
      await until(live, seq, (n) => live.frames(n, 'Semaphore', 'f', 'getQueueLength', []), 1);
      const r = ++seq.n;
      assert.deepEqual(await live.send(r, live.frames(r, 'Semaphore', 'f', 'release', [])), { ok: true, value: null });
      assert.deepEqual(await waiting, { ok: true, value: null }, 'the live waiter got the permit');
    } finally {
      frozen.close();
      await proxy.close();
    }
  });

  it('hardening heartbeat - an idle client that answers PINGs keeps its parked acquire across many heartbeat timeouts', async () => {
    const answers: unknown[] = [];
    let answered!: () => void;
    const got = new Promise<void>((resolve) => { answered = resolve; });
    const idle = new ZmtpDealer(node.address, (f) => { answers.push(codec.decodeValue(f)); answered(); }, { heartbeatIvlMs: 0 });
    try {
      idle.send(codec.encodeCall(randomBytes(8), 1, 'Semaphore', 'i', 'acquire', [], { init: [0] }));
      await until(live, seq, (s) => live.frames(s, 'Semaphore', 'i', 'getQueueLength', []), 1);
      // Enough round trips that many 200 ms timeouts pass under load too: the node's PINGs are answered, the link stays.
      const started = Date.now();
      while (Date.now() - started < 1000) {
        const q = ++seq.n;
        assert.deepEqual(await live.send(q, live.frames(q, 'Semaphore', 'i', 'getQueueLength', [])), { ok: true, value: 1 });
      }
      const r = ++seq.n;
      assert.deepEqual(await live.send(r, live.frames(r, 'Semaphore', 'i', 'release', [])), { ok: true, value: null });
      await got;
      assert.equal(answers.length, 1);
    } finally {
      idle.close();
    }
  });

  it('hardening heartbeat - heartbeat options that are not non-negative integers are refused at start', async () => {
    await assert.rejects(startDso({ port: 0, insecure: true, heartbeatIvlMs: -1 }), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(startDso({ port: 0, insecure: true, heartbeatTimeoutMs: 0 }), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(startDso({ port: 0, insecure: true, heartbeatIvlMs: 1.5 }), { code: 'ERR_INVALID_OPTION' });
  });
});
