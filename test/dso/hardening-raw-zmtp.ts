/**
 * A bare ZMTP 3.1 DEALER over node:net (NULL mechanism) for the hardening tests: it can stop in the
 * middle of a frame, which no real client does, and it tells when the node closes the connection.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { FrameDecoder } from '../../core/protocol/transport/zmtp/decoder.ts';
import { Flag, encodeCommand, encodeMetadata, encodeMessage, frameHeader, greeting } from '../../core/protocol/transport/zmtp/wire.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';

/** One decoded reply envelope: [version, kind, seq, payload]. */
export type ReplyEnvelope = unknown[];

export class RawDealer {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private readonly replies: ReplyEnvelope[] = [];
  private readonly waiting: ((r: ReplyEnvelope) => void)[] = [];
  private frames: Buffer[] = [];
  private readonly codec = new WireCodec();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => { /* a close follows */ });
    const decoder = new FrameDecoder({
      greeting: () => {},
      accept: () => true,
      frame: (flags, body) => {
        if (flags & Flag.COMMAND) { this.onCommand(); return; }
        this.frames.push(body!);
        if (flags & Flag.MORE) return;
        const r = this.codec.decodeValue(this.frames);
        this.frames = [];
        const w = this.waiting.shift();
        if (w) w(r); else this.replies.push(r);
      },
    });
    socket.on('data', (d: Buffer) => decoder.push(d));
  }

  private onCommand: () => void = () => {};

  /** Connects and returns once the node's READY is in (libzmq loses a message sent before it). */
  static async open(address: string): Promise<RawDealer> {
    const m = /^tcp:\/\/(.+):(\d+)$/.exec(address)!;
    const socket = connect(Number(m[2]), m[1]!);
    await once(socket, 'connect');
    const d = new RawDealer(socket);
    const ready = new Promise<void>((resolve) => { d.onCommand = resolve; });
    socket.write(Buffer.concat([greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'DEALER', Identity: '' }))]));
    await Promise.race([ready, d.closed]);
    d.onCommand = () => {};
    return d;
  }

  /** The next reply, in arrival order. */
  next(): Promise<ReplyEnvelope> {
    const r = this.replies.shift();
    return r ? Promise.resolve(r) : new Promise((resolve) => this.waiting.push(resolve));
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** The wire bytes of a whole message. */
  static message(frames: Uint8Array[]): Buffer { return encodeMessage(frames); }

  /** The header of a last frame of `size` bytes (the body is the caller's to send, or not). */
  static header(size: number): Buffer { return frameHeader(0, size); }

  close(): void { this.socket.destroy(); }
}
