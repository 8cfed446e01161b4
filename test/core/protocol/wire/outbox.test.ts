/** The Outbox in front of a zeromq.js socket: failures are reported, and the queue is bounded. */
import { strict as assert } from 'node:assert';
import type { Writable } from 'zeromq';
import { Outbox } from '../../../../core/protocol/wire/outbox.ts';
import { HighWaterMarkError } from '../../../../core/protocol/errors.ts';

/** A stand-in socket whose sends settle as the test says. */
function fakeSocket(send: (frames: unknown) => Promise<void>): Writable & { closed: boolean } {
  return { closed: false, send } as unknown as Writable & { closed: boolean };
}

describe('outbox', () => {
  it('outbox - a send libzmq fails is passed to onError, and later sends still go out', async () => {
    const sent: string[] = [];
    const socket = fakeSocket(async (frames) => {
      const text = String((frames as Uint8Array[])[0]);
      if (text === 'bad') throw new Error('EAGAIN from libzmq');
      sent.push(text);
    });
    const errors: Error[] = [];
    let told!: () => void;
    const reported = new Promise<void>((r) => { told = r; });
    const outbox = new Outbox(socket, (err) => { errors.push(err); told(); });
    outbox.send([Buffer.from('bad')]);
    outbox.send([Buffer.from('good')]);
    await reported;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.map((e) => e.message), ['EAGAIN from libzmq']);
    assert.deepEqual(sent, ['good']);
  });

  it('outbox - past its high-water mark a send throws HighWaterMarkError instead of queueing', () => {
    const outbox = new Outbox(fakeSocket(() => new Promise(() => undefined)), () => undefined, 1000);
    outbox.send([new Uint8Array(600)]); // in flight, libzmq never takes it
    outbox.send([new Uint8Array(600)]); // queued: 600 bytes
    outbox.send([new Uint8Array(600)]); // queued: 1200 bytes, now past the mark
    assert.throws(() => outbox.send([new Uint8Array(1)]), (e: unknown) => e instanceof HighWaterMarkError && e.code === 'ERR_HIGH_WATER_MARK');
  });
});
