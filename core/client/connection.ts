/**
 * A client's link to one DSO node: a DEALER (ZMTP), a sequence number per call, and the pending
 * calls keyed by it. A call not answered within `resendAfterMs` is sent again with the same
 * (client, seq), which the node applies at most once; if the node answers nothing at all for
 * `unavailableAfterMs`, pending calls fail with UnavailableError.
 */
import { randomBytes } from 'node:crypto';
import { WireCodec } from '../wire/codec.ts';
import { Kind, ObjectRef, SYSTEM_TYPE, type CallOptions } from '../wire/protocol.ts';
import { openClient, resolveTransport, type ClientSocket, type TransportKind } from '../transport/socket.ts';
import { BadFrameError, ClosedError, InvalidOptionError, UnavailableError, errorFromData, type ErrorData } from '../errors.ts';

export interface ConnectionOptions {
  /** Resend an unanswered call after this long (ms); default 5000. */
  resendAfterMs?: number;
  /** Fail pending calls when the node has been silent this long (ms); default 30000. */
  unavailableAfterMs?: number;
  /** What carries the link: `zmtp` (default, or `CRUCIAL_TRANSPORT`) or `libzmq` (zeromq.js). */
  transport?: TransportKind;
  /** Turns references received in values into local objects (proxies). */
  reviveRef?: (ref: ObjectRef, conn: Connection) => unknown;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  frames: Uint8Array[];
  sentAt: number;
}

export class Connection {
  readonly clientId = new Uint8Array(randomBytes(8));
  readonly transport: TransportKind;
  private readonly socket: ClientSocket;
  private readonly codec: WireCodec;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private lastHeard = Date.now();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private pinging = false;
  private readonly resendAfterMs: number;
  private readonly unavailableAfterMs: number;

  constructor(readonly address: string, options: ConnectionOptions = {}) {
    this.resendAfterMs = positive(options.resendAfterMs ?? 5000, 'resendAfterMs');
    this.unavailableAfterMs = positive(options.unavailableAfterMs ?? 30000, 'unavailableAfterMs');
    this.transport = resolveTransport(options.transport);
    const revive = options.reviveRef;
    this.codec = new WireCodec(revive ? (ref) => revive(ref, this) : undefined);
    // The socket is made only once the options are known good, so a refused constructor leaks nothing.
    this.socket = openClient(this.transport, address, (frames) => this.onReply(frames));
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.resendAfterMs)).unref();
  }

  /** Invokes `method` on object (type, key) at the node. */
  call(type: string, key: string, method: string, args: unknown[], opts?: CallOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new ClosedError('connection is closed'));
    const seq = ++this.seq;
    let frames: Uint8Array[];
    try {
      frames = this.codec.encodeCall(this.clientId, seq, type, key, method, args, opts);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.lastHeard = Date.now();
      this.pending.set(seq, { resolve, reject, frames, sentAt: Date.now() });
      this.socket.send(frames);
    });
  }

  /** Sends raw frames (tests of the node's handling of malformed input). */
  sendRaw(frames: Uint8Array[]): void { this.socket.send(frames); }

  ping(): Promise<unknown> { return this.call(SYSTEM_TYPE, '', 'ping', []); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const p of this.pending.values()) p.reject(new ClosedError('connection closed with the call pending'));
    this.pending.clear();
    this.socket.close();
  }

  private onReply(frames: Uint8Array[]): void {
    this.lastHeard = Date.now();
    let v: unknown[];
    try {
      v = this.codec.decodeValue(frames);
    } catch (err) {
      // A reply we cannot read still names its seq if the envelope is intact; fail that call.
      this.failUnreadable(frames, err);
      return;
    }
    const seq = v[2];
    if (typeof seq !== 'number') return;
    const p = this.pending.get(seq);
    if (!p) return; // a duplicate reply to a resent call
    this.pending.delete(seq);
    if (v[1] === Kind.OK) p.resolve(v[3]);
    else if (v[1] === Kind.ERROR) p.reject(errorFromData(v[3] as ErrorData));
    else p.reject(new BadFrameError(`unexpected reply kind ${String(v[1])}`));
  }

  private failUnreadable(frames: Uint8Array[], err: unknown): void {
    try {
      const head = new WireCodec().decodeValue(frames.slice(0, 1));
      const p = typeof head[2] === 'number' ? this.pending.get(head[2]) : undefined;
      if (p) { this.pending.delete(head[2] as number); p.reject(err); }
    } catch { /* nothing identifies the call; it will be resent */ }
  }

  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    if (now - this.lastHeard > this.unavailableAfterMs) {
      const err = () => new UnavailableError(`DSO node at ${this.address} did not answer for ${this.unavailableAfterMs} ms`);
      for (const p of this.pending.values()) p.reject(err());
      this.pending.clear();
      return;
    }
    // Parked calls (barrier, latch) legitimately stay unanswered: a ping tells a slow node from a dead one.
    if (now - this.lastHeard > this.resendAfterMs && !this.pinging) {
      this.pinging = true;
      this.ping().catch(() => undefined).finally(() => { this.pinging = false; });
    }
    for (const p of this.pending.values()) {
      if (now - p.sentAt >= this.resendAfterMs) {
        p.sentAt = now;
        this.socket.send(p.frames);
      }
    }
  }
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new InvalidOptionError(`options.${name} must be a positive number`);
  return v;
}
