/**
 * What a ZMTP link (peer.ts) is given and what it reports: its options, the handlers a dealer or
 * router passes it, and the error a silent peer ends it with. Kept apart so the link's state
 * machine reads on its own.
 */
import type { OnReadOpts, Socket } from 'node:net';
import type { ByteBudget } from '../budget.ts';
import type { HandshakeFactory } from './mechanism.ts';

export type SocketType = 'DEALER' | 'ROUTER';

/** Opens the link's socket, given read options it should pass to node:net when it can. */
export type OpenSocket = (onread: OnReadOpts) => Socket;

export interface PeerHandlers {
  /** `user`: the id a server's `authenticate` gave the peer (PLAIN, CURVE); absent under NULL. */
  ready(props: Map<string, Buffer>, user?: string): void;
  /**
   * A whole message. When it exceeded `maxMessageBytes`, `frames` holds only the frames read before
   * the limit (when the first frame alone was over, its first HEAD_BYTES: the envelope's seq) and
   * `bytes` the full size.
   */
  message(frames: Buffer[], bytes: number): void;
  /** The link is gone; `err` says why, and is absent only after a local `destroy()`. */
  closed(err?: Error): void;
}

export interface PeerOptions {
  socketType: SocketType;
  /** Sent as the Identity property, which a ROUTER uses as this peer's routing id. */
  identity?: Uint8Array;
  maxMessageBytes?: number;
  handshakeTimeoutMs?: number;
  /** PING after this long (ms) with nothing received; 0 or absent: no PINGs of our own. */
  heartbeatIvlMs?: number;
  /** Drop the link when nothing arrives this long (ms) after our PING; default `heartbeatIvlMs`. */
  heartbeatTimeoutMs?: number;
  /** TTL sent in our PINGs (ms): the peer drops the link when it hears nothing from us that long. */
  heartbeatTtlMs?: number;
  /** Unwritten bytes past which `send` throws HighWaterMarkError; default unbounded. */
  sendHighWaterMarkBytes?: number;
  /** The security mechanism's handshake (mechanism.ts); absent: NULL. */
  handshake?: HandshakeFactory;
  /** Shared budget for the frames of messages not yet complete; a frame past it is skipped and its message marked refused. */
  partialBudget?: ByteBudget;
  /** Drop the link when a message started and unfinished gets no byte for this long (ms); absent or 0: never. */
  readTimeoutMs?: number;
}

/** The peer sent nothing within the heartbeat timeout (or within the TTL its own PING asked for). */
export class HeartbeatTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeartbeatTimeoutError';
  }
}
