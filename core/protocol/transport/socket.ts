/**
 * The two ends of a DSO link, independent of what carries them. Both transports speak ZMTP 3 on
 * the wire, so either end interoperates with the other and with any libzmq socket (pyzmq):
 * - `zmtp`  : crucial's own ZMTP over node:net, the default. A message costs one write and one
 *             read on the event loop, close to a bare TCP round trip.
 * - `libzmq`: zeromq.js (`zeromq` v6), through libzmq's I/O thread and a poller on each side;
 *             about twice the round-trip time of `zmtp` (bench/RESULTS.md), kept for comparison
 *             and for users who want libzmq's own engine.
 */
import { InvalidOptionError } from '../errors.ts';
import { ZmtpDealer } from './zmtp/dealer.ts';
import { ZmtpRouter } from './zmtp/router.ts';
import { LibzmqClient, bindLibzmqServer } from './libzmq.ts';
import type { LinkListener, LinkOptions } from './link.ts';
import type { ClientSecurity, ServerSecurity } from './security.ts';

/** A client/server transport: crucial's own ZMTP over `node:net` (`zmtp`, default) or zeromq.js (`libzmq`). */
export type TransportKind = 'zmtp' | 'libzmq';
export const TRANSPORTS: readonly TransportKind[] = ['zmtp', 'libzmq'];

/**
 * A DEALER-side link to one node. Replies arrive through the handler given when it was opened;
 * changes in the link through `onStatus`.
 */
export interface ClientSocket {
  /** Sends now or queues until the link is up; throws HighWaterMarkError past the send high-water mark. */
  send(frames: readonly Uint8Array[]): void;
  /** Why no link is up (the last failure with its cause, or what the link waits for). */
  downCause(): Error;
  close(): void;
}

export interface ClientSocketOptions extends LinkOptions {
  onStatus?: LinkListener;
  /** Credentials for a node that demands them; absent: the NULL mechanism. */
  security?: ClientSecurity;
}

/** A ROUTER-side endpoint. Requests arrive with the sender's route; a reply goes back by it. */
export interface ServerSocket {
  readonly endpoint: string;
  /** False when the message was dropped: unknown route, or that peer's send high-water mark reached. */
  send(route: Uint8Array, frames: readonly Uint8Array[]): boolean;
  close(): Promise<void>;
}

/**
 * `bytes` is the request's full size; over `maxMessageBytes` only its first frames are in `frames`.
 * `user` is the id the server's `security.authenticate` gave the sender (absent under NULL).
 */
export type ServerHandler = (route: Uint8Array, frames: Uint8Array[], bytes: number, user?: string) => void;

/** The transport named by the option, else by `CRUCIAL_TRANSPORT`, else `zmtp`. */
export function resolveTransport(kind?: string): TransportKind {
  const k = kind ?? process.env.CRUCIAL_TRANSPORT ?? 'zmtp';
  if (!(TRANSPORTS as readonly string[]).includes(k)) {
    throw new InvalidOptionError(`transport must be one of ${TRANSPORTS.join(', ')} (got ${JSON.stringify(k)})`);
  }
  return k as TransportKind;
}

export function openClient(kind: TransportKind, address: string, onMessage: (frames: Uint8Array[]) => void, opts: ClientSocketOptions = {}): ClientSocket {
  return kind === 'zmtp' ? new ZmtpDealer(address, onMessage, opts) : new LibzmqClient(address, onMessage, opts);
}

export interface ServerSocketOptions {
  maxMessageBytes: number;
  /** Problems that end no link (a failed send, a handler that threw on the libzmq transport); default: a process warning. */
  onError?: (err: Error) => void;
  /** What clients must present (PLAIN, CURVE); absent: NULL, anyone who reaches the port may call. */
  security?: ServerSecurity;
}

export async function bindServer(kind: TransportKind, endpoint: string, onMessage: ServerHandler, opts: ServerSocketOptions): Promise<ServerSocket> {
  if (kind === 'libzmq') return bindLibzmqServer(endpoint, onMessage, opts.onError, opts.security);
  const router = new ZmtpRouter(onMessage, { maxMessageBytes: opts.maxMessageBytes, security: opts.security });
  await router.bind(endpoint);
  return router;
}
