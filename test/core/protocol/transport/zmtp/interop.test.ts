/**
 * crucial's ZMTP sockets against libzmq's own (through zeromq.js): the wire must be ZeroMQ's, so
 * any libzmq DEALER (pyzmq, zeromq.js, C) can use a node and the SDK can use a libzmq ROUTER.
 */
import { strict as assert } from 'node:assert';
import { Dealer, Router } from 'zeromq';
import { ZmtpDealer } from '../../../../../core/protocol/transport/zmtp/dealer.ts';
import { ZmtpRouter } from '../../../../../core/protocol/transport/zmtp/router.ts';

/** The next message a ZmtpDealer gets, as a promise. */
function inbox(): { handler: (frames: Buffer[]) => void; next(): Promise<Buffer[]> } {
  const queue: Buffer[][] = [];
  const waiting: ((f: Buffer[]) => void)[] = [];
  return {
    handler: (frames) => { const w = waiting.shift(); if (w) w(frames); else queue.push(frames); },
    next: () => new Promise((r) => { const q = queue.shift(); if (q) r(q); else waiting.push(r); }),
  };
}

describe('zmtp interop with libzmq', function () {
  this.timeout(20_000);
  const sizes = [0, 1, 255, 256, 70_000, 8 * 1024 * 1024];
  const payload = sizes.map((n, i) => Buffer.alloc(n, i + 1));

  it('zmtp interop - libzmq DEALERs talk to a crucial ROUTER: every frame size, replies routed to their sender', async () => {
    const router = new ZmtpRouter((route, frames) => router.send(route, [Buffer.from(`to ${route.toString('hex')}`), ...frames]));
    await router.bind('tcp://127.0.0.1:0');
    const dealers = [new Dealer({ linger: 0 }), new Dealer({ linger: 0, routingId: 'named-peer' })];
    try {
      for (const d of dealers) d.connect(router.endpoint);
      for (const d of dealers) await d.send(payload);
      const replies = await Promise.all(dealers.map((d) => d.receive()));
      for (const reply of replies) assert.deepEqual(reply.slice(1), payload, 'multipart echoed intact');
      assert.notEqual(replies[0]![0]!.toString(), replies[1]![0]!.toString(), 'each dealer has its own route');
      assert.equal(replies[1]![0]!.toString(), `to ${Buffer.from('named-peer').toString('hex')}`, 'the Identity property is the route');
      assert.equal(router.peerCount, 2);
    } finally {
      for (const d of dealers) d.close();
      await router.close();
    }
  });

  it('zmtp interop - a crucial DEALER talks to a libzmq ROUTER, which sees its identity', async () => {
    const router = new Router({ linger: 0 });
    await router.bind('tcp://127.0.0.1:0');
    const box = inbox();
    const dealer = new ZmtpDealer(router.lastEndpoint!, box.handler, { identity: Buffer.from('me') });
    try {
      dealer.send(payload);
      const [route, ...frames] = await router.receive();
      assert.equal(route!.toString(), 'me');
      assert.deepEqual(frames, payload);
      await router.send([route!, Buffer.from('back'), Buffer.alloc(300, 9)]);
      assert.deepEqual(await box.next(), [Buffer.from('back'), Buffer.alloc(300, 9)]);
    } finally {
      dealer.close();
      router.close();
    }
  });
});
