/**
 * The `libzmq` transport: zeromq.js sockets behind the ClientSocket / ServerSocket interfaces.
 * libzmq sends the heartbeats (ZMQ_HEARTBEAT_IVL / TIMEOUT / TTL) and its monitor events become
 * the link's `LinkStatus`; libzmq retries a refused connect without saying why, so a plain TCP
 * probe finds the cause (ECONNREFUSED, ...) once per failed attempt, off the hot path.
 */
import { createRequire } from 'node:module';
import type { Dealer } from 'zeromq';
import { HighWaterMarkError, InvalidOptionError, UnauthorizedError } from '../errors.ts';
import { Outbox } from '../wire/outbox.ts';
import { joinFrames, type Frame } from '../wire/frames.ts';
import { LINK_DEFAULTS, type LinkListener, type LinkStatus } from './link.ts';
import { parseEndpoint, probeTcp } from './zmtp/endpoint.ts';
import type { ClientSocket, ClientSocketOptions, ServerHandler, ServerSocket } from './socket.ts';
import type { ClientSecurity, ServerSecurity } from './security.ts';
import { registerZap } from './zap.ts';

const requireHere = createRequire(import.meta.url);
let zmq: typeof import('zeromq') | undefined;

/** zeromq.js (a native addon, ~20 ms to load) loads only when this transport is chosen. */
function zeromq(): typeof import('zeromq') {
  try {
    return (zmq ??= requireHere('zeromq') as typeof import('zeromq'));
  } catch (cause) {
    throw new InvalidOptionError(`the libzmq transport needs zeromq.js, which did not load here (${(cause as Error).message.split('\n')[0]}): install it (npm install zeromq) or use the default transport (unset CRUCIAL_TRANSPORT)`);
  }
}

/**
 * libzmq queues up to this many messages for the node; past it a DEALER's send waits and the
 * Outbox fills up to its byte mark. The node's ROUTER keeps libzmq's unbounded queue (HWM 0):
 * libzmq counts messages, not bytes, and a ROUTER past its mark drops replies, which for a reply
 * over 64 KiB (not kept for resends) would lose it.
 */
const LIBZMQ_HWM_MESSAGES = 1000;

export class LibzmqClient implements ClientSocket {
  private readonly socket: Dealer;
  private readonly outbox: Outbox;
  private readonly onStatus: LinkListener;
  private up = false;
  private everUp = false;
  private probing = false;
  private lastError: Error | undefined;
  /** What ended the last link, kept while no link is up. */
  private lost: Error | undefined;
  private readonly mechanism: string;

  constructor(private readonly address: string, onMessage: (frames: Uint8Array[]) => void, opts: ClientSocketOptions = {}) {
    const listener = opts.onStatus;
    this.onStatus = (status) => {
      try {
        listener?.(status);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : String(err));
      }
    };
    const heartbeatInterval = opts.heartbeatIvlMs ?? LINK_DEFAULTS.heartbeatIvlMs;
    this.mechanism = opts.security?.mechanism ?? 'NULL';
    this.socket = new (zeromq().Dealer)({
      linger: 0,
      receiveHighWaterMark: 0,
      sendHighWaterMark: LIBZMQ_HWM_MESSAGES,
      reconnectInterval: 100,
      reconnectMaxInterval: 2000,
      heartbeatInterval,
      ...(heartbeatInterval > 0 ? {
        heartbeatTimeout: opts.heartbeatTimeoutMs ?? LINK_DEFAULTS.heartbeatTimeoutMs,
        heartbeatTimeToLive: opts.heartbeatTtlMs ?? LINK_DEFAULTS.heartbeatTtlMs,
      } : {}),
      ...clientSecurityOptions(opts.security),
    });
    this.outbox = new Outbox(this.socket, (cause) => this.onStatus({ type: 'error', cause }), opts.sendHighWaterMarkBytes ?? LINK_DEFAULTS.sendHighWaterMarkBytes);
    this.watch();
    this.socket.connect(address);
    void this.receive(onMessage);
  }

  /** libzmq sends each array element as a frame of its own: a scattered frame goes joined. */
  send(frames: readonly Frame[]): void { this.outbox.send(joinFrames(frames)); }

  downCause(): Error { return this.lastError ?? new Error(`connecting to ${this.address}`); }

  close(): void { this.socket.close(); }

  /** Never rejects: a failed receive or a throwing handler is reported, not left to become an unhandled rejection. */
  private async receive(onMessage: (frames: Uint8Array[]) => void): Promise<void> {
    try {
      for await (const frames of this.socket) {
        try {
          onMessage(frames);
        } catch (err) {
          this.onStatus({ type: 'error', cause: asError(err) });
        }
      }
    } catch (err) {
      if (!this.socket.closed) this.down(asError(err), 'error');
    }
  }

  private watch(): void {
    const events = this.socket.events;
    events.on('handshake', () => {
      this.up = true;
      this.lastError = this.lost = undefined;
      const reconnect = this.everUp;
      this.everUp = true;
      this.onStatus({ type: reconnect ? 'reconnect' : 'connect' });
    });
    events.on('disconnect', () => {
      if (!this.up) return;
      this.lost = new Error(`link to ${this.address} lost: the peer closed it, or sent nothing within the heartbeat timeout`);
      this.down(this.lost);
    });
    const failed = (e: { error: Error }) => void this.probe(new Error(`ZMTP handshake with ${this.address} failed: ${e.error.message}`, { cause: e.error }));
    // The node refused our credentials (its ERROR), or demands a mechanism we do not speak.
    const refused = (e: { error: Error & { code?: string } }) => {
      const why = `${e.error.message}${e.error.code ? `, ${e.error.code}` : ''}`;
      this.down(new UnauthorizedError(e.error.code === 'ERR_ZMTP_MECHANISM_MISMATCH'
        ? `the DSO node at ${this.address} requires another ZMTP security mechanism than this client's ${this.mechanism}: set CRUCIAL_TOKEN or CRUCIAL_TOKEN_FILE, or pass a token (${why})`
        : `the DSO node at ${this.address} refused this client's ${this.mechanism} credentials: check the token or key (${why})`, { cause: e.error }));
    };
    const AUTH_CODES: string[] = ['ERR_ZMTP_MECHANISM_MISMATCH', 'ERR_ZMTP_MALFORMED_COMMAND_ERROR', 'ERR_ZMTP_CRYPTOGRAPHIC', 'ERR_ZMTP_KEY_EXCHANGE'];
    events.on('handshake:error:auth', refused);
    // libzmq 4.3's PLAIN spells ERROR's name "\x05ERROR" in C, which reads as "\x5eRROR": it sends
    // that and takes a node's well-formed ERROR for an unexpected command. Under PLAIN, that is our refusal.
    const refusal = (code: string) => AUTH_CODES.includes(code) || (this.mechanism === 'PLAIN' && code === 'ERR_ZMTP_UNEXPECTED_COMMAND');
    events.on('handshake:error:protocol', (e) => (refusal(e.error.code) ? refused(e) : failed(e)));
    // libzmq reports a node that dropped the link after our credentials as a broken pipe.
    events.on('handshake:error:other', (e) => (this.mechanism !== 'NULL' ? refused(e) : failed(e)));
    events.on('connect:retry', () => void this.probe());
    // TCP is up; a peer that then says nothing (frozen, another protocol) triggers no libzmq event.
    events.on('connect', () => {
      setTimeout(() => {
        if (!this.up && !this.lastError && !this.socket.closed) this.lastError = new Error(`TCP connected to ${this.address}, but the peer sent no ZMTP handshake yet`);
      }, 500).unref();
    });
  }

  /** Learns the cause with a probe; `known` (a failed handshake) stands unless the probe says more. */
  private async probe(known?: Error): Promise<void> {
    if (this.probing || this.up || this.socket.closed) return;
    this.probing = true;
    const target = parseEndpoint(this.address);
    // A Unix socket has no TCP to probe: the handshake's own error stands.
    const found = target.kind === 'tcp' ? await probeTcp(target.host, target.port) : null;
    this.probing = false;
    if (this.up || this.socket.closed) return;
    const cause = found && !(known && !(found as { code?: string }).code && !/not a ZMTP peer|mechanism/.test(found.message)) ? found : known;
    this.down(cause ?? new Error(`${this.address} speaks ZMTP, but the link with it was lost or its handshake failed`));
  }

  private down(cause: Error, type: LinkStatus['type'] = 'disconnect'): void {
    this.up = false;
    // After a lost link, what has happened since comes after what ended it.
    if (this.lost && cause !== this.lost) cause = Object.assign(new Error(`${this.lost.message}; since then: ${cause.message}`, { cause }), { code: (cause as { code?: string }).code });
    this.lastError = cause;
    this.onStatus({ type, cause } as LinkStatus);
  }
}

/** libzmq's options for a client's credentials. */
function clientSecurityOptions(security: ClientSecurity | null | undefined): Record<string, unknown> {
  if (!security) return {};
  if (security.mechanism === 'PLAIN') return { plainUsername: security.username, plainPassword: security.password };
  return { curveServerKey: security.serverKey, curvePublicKey: security.publicKey, curveSecretKey: security.secretKey };
}

/**
 * A libzmq ROUTER that checks credentials: libzmq runs the PLAIN or CURVE handshake and asks the
 * ZAP handler (zap.ts) about each peer. libzmq does not hand the peer's user id to zeromq.js with
 * its messages, so `onMessage` gets no `user`: a node with namespaces needs the zmtp transport.
 */
export async function bindLibzmqServer(endpoint: string, onMessage: ServerHandler, onErrorOption: (err: Error) => void = warn, security?: ServerSecurity, maxMessageBytes?: number): Promise<ServerSocket> {
  const onError = (err: Error) => {
    try {
      onErrorOption(err);
    } catch (inner) {
      warn(asError(inner));
    }
  };
  const zap = security ? await registerZap(zeromq(), security) : null;
  const socket = new (zeromq().Router)({
    linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0,
    // ZMQ_MAXMSGSIZE: libzmq drops a peer as soon as a frame declares more, instead of reading it
    // whole first. Twice the limit: a request somewhat over it still gets its typed error from the
    // node (PAYLOAD_TOO_LARGE, which checks the total), a far larger one costs nothing.
    ...(maxMessageBytes ? { maxMessageSize: Math.min(2 * maxMessageBytes, 2 ** 62) } : {}),
    ...(zap ? { zapDomain: zap.domain } : {}),
    ...(security?.mechanism === 'PLAIN' ? { plainServer: true } : {}),
    ...(security?.mechanism === 'CURVE' ? { curveServer: true, curveSecretKey: security.secretKey, curvePublicKey: security.publicKey } : {}),
  });
  const outbox = new Outbox(socket, onError, LINK_DEFAULTS.sendHighWaterMarkBytes);
  try {
    await socket.bind(endpoint);
  } catch (err) {
    socket.close();
    zap?.release();
    throw err;
  }
  const loop = (async () => {
    try {
      for await (const [route, ...frames] of socket) {
        try {
          onMessage(route!, frames, frames.reduce((n, f) => n + f.byteLength, 0));
        } catch (err) {
          onError(asError(err));
        }
      }
    } catch (err) {
      if (!socket.closed) onError(asError(err));
    }
  })();
  return {
    endpoint: socket.lastEndpoint ?? endpoint,
    send: (route, frames) => {
      try {
        outbox.send([route, ...joinFrames(frames)]);
        return true;
      } catch (err) {
        if (err instanceof HighWaterMarkError) return false;
        throw err;
      }
    },
    close: async () => {
      socket.close();
      await loop;
      zap?.release();
    },
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function warn(err: Error): void {
  process.emitWarning(err);
}
