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
import { credentialsFor } from './credentials.ts';
import type { Frame } from '../wire/frames.ts';

/** A client/server transport: crucial's own ZMTP over `node:net` (`zmtp`, default) or zeromq.js (`libzmq`). */
export type TransportKind = 'zmtp' | 'libzmq';
export const TRANSPORTS: readonly TransportKind[] = ['zmtp', 'libzmq'];

/**
 * A DEALER-side link to one node. Replies arrive through the handler given when it was opened;
 * changes in the link through `onStatus`.
 */
export interface ClientSocket {
  /** Sends now or queues until the link is up; throws HighWaterMarkError past the send high-water mark. A ScatterFrame's pieces are read when written. */
  send(frames: readonly Frame[]): void;
  /** Why no link is up (the last failure with its cause, or what the link waits for). */
  downCause(): Error;
  close(): void;
  /** Whether the socket keeps the process alive (default yes); zmtp only, a libzmq socket always does. */
  holdProcess?(on: boolean): void;
}

export interface ClientSocketOptions extends LinkOptions {
  onStatus?: LinkListener;
  /**
   * Credentials for a node that demands them. Absent: found as credentials.ts says (a node of this
   * process, CRUCIAL_TOKEN_FILE / CRUCIAL_TOKEN, the runtime file of a node on loopback); null: none (NULL).
   */
  security?: ClientSecurity | null;
}

/** A ROUTER-side endpoint. Requests arrive with the sender's route; a reply goes back by it. */
export interface ServerSocket {
  readonly endpoint: string;
  /** False when the message was dropped: unknown route, or that peer's send high-water mark reached. */
  send(route: Uint8Array, frames: readonly Frame[]): boolean;
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

/** @throws {InvalidOptionError} if the address is not `tcp://host:port` (or `ipc://path`, zmtp), or `CRUCIAL_TOKEN_FILE` cannot be read */
export function openClient(kind: TransportKind, address: string, onMessage: (frames: Uint8Array[]) => void, opts: ClientSocketOptions = {}): ClientSocket {
  if (kind === 'libzmq') {
    // libzmq takes its credentials once, when the socket is made.
    return new LibzmqClient(address, onMessage, { ...opts, security: opts.security === undefined ? credentialsFor(address) : opts.security });
  }
  // Looked up again at each connect: the node may start, or restart with a new token, after this client.
  if (opts.security !== undefined) return new ZmtpDealer(address, onMessage, { ...opts, security: opts.security ?? undefined });
  credentialsFor(address); // a CRUCIAL_TOKEN_FILE that cannot be read fails here, not in a reconnect
  return new ZmtpDealer(address, onMessage, { ...opts, security: () => { try { return credentialsFor(address); } catch { return undefined; } } });
}

export interface ServerSocketOptions {
  maxMessageBytes: number;
  /** Problems that end no link (a failed send, a handler that threw on the libzmq transport); default: a process warning. */
  onError?: (err: Error) => void;
  /** What clients must present (PLAIN, CURVE); absent: NULL, anyone who reaches the port may call. */
  security?: ServerSecurity;
  /** zmtp: bytes of unfinished requests all connections together may hold (budget.ts); default unbounded. */
  maxPartialBytes?: number;
  /** zmtp: drop a connection whose started request gets no byte for this long (ms); default never. */
  readTimeoutMs?: number;
  /** zmtp: told the route of each peer whose link is gone (closed, failed, or silent past the heartbeats). */
  onDisconnect?: (route: Uint8Array) => void;
  /** zmtp: PING a peer after this long (ms) with nothing from it; absent or 0: only the peers' own TTLs apply. */
  heartbeatIvlMs?: number;
  /** zmtp: drop a peer that sends nothing this long (ms) after the node's PING. */
  heartbeatTimeoutMs?: number;
  /** zmtp: listen on this inherited listening socket (TCP, or Unix for an ipc:// endpoint) instead of binding the endpoint. */
  listenFd?: number;
  /** zmtp: a byte that sets this socket's generated routing ids apart from another socket's of the same node. */
  routeTag?: number;
  /** zmtp: false: the listening socket and its connections do not keep the process alive (an embedded node). Default true. */
  holdsProcess?: boolean;
}

export async function bindServer(kind: TransportKind, endpoint: string, onMessage: ServerHandler, opts: ServerSocketOptions): Promise<ServerSocket> {
  if (kind === 'libzmq' && opts.listenFd !== undefined) throw new InvalidOptionError('listenFd needs the zmtp transport');
  if (kind === 'libzmq') return bindLibzmqServer(endpoint, onMessage, opts.onError, opts.security, opts.maxMessageBytes);
  const router = new ZmtpRouter(onMessage, {
    maxMessageBytes: opts.maxMessageBytes, security: opts.security, maxPartialBytes: opts.maxPartialBytes, readTimeoutMs: opts.readTimeoutMs, onDisconnect: opts.onDisconnect,
    heartbeatIvlMs: opts.heartbeatIvlMs, heartbeatTimeoutMs: opts.heartbeatTimeoutMs, routeTag: opts.routeTag, holdsProcess: opts.holdsProcess,
  });
  await router.bind(endpoint, opts.listenFd);
  return router;
}
