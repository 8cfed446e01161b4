/**
 * A ZMTP DEALER with one peer: connects, reconnects after a lost link the way libzmq does
 * (`reconnectIvlMs`, doubling up to `reconnectIvlMaxMs`), and holds messages sent while no link
 * is up until the next handshake. Messages already written to a link that then drops are lost,
 * as with libzmq; the link reports every change (`LinkStatus`) so crucial's connection resends
 * unanswered calls at once, and the node applies each once. Heartbeats find a half-open link.
 */
import { connect as tcpConnect } from 'node:net';
import { HighWaterMarkError } from '../../errors.ts';
import { LINK_DEFAULTS, type LinkListener, type LinkOptions } from '../link.ts';
import { HeartbeatTimeoutError, ZmtpPeer } from './peer.ts';
import { parseEndpoint, type Endpoint } from './endpoint.ts';
import { clientHandshake } from './mechanism.ts';
import type { ClientSecurity } from '../security.ts';
import type { Frame } from '../../wire/frames.ts';

export interface DealerOptions extends LinkOptions {
  identity?: Uint8Array;
  reconnectIvlMs?: number;
  reconnectIvlMaxMs?: number;
  /** Give up a TCP connection whose ZMTP handshake has not completed after this long (ms); default 30000. */
  handshakeTimeoutMs?: number;
  /** Told of every change in the link. */
  onStatus?: LinkListener;
  /**
   * Credentials for a node that demands them (PLAIN, CURVE); absent: NULL. A function is asked
   * again at each connect, so a node that starts (or restarts with a new token) after the dealer is found.
   */
  security?: ClientSecurity | (() => ClientSecurity | undefined);
}

export class ZmtpDealer {
  private peer: ZmtpPeer | null = null;
  private queue: (readonly Frame[])[] = [];
  private queuedBytes = 0;
  private closed = false;
  private everUp = false;
  private lastError: Error | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly target: Endpoint;
  private readonly baseIvl: number;
  private readonly maxIvl: number;
  private readonly hwm: number;
  private ivl: number;
  /** Whether the socket and the reconnect timer keep the process alive (holdProcess). */
  private holds = true;

  constructor(readonly endpoint: string, private readonly onMessage: (frames: Buffer[]) => void, private readonly opts: DealerOptions = {}) {
    this.target = parseEndpoint(endpoint);
    this.baseIvl = opts.reconnectIvlMs ?? 100;
    this.maxIvl = opts.reconnectIvlMaxMs ?? 2000;
    this.hwm = opts.sendHighWaterMarkBytes ?? LINK_DEFAULTS.sendHighWaterMarkBytes;
    this.ivl = this.baseIvl;
    this.dial();
  }

  /** Whether a link is up and handshaken. */
  get connected(): boolean { return this.peer?.ready ?? false; }

  /** Sends now, or queues until the next handshake; throws HighWaterMarkError past `sendHighWaterMarkBytes`. */
  send(frames: readonly Frame[]): void {
    if (this.closed) return;
    const peer = this.peer;
    if (peer !== null && peer.ready) {
      peer.send(frames);
      return;
    }
    if (this.queuedBytes >= this.hwm) {
      throw new HighWaterMarkError(`${this.queuedBytes} bytes are queued for ${this.endpoint} while no link is up, at or past the send high-water mark of ${this.hwm} (sendHighWaterMarkBytes)`);
    }
    for (const f of frames) this.queuedBytes += f.byteLength;
    this.queue.push(frames);
  }

  /** Why no link is up: the failure that ended the last link or attempt, else what the current attempt waits for. */
  downCause(): Error {
    if (this.lastError) return this.lastError;
    if (this.peer?.handshaking) return new Error(`connected to ${this.endpoint}, but the peer sent no ZMTP handshake yet`);
    return new Error(`connecting to ${this.endpoint}`);
  }

  /** Whether this dealer's socket (and its reconnect timer) keeps the process alive; default true. */
  holdProcess(on: boolean): void {
    this.holds = on;
    const s = this.peer?.socket;
    if (s) { if (on) s.ref(); else s.unref(); }
    if (this.retryTimer) { if (on) this.retryTimer.ref(); else this.retryTimer.unref(); }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.queue = [];
    this.queuedBytes = 0;
    this.peer?.destroy();
    this.peer = null;
  }

  private handshake(): ReturnType<typeof clientHandshake> | undefined {
    const s = typeof this.opts.security === 'function' ? this.opts.security() : this.opts.security;
    return s ? clientHandshake(s) : undefined;
  }

  private dial(): void {
    const o = this.opts;
    const heartbeatIvlMs = o.heartbeatIvlMs ?? LINK_DEFAULTS.heartbeatIvlMs;
    const t = this.target;
    const peer = new ZmtpPeer((onread) => tcpConnect(t.kind === 'ipc' ? { path: t.path, onread } : { host: t.host, port: t.port, onread }), {
      socketType: 'DEALER',
      identity: o.identity,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      heartbeatIvlMs,
      heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? LINK_DEFAULTS.heartbeatTimeoutMs,
      heartbeatTtlMs: o.heartbeatTtlMs ?? LINK_DEFAULTS.heartbeatTtlMs,
      sendHighWaterMarkBytes: this.hwm,
      handshake: this.handshake(),
    }, {
      ready: () => {
        this.ivl = this.baseIvl;
        this.lastError = undefined;
        const queued = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        // The queue was bounded when filled, so the socket may take it all at once.
        for (const frames of queued) peer.write(frames);
        const reconnect = this.everUp;
        this.everUp = true;
        this.opts.onStatus?.({ type: reconnect ? 'reconnect' : 'connect' });
      },
      message: (frames) => this.onMessage(frames),
      closed: (err) => {
        if (this.peer !== peer) return;
        this.peer = null;
        if (this.closed) return;
        const cause = err ?? new Error('link closed');
        this.lastError = cause;
        this.retryTimer = setTimeout(() => this.dial(), this.ivl);
        if (!this.holds) this.retryTimer.unref();
        this.ivl = Math.min(this.ivl * 2, this.maxIvl);
        if (cause instanceof HeartbeatTimeoutError) this.opts.onStatus?.({ type: 'stale', cause });
        this.opts.onStatus?.({ type: 'disconnect', cause });
      },
    });
    this.peer = peer;
    if (!this.holds) peer.socket.unref();
  }
}
