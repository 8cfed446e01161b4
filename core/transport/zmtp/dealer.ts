/**
 * A ZMTP DEALER with one peer: connects, reconnects after a lost link the way libzmq does
 * (`reconnectIvlMs`, doubling up to `reconnectIvlMaxMs`), and holds messages sent while no link
 * is up until the next handshake. Messages already written to a link that then drops are lost,
 * as with libzmq; crucial's connection resends unanswered calls, and the node applies each once.
 */
import { connect as tcpConnect } from 'node:net';
import { ZmtpPeer } from './peer.ts';
import { parseTcpEndpoint } from './endpoint.ts';

export interface DealerOptions {
  identity?: Uint8Array;
  reconnectIvlMs?: number;
  reconnectIvlMaxMs?: number;
}

export class ZmtpDealer {
  private peer: ZmtpPeer | null = null;
  private queue: (readonly Uint8Array[])[] = [];
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly target: { host: string; port: number };
  private readonly baseIvl: number;
  private readonly maxIvl: number;
  private ivl: number;

  constructor(readonly endpoint: string, private readonly onMessage: (frames: Buffer[]) => void, private readonly opts: DealerOptions = {}) {
    this.target = parseTcpEndpoint(endpoint);
    this.baseIvl = opts.reconnectIvlMs ?? 100;
    this.maxIvl = opts.reconnectIvlMaxMs ?? 2000;
    this.ivl = this.baseIvl;
    this.dial();
  }

  /** Whether a link is up and handshaken. */
  get connected(): boolean { return this.peer?.ready ?? false; }

  send(frames: readonly Uint8Array[]): void {
    if (this.closed) return;
    if (this.peer?.ready) this.peer.send(frames);
    else this.queue.push(frames);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.queue = [];
    this.peer?.destroy();
    this.peer = null;
  }

  private dial(): void {
    const peer = new ZmtpPeer((onread) => tcpConnect({ ...this.target, onread }), { socketType: 'DEALER', identity: this.opts.identity }, {
      ready: () => {
        this.ivl = this.baseIvl;
        const queued = this.queue;
        this.queue = [];
        for (const frames of queued) peer.send(frames);
      },
      message: (frames) => this.onMessage(frames),
      closed: () => {
        if (this.peer !== peer) return;
        this.peer = null;
        if (this.closed) return;
        this.retryTimer = setTimeout(() => this.dial(), this.ivl);
        this.ivl = Math.min(this.ivl * 2, this.maxIvl);
      },
    });
    this.peer = peer;
  }
}
