/**
 * Serialises sends on one ZeroMQ socket. zeromq.js allows a single send in flight per socket and
 * throws EBUSY otherwise, while replies here are produced by many concurrent calls.
 */
import type { Writable } from 'zeromq';

export class Outbox {
  private readonly queue: Uint8Array[][] = [];
  private draining = false;

  constructor(private readonly socket: Writable & { closed: boolean }, private readonly onError: (err: unknown) => void = () => undefined) {}

  send(frames: Uint8Array[]): void {
    this.queue.push(frames);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        if (this.socket.closed) { this.queue.length = 0; break; }
        try {
          await this.socket.send(next);
        } catch (err) {
          if (!this.socket.closed) this.onError(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
