/**
 * ZMTP 3.1 heartbeats and link status: a half-open link is found by PING / PONG, a peer's TTL is
 * honoured, libzmq peers heartbeat against crucial's sockets both ways, and every link failure
 * is reported with its cause.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Dealer, Router } from 'zeromq';
import { ZmtpDealer } from '../../../../../core/protocol/transport/zmtp/dealer.ts';
import { ZmtpRouter } from '../../../../../core/protocol/transport/zmtp/router.ts';
import { HeartbeatTimeoutError } from '../../../../../core/protocol/transport/zmtp/peer.ts';
import { ZmtpProtocolError, greeting } from '../../../../../core/protocol/transport/zmtp/wire.ts';
import type { LinkStatus } from '../../../../../core/protocol/transport/link.ts';
import { UnauthorizedError } from '../../../../../core/protocol/errors.ts';
import { TcpProxy, freePort } from '../../../../fixtures/tcp-proxy.ts';

/** Serves one connection as a libzmq PLAIN node whose I/O thread picks the connection up 50 ms late. */
function libzmqRefusingNull(sock: import('node:net').Socket): void {
  const ours = greeting('PLAIN', true);
  let got = Buffer.alloc(0);
  let written = 0;
  let running = false;
  const step = () => {
    if (!running) return;
    if (got.length >= ours.length) { sock.end(); return; }
    const upTo = got.length > 10 ? ours.length : got.length === 10 ? 11 : 10;
    if (upTo > written) sock.write(ours.subarray(written, upTo));
    written = Math.max(written, upTo);
  };
  sock.on('data', (d: Buffer) => { got = Buffer.concat([got, d]); step(); });
  setTimeout(() => { running = true; step(); }, 50);
}

/** Collects a dealer's status events and resolves on the first of a given type. */
function statusLog() {
  const seen: LinkStatus[] = [];
  const waiting: { type: string; resolve(s: LinkStatus): void }[] = [];
  return {
    seen,
    onStatus: (s: LinkStatus) => {
      seen.push(s);
      for (const w of waiting.filter((x) => x.type === s.type)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(s); }
    },
    next: (type: LinkStatus['type']) => new Promise<LinkStatus>((resolve) => {
      const had = seen.find((s) => s.type === type);
      if (had) resolve(had); else waiting.push({ type, resolve });
    }),
  };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const PING_BYTES = 9;

describe('zmtp heartbeat and link status', function () {
  this.timeout(10_000);

  it('zmtp heartbeat - a half-open link (a proxy that stops forwarding) is reported stale, then lost with a HeartbeatTimeoutError', async () => {
    const router = new ZmtpRouter((route, frames) => router.send(route, frames));
    await router.bind('tcp://127.0.0.1:0');
    const proxy = new TcpProxy(Number(router.endpoint.split(':').at(-1)));
    const log = statusLog();
    const dealer = new ZmtpDealer(await proxy.listen(), () => undefined, { heartbeatIvlMs: 50, heartbeatTimeoutMs: 150, onStatus: log.onStatus });
    try {
      await log.next('connect');
      proxy.freeze();
      const lost = await log.next('disconnect');
      assert.ok(lost.type === 'disconnect' && lost.cause instanceof HeartbeatTimeoutError, `cause: ${String((lost as { cause?: unknown }).cause)}`);
      assert.match(lost.cause.message, /within 150 ms of a heartbeat PING/);
      assert.deepEqual(log.seen.map((s) => s.type).slice(0, 3), ['connect', 'stale', 'disconnect']);
    } finally {
      dealer.close();
      await proxy.close();
      await router.close();
    }
  });

  it('zmtp heartbeat - an idle link that answers PINGs stays up, and PINGs carry the TTL a crucial ROUTER honours', async () => {
    const router = new ZmtpRouter((route, frames) => router.send(route, frames));
    await router.bind('tcp://127.0.0.1:0');
    const proxy = new TcpProxy(Number(router.endpoint.split(':').at(-1)));
    const log = statusLog();
    const box: Buffer[][] = [];
    const dealer = new ZmtpDealer(await proxy.listen(), (f) => box.push(f), { heartbeatIvlMs: 30, heartbeatTimeoutMs: 500, heartbeatTtlMs: 300, onStatus: log.onStatus });
    try {
      await log.next('connect');
      const afterHandshake = proxy.clientBytes;
      // The idle dealer sends PINGs of 9 bytes (flags, size, name length, "PING", TTL): wait for 5 of them.
      await proxy.clientBytesReach(afterHandshake + 5 * PING_BYTES);
      assert.deepEqual(log.seen.map((s) => s.type), ['connect'], 'no false alarm while PINGs are answered');
      // Now the dealer goes silent (its bytes stop reaching the router): the router drops it once the 300 ms TTL passes.
      const upstreamGone = proxy.upstreamClose();
      proxy.freeze();
      await upstreamGone;
      assert.equal(router.peerCount, 0);
    } finally {
      dealer.close();
      await proxy.close();
      await router.close();
    }
  });

  it('zmtp heartbeat - a process whose own event loop was blocked past the timeout does not blame a live peer', async () => {
    const router = new ZmtpRouter((route, frames) => router.send(route, frames));
    await router.bind('tcp://127.0.0.1:0');
    const proxy = new TcpProxy(Number(router.endpoint.split(':').at(-1)));
    const log = statusLog();
    const dealer = new ZmtpDealer(await proxy.listen(), () => undefined, { heartbeatIvlMs: 20, heartbeatTimeoutMs: 60, onStatus: log.onStatus });
    try {
      await log.next('connect');
      // A PING has just passed the proxy, so its timeout timer is armed; then the loop blocks 5 timeouts long.
      await proxy.clientBytesReach(proxy.clientBytes + PING_BYTES);
      const until = Date.now() + 300;
      while (Date.now() < until) { /* a long synchronous call */ }
      await proxy.clientBytesReach(proxy.clientBytes + 5 * PING_BYTES);
      assert.deepEqual(log.seen.map((s) => s.type), ['connect']);
    } finally {
      dealer.close();
      await proxy.close();
      await router.close();
    }
  });

  it('zmtp heartbeat - libzmq peers heartbeat against crucial sockets both ways (PING with TTL answered, PONG accepted)', async () => {
    // libzmq DEALER -> (proxy) -> crucial ROUTER: the DEALER drops the link if our PONGs do not come.
    const router = new ZmtpRouter((route, frames) => router.send(route, frames));
    await router.bind('tcp://127.0.0.1:0');
    const toRouter = new TcpProxy(Number(router.endpoint.split(':').at(-1)));
    const zd = new Dealer({ linger: 0, heartbeatInterval: 20, heartbeatTimeout: 100, heartbeatTimeToLive: 1000 });
    const disconnects: string[] = [];
    zd.events.on('disconnect', () => disconnects.push('libzmq dealer'));
    // crucial DEALER -> (proxy) -> libzmq ROUTER: the ROUTER drops us if our PINGs do not come.
    const zr = new Router({ linger: 0, heartbeatInterval: 20, heartbeatTimeout: 100 });
    await zr.bind('tcp://127.0.0.1:0');
    zr.events.on('disconnect', () => disconnects.push('libzmq router'));
    const toZr = new TcpProxy(Number(zr.lastEndpoint!.split(':').at(-1)));
    const log = statusLog();
    const dealer = new ZmtpDealer(await toZr.listen(), () => undefined, { heartbeatIvlMs: 20, heartbeatTimeoutMs: 100, heartbeatTtlMs: 1000, onStatus: log.onStatus });
    try {
      zd.connect(await toRouter.listen());
      await zd.send('first');
      assert.deepEqual((await zd.receive()).map(String), ['first']);
      await log.next('connect');
      // Both links idle while each side sends 10 PINGs: unanswered, either side would have dropped its link twice over.
      await Promise.all([toRouter.clientBytesReach(toRouter.clientBytes + 10 * PING_BYTES), toZr.clientBytesReach(toZr.clientBytes + 10 * PING_BYTES)]);
      await zd.send('second');
      assert.deepEqual((await zd.receive()).map(String), ['second']);
      dealer.send([Buffer.from('hello')]);
      const [route, msg] = await zr.receive();
      assert.equal(String(msg), 'hello');
      assert.deepEqual(disconnects, []);
      assert.deepEqual(log.seen.map((s) => s.type), ['connect']);
      assert.equal(router.peerCount, 1);
      assert.ok(route);
    } finally {
      dealer.close();
      zd.close();
      zr.close();
      await toRouter.close();
      await toZr.close();
      await router.close();
    }
  });

  it('zmtp link - a refused connect is reported with ECONNREFUSED, and the dealer keeps retrying', async () => {
    const log = statusLog();
    const dealer = new ZmtpDealer(`tcp://127.0.0.1:${await freePort()}`, () => undefined, { onStatus: log.onStatus });
    try {
      const s = await log.next('disconnect');
      assert.equal((s as { cause: NodeJS.ErrnoException }).cause.code, 'ECONNREFUSED');
      assert.equal(dealer.downCause(), (s as { cause: Error }).cause);
    } finally {
      dealer.close();
    }
  });

  it('zmtp link - a peer that does not speak ZMTP (an HTTP server, a server writing garbage) is reported with what it sent; a CURVE server, or one that hangs up on our greeting, as a refusal (ERR_UNAUTHORIZED)', async () => {
    const cases: { name: string; serve(sock: import('node:net').Socket): void; expect: RegExp; refusal?: true }[] = [
      { name: 'HTTP', serve: (s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')), expect: /not a ZMTP peer: it sent "HTTP\/1\.1 400 Bad Request/ },
      { name: 'garbage', serve: (s) => s.write(Buffer.from('\x00\x01garbage')), expect: /not a ZMTP peer: it sent "\\u0000\\u0001garbage"/ },
      { name: 'CURVE', serve: (s) => { const g = greeting(); g.fill(0, 12, 32); g.write('CURVE', 12, 'latin1'); s.write(g); }, expect: /security mechanism is "CURVE", this DEALER's is "NULL": the DSO node requires CURVE credentials/, refusal: true },
      { name: 'cut greeting', serve: (s) => s.once('data', () => s.end(greeting().subarray(0, 10))), expect: /closed the connection during the ZMTP greeting, after sending "\u00ff/, refusal: true },
      // A loaded libzmq node that demands PLAIN: it writes nothing until it runs, then reads what has
      // arrived, answers in libzmq's stages (signature; major version; the rest) and hangs up on the
      // mechanism of a whole greeting before writing what it queued. A client that sent its whole
      // greeting at once got a bare close here.
      { name: 'loaded libzmq', serve: libzmqRefusingNull, expect: /does not accept this client's NULL mechanism/, refusal: true },
    ];
    for (const c of cases) {
      // Reading what the dealer sends lets each server connection see its end and close.
      const server = createServer((sock) => { sock.on('error', () => undefined).on('data', () => undefined); c.serve(sock); });
      const port = await listen(server);
      const log = statusLog();
      const dealer = new ZmtpDealer(`tcp://127.0.0.1:${port}`, () => undefined, { onStatus: log.onStatus });
      try {
        const s = await log.next('disconnect');
        const cause = (s as { cause: Error }).cause;
        assert.ok(c.refusal ? cause instanceof UnauthorizedError : cause instanceof ZmtpProtocolError, `${c.name}: ${String(cause)}`);
        assert.match(cause.message, c.expect, c.name);
      } finally {
        dealer.close();
        await new Promise((r) => server.close(r));
      }
    }
  });
});
