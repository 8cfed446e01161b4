/**
 * How a Connection meets link failures: refused connects, peers that do not speak ZMTP and
 * half-open links fail pending calls with ERR_UNAVAILABLE and the cause; a lost call is resent
 * as soon as the link is back; queues are bounded by a high-water mark.
 */
import { strict as assert } from 'node:assert';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import { Connection, UnavailableError, HighWaterMarkError, InvalidOptionError, type LinkStatus } from 'crucial';
import { startDso } from 'crucial/node';
import { HeartbeatTimeoutError } from '../../../core/protocol/transport/zmtp/peer.ts';
import { ZmtpProtocolError } from '../../../core/protocol/transport/zmtp/wire.ts';
import { TcpProxy, freePort } from '../../fixtures/tcp-proxy.ts';

/** Status events of a connection, and a promise of the first one of a type. */
function watch(conn: Connection) {
  const seen: LinkStatus['type'][] = [];
  const waiters: [string, () => void][] = [];
  conn.onStatus((s) => {
    seen.push(s.type);
    for (const w of waiters.filter(([t]) => t === s.type)) { waiters.splice(waiters.indexOf(w), 1); w[1](); }
  });
  return { seen, next: (type: LinkStatus['type']) => new Promise<void>((r) => (seen.includes(type) ? r() : waiters.push([type, r]))) };
}

/** Runs `fn` with CRUCIAL_UNAVAILABLE_MS set to `value` (undefined: unset), restoring it after. */
async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const old = process.env.CRUCIAL_UNAVAILABLE_MS;
  if (value === undefined) delete process.env.CRUCIAL_UNAVAILABLE_MS; else process.env.CRUCIAL_UNAVAILABLE_MS = value;
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env.CRUCIAL_UNAVAILABLE_MS; else process.env.CRUCIAL_UNAVAILABLE_MS = old;
  }
}

describe('connection link failures', function () {
  // The defaults (2 s window) must fail well inside this; the old 30 s silence rule cannot.
  this.timeout(10_000);

  it('connection - a refused connect fails pending calls with ERR_UNAVAILABLE and ECONNREFUSED as the cause, with the default window', async () => {
    await withEnv(undefined, async () => {
      const conn = new Connection(`tcp://127.0.0.1:${await freePort()}`);
      try {
        const err = await conn.call('AtomicLong', 'x', 'get', []).catch((e: unknown) => e);
        assert.ok(err instanceof UnavailableError, String(err));
        assert.equal(err.code, 'ERR_UNAVAILABLE');
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
        assert.match(err.message, /no link for 2000 ms \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/);
      } finally {
        await conn.close();
      }
    });
  });

  it('connection - CRUCIAL_UNAVAILABLE_MS sets the window when no option does, and a bad value is refused', async () => {
    await withEnv('250', async () => {
      const conn = new Connection(`tcp://127.0.0.1:${await freePort()}`);
      try {
        await assert.rejects(conn.call('AtomicLong', 'x', 'get', []), /no link for 250 ms/);
      } finally {
        await conn.close();
      }
    });
    await withEnv('soon', async () => {
      assert.throws(() => new Connection('tcp://127.0.0.1:1'), (e: unknown) => e instanceof InvalidOptionError && /CRUCIAL_UNAVAILABLE_MS must be a positive number/.test(e.message));
    });
  });

  it('connection - a port that speaks another protocol (HTTP) fails pending calls with the bytes it sent as the cause', async () => {
    const http = createHttpServer((_req, res) => res.end('hello'));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const conn = new Connection(`tcp://127.0.0.1:${(http.address() as { port: number }).port}`, { unavailableAfterMs: 500 });
    try {
      const err = await conn.call('AtomicLong', 'x', 'get', []).catch((e: unknown) => e);
      assert.ok(err instanceof UnavailableError, String(err));
      assert.ok(err.cause instanceof ZmtpProtocolError, String(err.cause));
      assert.match(err.message, /not a ZMTP peer: it sent "HTTP\/1\.1 400 Bad Request/);
    } finally {
      await conn.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });

  it('connection - a frozen node (half-open link) is found by heartbeats: stale, disconnect, then ERR_UNAVAILABLE caused by the heartbeat timeout', async () => {
    const node = await startDso({ port: 0 });
    const proxy = new TcpProxy(Number(node.address.split(':').at(-1)));
    const conn = new Connection(await proxy.listen(), { token: node.token, heartbeatIvlMs: 50, heartbeatTimeoutMs: 150, unavailableAfterMs: 300 });
    const status = watch(conn);
    try {
      assert.equal(await conn.call('AtomicLong', 'h', 'incrementAndGet', []), 1n);
      proxy.freeze();
      const err = await conn.call('AtomicLong', 'h', 'get', []).catch((e: unknown) => e);
      assert.ok(err instanceof UnavailableError, String(err));
      assert.ok(err.cause instanceof HeartbeatTimeoutError, String(err.cause));
      assert.deepEqual(status.seen.slice(0, 3), ['connect', 'stale', 'disconnect']);
    } finally {
      await conn.close();
      await proxy.close();
      await node.close();
    }
  });

  it('connection - a call lost with its link is resent as soon as the link is back, not after resendAfterMs', async () => {
    const node = await startDso({ port: 0 });
    const proxy = new TcpProxy(Number(node.address.split(':').at(-1)));
    // resendAfterMs of 10 minutes: only the reconnect can bring the call to the node within the test.
    const conn = new Connection(await proxy.listen(), { token: node.token, resendAfterMs: 600_000, heartbeatIvlMs: 0 });
    const status = watch(conn);
    try {
      await status.next('connect');
      proxy.cutOnNextClientData(); // the call's bytes are dropped with the link
      const result = conn.call('AtomicLong', 'r', 'incrementAndGet', []).then((v) => { status.seen.push('reply' as LinkStatus['type']); return v; });
      assert.equal(await result, 1n, 'applied once');
      assert.deepEqual(status.seen, ['connect', 'disconnect', 'reconnect', 'reply']);
      assert.equal(await conn.call('AtomicLong', 'r', 'get', []), 1n);
    } finally {
      await conn.close();
      await proxy.close();
      await node.close();
    }
  });

  it('connection - past the send high-water mark a call fails at once with HighWaterMarkError, with no link and with a peer that stopped reading', async () => {
    const big = new Uint8Array(256 * 1024);
    const down = new Connection(`tcp://127.0.0.1:${await freePort()}`, { sendHighWaterMarkBytes: 100_000, unavailableAfterMs: 60_000 });
    const first = down.call('AtomicReference', 'b', 'set', [big]).catch((e: unknown) => e);
    try {
      const err = await down.call('AtomicReference', 'b', 'set', [big]).catch((e: unknown) => e);
      assert.ok(err instanceof HighWaterMarkError, String(err));
      assert.equal(err.code, 'ERR_HIGH_WATER_MARK');
      assert.match(err.message, /queued .* while no link is up, at or past the send high-water mark of 100000/);
    } finally {
      await down.close();
      assert.equal((await first as { code?: string }).code, 'ERR_CLOSED', 'the queued call was held, not dropped');
    }

    const node = await startDso({ port: 0 });
    const proxy = new TcpProxy(Number(node.address.split(':').at(-1)));
    const conn = new Connection(await proxy.listen(), { token: node.token, sendHighWaterMarkBytes: 1024 * 1024, heartbeatIvlMs: 0, unavailableAfterMs: 60_000 });
    const calls: Promise<unknown>[] = [];
    try {
      await conn.ping();
      proxy.freeze(); // stops reading: the kernel buffers fill, then the socket's own
      let refused: unknown;
      for (let i = 0; i < 400 && !(refused instanceof HighWaterMarkError); i++) {
        const c = conn.call('AtomicReference', 'b', 'set', [big]).catch((e: unknown) => e);
        calls.push(c);
        // A refused call settles at once; one turn of the event loop lets the socket write what it can.
        refused = await Promise.race([c, new Promise((r) => setImmediate(r, 'pending'))]);
      }
      assert.ok(refused instanceof HighWaterMarkError, `no HighWaterMarkError after ${calls.length} calls of 256 KB`);
      assert.match(refused.message, /bytes wait to be written to the peer, at or past the send high-water mark of 1048576/);
    } finally {
      await conn.close();
      await Promise.all(calls);
      await proxy.close();
      await node.close();
    }
  });
});
