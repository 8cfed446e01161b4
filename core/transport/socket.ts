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

export type TransportKind = 'zmtp' | 'libzmq';
export const TRANSPORTS: readonly TransportKind[] = ['zmtp', 'libzmq'];

/** A DEALER-side link to one node. Replies arrive through the handler given when it was opened. */
export interface ClientSocket {
  send(frames: readonly Uint8Array[]): void;
  close(): void;
}

/** A ROUTER-side endpoint. Requests arrive with the sender's route; a reply goes back by it. */
export interface ServerSocket {
  readonly endpoint: string;
  send(route: Uint8Array, frames: readonly Uint8Array[]): void;
  close(): Promise<void>;
}

/** `bytes` is the request's full size; over `maxMessageBytes` only its first frames are in `frames`. */
export type ServerHandler = (route: Uint8Array, frames: Uint8Array[], bytes: number) => void;

/** The transport named by the option, else by `CRUCIAL_TRANSPORT`, else `zmtp`. */
export function resolveTransport(kind?: string): TransportKind {
  const k = kind ?? process.env.CRUCIAL_TRANSPORT ?? 'zmtp';
  if (!(TRANSPORTS as readonly string[]).includes(k)) {
    throw new InvalidOptionError(`transport must be one of ${TRANSPORTS.join(', ')} (got ${JSON.stringify(k)})`);
  }
  return k as TransportKind;
}

export function openClient(kind: TransportKind, address: string, onMessage: (frames: Uint8Array[]) => void): ClientSocket {
  return kind === 'zmtp' ? new ZmtpDealer(address, onMessage) : new LibzmqClient(address, onMessage);
}

export async function bindServer(kind: TransportKind, endpoint: string, onMessage: ServerHandler, opts: { maxMessageBytes: number }): Promise<ServerSocket> {
  if (kind === 'libzmq') return bindLibzmqServer(endpoint, onMessage);
  const router = new ZmtpRouter(onMessage, { maxMessageBytes: opts.maxMessageBytes });
  await router.bind(endpoint);
  return router;
}
