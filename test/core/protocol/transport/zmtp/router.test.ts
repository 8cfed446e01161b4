import { strict as assert } from 'node:assert';
import { connect as tcpConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import { ZmtpRouter } from '../../../../../core/protocol/transport/zmtp/router.ts';
import { ZmtpDealer } from '../../../../../core/protocol/transport/zmtp/dealer.ts';
import { encodeCommand, encodeMessage, encodeMetadata, greeting, parseCommand } from '../../../../../core/protocol/transport/zmtp/wire.ts';

/** A raw TCP client that records every byte the router sends back and whether the link closed. */
async function rawClient(endpoint: string): Promise<{ sock: Socket; received(): Buffer; closed: Promise<unknown> }> {
  const port = Number(endpoint.split(':').at(-1));
  const sock = tcpConnect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (d) => chunks.push(d));
  sock.on('error', () => undefined);
  const closed = once(sock, 'close');
  await once(sock, 'connect');
  return { sock, received: () => Buffer.concat(chunks), closed };
}

const ready = (type: string) => encodeCommand('READY', encodeMetadata({ 'Socket-Type': type, Identity: '' }));

describe('zmtp router', function () {
  this.timeout(20_000);
  let router: ZmtpRouter;
  const seen: { frames: Buffer[]; bytes: number }[] = [];

  beforeEach(async () => {
    seen.length = 0;
    router = new ZmtpRouter((route, frames, bytes) => {
      seen.push({ frames, bytes });
      router.send(route, frames);
    }, { maxMessageBytes: 1000, handshakeTimeoutMs: 300 });
    await router.bind('tcp://127.0.0.1:0');
  });
  afterEach(() => router.close());

  async function echoOnce(): Promise<Buffer[]> {
    let dealer: ZmtpDealer | undefined;
    try {
      return await new Promise<Buffer[]>((resolve) => {
        dealer = new ZmtpDealer(router.endpoint, resolve);
        dealer.send([Buffer.from('still serving')]);
      });
    } finally {
      dealer?.close();
    }
  }

  it('zmtp router - a peer sending garbage is disconnected and the others keep being served', async () => {
    const bad = await rawClient(router.endpoint);
    bad.sock.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(80, ' ')));
    await bad.closed;
    assert.deepEqual(await echoOnce(), [Buffer.from('still serving')]);
  });

  it('zmtp router - a peer of an incompatible socket type gets an ERROR command and is dropped', async () => {
    const pub = await rawClient(router.endpoint);
    pub.sock.write(Buffer.concat([greeting(), ready('PUB')]));
    await pub.closed;
    const bytes = pub.received();
    // Its greeting, its READY, then ERROR.
    const tail = bytes.subarray(64);
    const readyLen = tail[1]!;
    const error = parseCommand(tail.subarray(2 + readyLen + 2));
    assert.equal(error.name, 'ERROR');
    assert.match(error.data.toString('latin1'), /PUB/);
    assert.equal(router.peerCount, 0);
  });

  it('zmtp router - a message over the limit arrives as its size with the frames read before the limit; the link stays usable', async () => {
    const peer = await rawClient(router.endpoint);
    peer.sock.write(Buffer.concat([greeting(), ready('DEALER'), encodeMessage([Buffer.from('head'), Buffer.alloc(5000, 7)]), encodeMessage([Buffer.from('after')])]));
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen[0]!.bytes, 5004);
    assert.deepEqual(seen[0]!.frames, [Buffer.from('head')], 'the oversize frame is not buffered');
    assert.deepEqual(seen[1]!.frames, [Buffer.from('after')]);
    peer.sock.destroy();
  });

  it('zmtp router - a PING is answered with a PONG carrying its context', async () => {
    const peer = await rawClient(router.endpoint);
    const ping = encodeCommand('PING', Buffer.concat([Buffer.from([0, 10]), Buffer.from('ctx-42')]));
    peer.sock.write(Buffer.concat([greeting(), ready('DEALER'), ping]));
    const pong = encodeCommand('PONG', Buffer.from('ctx-42'));
    for (let i = 0; i < 100 && !peer.received().includes(pong); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(peer.received().includes(pong), 'PONG with the same context');
    peer.sock.destroy();
  });

  it('zmtp router - a peer that never completes the handshake is dropped after the handshake timeout', async () => {
    const silent = await rawClient(router.endpoint);
    silent.sock.write(greeting().subarray(0, 10));
    await silent.closed;
    assert.equal(router.peerCount, 0);
  });

  it('zmtp router - a message for a route that left is dropped without disturbing anyone', async () => {
    router.send(Buffer.from([0, 1, 2, 3, 4]), [Buffer.from('nobody')]);
    assert.deepEqual(await echoOnce(), [Buffer.from('still serving')]);
  });
});

describe('zmtp dealer', function () {
  this.timeout(20_000);

  it('zmtp dealer - holds messages while the router is down and delivers them after it comes back on the same port', async () => {
    const first = new ZmtpRouter(() => undefined);
    await first.bind('tcp://127.0.0.1:0');
    const endpoint = first.endpoint;
    const replies: string[] = [];
    const dealer = new ZmtpDealer(endpoint, (f) => replies.push(f[0]!.toString()), { reconnectIvlMs: 20, reconnectIvlMaxMs: 50 });
    let second: ZmtpRouter | undefined;
    try {
      while (!dealer.connected) await new Promise((r) => setTimeout(r, 5));
      await first.close();
      while (dealer.connected) await new Promise((r) => setTimeout(r, 5));
      dealer.send([Buffer.from('sent while down')]);
      second = new ZmtpRouter((route, frames) => second!.send(route, frames));
      await second.bind(endpoint);
      while (replies.length === 0) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(replies, ['sent while down']);
    } finally {
      dealer.close();
      await second?.close();
    }
  });

  it('zmtp dealer - an address that is not tcp://host:port or ipc://path is refused up front', () => {
    assert.throws(() => new ZmtpDealer('unix:///tmp/x', () => undefined), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => new ZmtpDealer('ipc://@abstract', () => undefined), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => new ZmtpDealer('tcp://127.0.0.1:99999', () => undefined), { code: 'ERR_INVALID_OPTION' });
  });
});
