/**
 * Serialises sends on one ZeroMQ socket. zeromq.js allows a single send in flight per socket and
 * throws EBUSY otherwise, while replies here are produced by many concurrent calls. The queue is
 * bounded in bytes: when libzmq stops taking messages (its own high-water mark reached, a peer
 * that does not read) `send` throws HighWaterMarkError rather than buffering without end. A send
 * libzmq fails goes to `onError`; nothing is dropped silently.
 */
import type { Writable } from 'zeromq';
import { HighWaterMarkError } from '../errors.ts';

export class Outbox {
  private queue: Uint8Array[][] = [];
  private queuedBytes = 0;
  private draining = false;

  /**
   * @param socket the zeromq.js socket written to
   * @param onError told of each send libzmq failed while the socket was open
   * @param highWaterMarkBytes queued bytes at or past which `send` throws HighWaterMarkError
   */
  constructor(
    private readonly socket: Writable & { closed: boolean },
    private readonly onError: (err: Error) => void,
    private readonly highWaterMarkBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Queues one message; throws HighWaterMarkError when the queue holds `highWaterMarkBytes` or more. */
  send(frames: Uint8Array[]): void {
    if (this.queuedBytes >= this.highWaterMarkBytes) {
      throw new HighWaterMarkError(`${this.queuedBytes} bytes wait for libzmq to take them, at or past the send high-water mark of ${this.highWaterMarkBytes} (sendHighWaterMarkBytes)`);
    }
    this.queuedBytes += size(frames);
    this.queue.push(frames);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        this.queuedBytes -= size(next);
        if (this.socket.closed) { this.queue = []; this.queuedBytes = 0; break; }
        try {
          await this.socket.send(next);
        } catch (err) {
          if (!this.socket.closed) this.report(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private report(err: unknown): void {
    try {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    } catch (inner) {
      // A throwing listener must not turn into an unhandled rejection of drain().
      process.emitWarning(inner instanceof Error ? inner : String(inner));
    }
  }
}

function size(frames: Uint8Array[]): number {
  let n = 0;
  for (const f of frames) n += f.byteLength;
  return n;
}
