/**
 * The libzmq (zeromq.js) transport reports what goes wrong instead of throwing it into the void:
 * a failing message handler or receive loop becomes an `error` status, never an unhandled rejection,
 * and its links report connect / disconnect with a cause like the zmtp transport.
 */
import { strict as assert } from 'node:assert';
import { Router } from 'zeromq';
import { LibzmqClient } from '../../../../core/protocol/transport/libzmq.ts';
import type { LinkStatus } from '../../../../core/protocol/transport/link.ts';
import { freePort } from '../../../fixtures/tcp-proxy.ts';

describe('libzmq transport', function () {
  this.timeout(10_000);

  it('libzmq transport - a handler that throws is reported as an error status, not an unhandled rejection, and the link keeps working', async () => {
    const router = new Router({ linger: 0 });
    await router.bind('tcp://127.0.0.1:0');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const statuses: LinkStatus[] = [];
    let reported!: (s: LinkStatus) => void;
    const errorStatus = new Promise<LinkStatus>((r) => { reported = r; });
    const received: string[] = [];
    const client = new LibzmqClient(router.lastEndpoint!, (frames) => {
      const text = String(frames[0]);
      if (text === 'boom') throw new Error('handler failed on boom');
      received.push(text);
    }, { onStatus: (s) => { statuses.push(s); if (s.type === 'error') reported(s); } });
    try {
      client.send([Buffer.from('hi')]);
      const [route] = await router.receive();
      await router.send([route!, Buffer.from('boom')]);
      // On a loop that rethrows, the rejection arrives instead of the status: fail on it at once.
      const outcome = await Promise.race([
        errorStatus,
        new Promise<never>((_, reject) => process.once('unhandledRejection', (e) => reject(new Error(`unhandled rejection: ${String(e)}`)))),
      ]);
      assert.equal(outcome.type, 'error');
      assert.match((outcome as { cause: Error }).cause.message, /handler failed on boom/);
      await router.send([route!, Buffer.from('after')]);
      client.send([Buffer.from('sync')]);
      await router.receive();
      await router.send([route!, Buffer.from('last')]);
      while (!received.includes('last')) await new Promise((r) => setImmediate(r));
      assert.deepEqual(received, ['after', 'last']);
      assert.deepEqual(unhandled, []);
      assert.equal(statuses[0]?.type, 'connect');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      client.close();
      router.close();
    }
  });

  it('libzmq transport - a refused connect is reported with ECONNREFUSED', async () => {
    let lost!: (s: LinkStatus) => void;
    const disconnect = new Promise<LinkStatus>((r) => { lost = r; });
    const client = new LibzmqClient(`tcp://127.0.0.1:${await freePort()}`, () => undefined, { onStatus: (s) => { if (s.type === 'disconnect') lost(s); } });
    try {
      const s = await disconnect;
      assert.equal(((s as { cause: NodeJS.ErrnoException }).cause).code, 'ECONNREFUSED');
      assert.equal(client.downCause(), (s as { cause: Error }).cause);
    } finally {
      client.close();
    }
  });
});
