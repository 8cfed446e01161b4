/** The `libzmq` transport: zeromq.js sockets behind the ClientSocket / ServerSocket interfaces. */
import { Dealer, Router } from 'zeromq';
import { Outbox } from '../wire/outbox.ts';
import type { ClientSocket, ServerHandler, ServerSocket } from './socket.ts';

// HWM 0 = unbounded queues: a call is never dropped for backpressure; the caller's timeouts bound it.
const OPTIONS = { linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0 } as const;

export class LibzmqClient implements ClientSocket {
  private readonly socket = new Dealer(OPTIONS);
  private readonly outbox = new Outbox(this.socket);

  constructor(address: string, onMessage: (frames: Uint8Array[]) => void) {
    this.socket.connect(address);
    void (async () => {
      try {
        for await (const frames of this.socket) onMessage(frames);
      } catch (err) {
        if (!this.socket.closed) throw err;
      }
    })();
  }

  send(frames: readonly Uint8Array[]): void { this.outbox.send([...frames]); }

  close(): void { this.socket.close(); }
}

export async function bindLibzmqServer(endpoint: string, onMessage: ServerHandler): Promise<ServerSocket> {
  const socket = new Router(OPTIONS);
  const outbox = new Outbox(socket);
  await socket.bind(endpoint);
  const loop = (async () => {
    try {
      for await (const [route, ...frames] of socket) onMessage(route!, frames, frames.reduce((n, f) => n + f.byteLength, 0));
    } catch (err) {
      if (!socket.closed) throw err;
    }
  })();
  return {
    endpoint: socket.lastEndpoint ?? endpoint,
    send: (route, frames) => outbox.send([route, ...frames]),
    close: async () => {
      socket.close();
      await loop.catch(() => undefined);
    },
  };
}
