/**
 * A client's link to one DSO node: a DEALER (ZMTP), a sequence number per call, and the pending
 * calls keyed by it. A call not answered within `resendAfterMs` is sent again with the same
 * (client, seq), which the node applies at most once; calls written to a link that was then lost
 * are sent again as soon as the link is back. Pending calls fail with UnavailableError, whose
 * `cause` is the link's last failure, when no link is up for `unavailableAfterMs`, or when the node
 * answers nothing, not even a ping, for `resendAfterMs + unavailableAfterMs`.
 */
import { randomBytes } from 'node:crypto';
import { WireCodec } from '../protocol/wire/codec.ts';
import type { Frame } from '../protocol/wire/frames.ts';
import { ArrowPending, loadArrow } from '../protocol/wire/arrow.ts';
import { Kind, ObjectRef, SYSTEM_TYPE, type CallOptions } from '../protocol/wire/protocol.ts';
import { peekReplySeq, type Reply } from '../protocol/wire/reply.ts';
import { openClient, resolveTransport, type ClientSocket, type TransportKind } from '../protocol/transport/socket.ts';
import type { LinkListener, LinkOptions, LinkStatus } from '../protocol/transport/link.ts';
import { ClosedError, InvalidOptionError, UnauthorizedError, UnavailableError, errorFromData, type ErrorData } from '../protocol/errors.ts';
import type { ClientSecurity } from '../protocol/transport/security.ts';
import { PLAIN_USERNAME } from '../protocol/transport/credentials.ts';
import { PendingCalls } from './pending.ts';
import { IdleSpin, idleSpinOption } from '../protocol/transport/idle-spin.ts';

/** Default of `unavailableAfterMs` when neither the option nor `CRUCIAL_UNAVAILABLE_MS` is set. */
const UNAVAILABLE_AFTER_MS = 2000;

export interface ConnectionOptions extends LinkOptions {
  /** Resend an unanswered call after this long (ms); default 5000. */
  resendAfterMs?: number;
  /**
   * How long (ms) pending calls wait for a link to the node (refused, lost, or a peer that does not
   * speak ZMTP), or for an answer to a ping on a silent link, before failing with UnavailableError.
   * Default: `CRUCIAL_UNAVAILABLE_MS`, else 2000.
   */
  unavailableAfterMs?: number;
  /** What carries the link: `zmtp` (default, or `CRUCIAL_TRANSPORT`) or `libzmq` (zeromq.js). */
  transport?: TransportKind;
  /** Turns references received in values into local objects (proxies). */
  reviveRef?: (ref: ObjectRef, conn: Connection) => unknown;
  /** The node's PLAIN token. Default: found as `security` says. */
  token?: string;
  /**
   * Credentials (PLAIN or CURVE) for the handshake; null: none. Default: those of a node started in
   * this process at `address`, else `CRUCIAL_TOKEN_FILE` / `CRUCIAL_TOKEN` (for the node `CRUCIAL_DSO`
   * names), else the runtime file `crucial dso start` wrote for a node on loopback (README, "Trust model").
   */
  security?: ClientSecurity | null;
  /**
   * After sending a call, keep this thread's event loop turning for up to this long (µs) for the
   * reply instead of sleeping, while the machine has cores to spare (see README, "Idle spin"); 0
   * turns it off. Default: `CRUCIAL_IDLE_SPIN_US`, else 200.
   */
  idleSpinUs?: number;
  /**
   * Whether the connection keeps the process alive while no call is pending (default true, as an open
   * socket does). false: once idle it lets the process end, within a second of its last reply (a call
   * in flight still holds it): the default connection's way, so a program that forgets `shutdown()`
   * still ends. zmtp transport only; a libzmq socket always holds the process.
   */
  holdsProcessWhenIdle?: boolean;
}

/**
 * Handles a call's error reply in place of rejecting it (a proxy that recreates its lost object):
 * what it returns, or the promise it returns, settles the call. Given to `Connection.call` instead of
 * a `.catch` on its promise, which cost a closure, a promise and a microtask turn per call.
 */
export interface CallRecovery {
  [RECOVER_CALL](err: unknown, method: string, args: unknown[], opts: CallOptions | undefined): unknown;
}

/** CallRecovery's method: a symbol, so a user class's own method of any name cannot shadow it on its proxy. */
export const RECOVER_CALL: unique symbol = Symbol('crucial.recoverCall');

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Asked first when the call's reply is an error (see CallRecovery); the call's own method, args and options go with it. */
  recovery: CallRecovery | undefined;
  method: string;
  args: unknown[];
  opts: CallOptions | undefined;
  /** Kept for resends: a large array's frame is its own buffer (ScatterFrame), read again by each send. */
  frames: Frame[];
  sentAt: number;
  /** When the call was made: it gets a full `unavailableAfterMs` even on a link down for longer. */
  since: number;
}

/**
 * A client's link to one DSO node (see the file header for resends and failure detection). Calls
 * reject as {@link Connection.call} says.
 */
export class Connection {
  /** This client's random 8-byte id: with each call's seq, what lets the node apply a resent call once. */
  readonly clientId = new Uint8Array(randomBytes(8));
  /** What carries the link (`zmtp` or `libzmq`). */
  readonly transport: TransportKind;
  private readonly socket: ClientSocket;
  private readonly codec: WireCodec;
  private readonly pending = new PendingCalls<Pending>();
  private seq = 0;
  private lastHeard = Date.now();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private pinging = false;
  private readonly resendAfterMs: number;
  private readonly unavailableAfterMs: number;
  private linkUp = false;
  private downSince = Date.now();
  private downTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<LinkListener>();
  /** Calls made while apache-arrow loads for an earlier one wait behind it, so calls leave in program order. */
  private arrowGate: Promise<void> | null = null;
  /** Replies that arrived while apache-arrow loads for an earlier one, handled in arrival order after it. */
  private heldReplies: Uint8Array[][] | null = null;
  /** The node refused our credentials at the last handshake: calls fail at once with it until a handshake succeeds. */
  private refusal: UnauthorizedError | null = null;
  private readonly spin: IdleSpin;
  private readonly awaitingReplies = () => this.pending.size > 0 && this.linkUp;
  private readonly holdsWhenIdle: boolean;
  /**
   * Whether the last `call` was handed to the link (sent, queued, or waiting behind apache-arrow),
   * read right after it returns: false when it was refused before leaving (closed, unencodable
   * arguments, past the high-water mark), so the node never saw it.
   */
  lastCallQueued = false;
  /** The socket was told to let the process end (holdsProcessWhenIdle false, nothing pending at a sweep). */
  private letGo = false;

  /**
   * @param address `tcp://host:port` of the node, or `ipc://path` of its Unix socket (this host; zmtp transport)
   * @throws {InvalidOptionError} if the address is not `tcp://host:port` or `ipc://path`, an option is out of range or
   * the transport is unknown
   */
  constructor(readonly address: string, options: ConnectionOptions = {}) {
    this.resendAfterMs = positive(options.resendAfterMs ?? 5000, 'resendAfterMs');
    this.unavailableAfterMs = positive(options.unavailableAfterMs ?? envUnavailableMs() ?? UNAVAILABLE_AFTER_MS, 'unavailableAfterMs');
    this.spin = new IdleSpin(idleSpinOption(options.idleSpinUs));
    if (options.holdsProcessWhenIdle !== undefined && typeof options.holdsProcessWhenIdle !== 'boolean') {
      throw new InvalidOptionError('holdsProcessWhenIdle must be true or false');
    }
    this.holdsWhenIdle = options.holdsProcessWhenIdle ?? true;
    const link: LinkOptions = {
      heartbeatIvlMs: nonNegative(options.heartbeatIvlMs, 'heartbeatIvlMs'),
      heartbeatTimeoutMs: options.heartbeatTimeoutMs === undefined ? undefined : positive(options.heartbeatTimeoutMs, 'heartbeatTimeoutMs'),
      heartbeatTtlMs: nonNegative(options.heartbeatTtlMs, 'heartbeatTtlMs', 6_553_500),
      sendHighWaterMarkBytes: options.sendHighWaterMarkBytes === undefined ? undefined : positive(options.sendHighWaterMarkBytes, 'sendHighWaterMarkBytes'),
    };
    this.transport = resolveTransport(options.transport);
    const revive = options.reviveRef;
    this.codec = new WireCodec(revive ? (ref) => revive(ref, this) : undefined);
    // The socket is made only once the options are known good, so a refused constructor leaks nothing.
    const security = options.token !== undefined ? { mechanism: 'PLAIN' as const, username: PLAIN_USERNAME, password: options.token } : options.security;
    this.socket = openClient(this.transport, address, (frames) => this.onReply(frames), { ...link, security, onStatus: (s) => this.onLink(s) });
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.resendAfterMs)).unref();
  }

  /** Whether a ZMTP link to the node is up (handshaken) now. */
  get connected(): boolean { return this.linkUp; }

  /**
   * Subscribes to changes in the link: `connect`, `reconnect`, `stale`, `disconnect` (with its
   * `cause`: ECONNREFUSED, a heartbeat timeout, a peer that does not speak ZMTP...) and `error`.
   * @returns a function that unsubscribes
   */
  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /**
   * Invokes `method` on object (type, key) at the node; resolves to the decoded result.
   * @throws {CrucialError} the node's error for the call, rebuilt from its code ({@link BadArgumentError},
   * {@link UnknownMethodError}, {@link NoObjectError}, ...; a user method's exception as {@link RemoteError})
   * @throws {UnavailableError} if no link to the node came up, or the node answered nothing, within `unavailableAfterMs`
   * @throws {UnauthorizedError} if the node refused this client's credentials (or their absence) at the handshake
   * @throws {HighWaterMarkError} if the transport's send queue for the node is full
   * @throws {ClosedError} if the connection is or gets closed
   */
  call(type: string, key: string, method: string, args: unknown[], opts?: CallOptions, recovery?: CallRecovery): Promise<unknown> {
    this.lastCallQueued = false;
    if (this.closed) return Promise.reject(new ClosedError('connection is closed'));
    if (this.refusal && !this.linkUp) return Promise.reject(this.refused());
    if (this.arrowGate) {
      this.lastCallQueued = true;
      return this.arrowGate.then(() => this.call(type, key, method, args, opts, recovery));
    }
    const seq = ++this.seq;
    let frames: Frame[];
    try {
      frames = this.codec.encodeCallFast(this.clientId, seq, type, key, method, args, opts);
    } catch (err) {
      if (!(err instanceof ArrowPending)) return Promise.reject(err);
      // The first Arrow payload: load apache-arrow, then send this call (same seq reused) and the ones behind it.
      this.seq--;
      const gate = loadArrow().finally(() => { if (this.arrowGate === gate) this.arrowGate = null; });
      this.arrowGate = gate;
      this.lastCallQueued = true;
      return gate.then(() => this.call(type, key, method, args, opts, recovery));
    }
    return new Promise((resolve, reject) => {
      const now = Date.now();
      if (this.pending.size === 0) this.lastHeard = now;
      try {
        this.socket.send(frames);
      } catch (err) {
        reject(err); // HighWaterMarkError: the call was not queued anywhere
        return;
      }
      this.pending.set(seq, { resolve, reject, recovery, method, args, opts, frames, sentAt: now, since: now });
      this.lastCallQueued = true;
      if (this.letGo) this.hold(true);
      if (!this.linkUp) {
        if (this.downTimer === undefined) this.failWhenUnavailable();
      } else {
        this.spin.hold(this.awaitingReplies);
      }
    });
  }

  /** Sends raw frames (tests of the node's handling of malformed input). */
  sendRaw(frames: Uint8Array[]): void { this.socket.send(frames); }

  /**
   * Round trip to the node's system object; resolves to `"pong"`.
   * @throws {UnavailableError} {@link ClosedError} as {@link Connection.call}
   */
  ping(): Promise<unknown> { return this.call(SYSTEM_TYPE, '', 'ping', []); }

  /** Fails pending calls with {@link ClosedError} and closes the link; later calls reject with it too. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    clearTimeout(this.downTimer);
    this.spin.cancel();
    this.listeners.clear();
    for (const p of this.pending.values()) p.reject(new ClosedError('connection closed with the call pending'));
    this.pending.clear();
    this.socket.close();
  }

  private onReply(frames: Uint8Array[]): void {
    this.lastHeard = Date.now();
    this.spin.arrived();
    if (this.heldReplies) { this.heldReplies.push(frames); return; }
    let reply: Reply;
    try {
      reply = this.codec.decodeReply(frames);
    } catch (err) {
      if (err instanceof ArrowPending) { this.holdRepliesForArrow(frames); return; }
      // A reply we cannot read (or of an unknown kind) still names its seq if the envelope is intact; fail that call.
      this.failUnreadable(frames, err);
      return;
    }
    if (reply.seq === null) return;
    const p = this.pending.get(reply.seq);
    if (!p) return; // a duplicate reply to a resent call
    this.pending.delete(reply.seq);
    if (reply.kind === Kind.OK) p.resolve(reply.payload);
    else if (p.recovery === undefined) p.reject(errorFromData(reply.payload as ErrorData));
    else {
      try {
        p.resolve(p.recovery[RECOVER_CALL](errorFromData(reply.payload as ErrorData), p.method, p.args, p.opts));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  /** The first reply carrying Arrow: it and every later reply wait for apache-arrow, then go in order. */
  private holdRepliesForArrow(frames: Uint8Array[]): void {
    const held = [frames];
    this.heldReplies = held;
    const release = (err?: unknown) => {
      this.heldReplies = null;
      for (const f of held) {
        if (err === undefined) this.onReply(f);
        else this.failUnreadable(f, err);
      }
    };
    loadArrow().then(() => release(), (err) => release(err));
  }

  private failUnreadable(frames: Uint8Array[], err: unknown): void {
    try {
      const seq = peekReplySeq(new WireCodec().decodeValue(frames.slice(0, 1)));
      const p = seq === null ? undefined : this.pending.get(seq);
      if (p) { this.pending.delete(seq!); p.reject(err); }
    } catch { /* nothing identifies the call; it will be resent */ }
  }

  private onLink(status: LinkStatus): void {
    if (this.closed) return;
    if (status.type === 'connect' || status.type === 'reconnect') {
      const lostAt = this.downSince;
      this.linkUp = true;
      this.refusal = null;
      this.lastHeard = Date.now();
      clearTimeout(this.downTimer);
      this.downTimer = undefined;
      // Calls written before the link was lost may have died with it; the node applies a resent call once.
      if (status.type === 'reconnect') {
        for (const p of this.pending.values()) if (p.sentAt <= lostAt) this.resend(p, this.lastHeard);
      }
    } else if (status.type === 'disconnect') {
      if (this.linkUp) {
        this.linkUp = false;
        this.downSince = Date.now();
      }
      if (status.cause instanceof UnauthorizedError && !(status.cause as { tentative?: boolean }).tentative) {
        // A refusal does not heal by waiting: every call fails now, with what the node said.
        this.refusal = status.cause;
        for (const p of this.pending.values()) p.reject(this.refused());
        this.pending.clear();
      } else if (this.downTimer === undefined) this.failWhenUnavailable();
    }
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : String(err));
      }
    }
  }

  private refused(): UnauthorizedError {
    return new UnauthorizedError(`DSO node at ${this.address}: ${this.refusal!.message}`, { cause: this.refusal });
  }

  /** While no link is up: fails each pending call `unavailableAfterMs` after the later of the loss and the call, with the link's cause. */
  private failWhenUnavailable(): void {
    clearTimeout(this.downTimer);
    this.downTimer = undefined;
    if (this.linkUp || this.closed || this.pending.size === 0) return;
    const now = Date.now();
    let next = Infinity;
    let cause: Error | undefined;
    for (const [seq, p] of this.pending) {
      const deadline = Math.max(this.downSince, p.since) + this.unavailableAfterMs;
      if (deadline > now) {
        next = Math.min(next, deadline);
        continue;
      }
      cause ??= this.socket.downCause();
      this.pending.delete(seq);
      p.reject(new UnavailableError(`DSO node at ${this.address} unavailable: no link for ${this.unavailableAfterMs} ms (${describe(cause)})`, { cause }));
    }
    if (next < Infinity) this.downTimer = setTimeout(() => this.failWhenUnavailable(), next - now);
  }

  private resend(p: Pending, now: number): void {
    p.sentAt = now;
    try {
      this.socket.send(p.frames);
    } catch { /* past the high-water mark: the sweep tries again */ }
  }

  /** Lets the socket keep the process alive, or not (holdsProcessWhenIdle). */
  private hold(on: boolean): void {
    this.letGo = !on;
    this.socket.holdProcess?.(on);
  }

  private sweep(): void {
    // Checked here, not per call: a burst of calls pays nothing for it.
    if (!this.holdsWhenIdle && !this.letGo && this.pending.size === 0) this.hold(false);
    // With no link up, failWhenUnavailable bounds the wait and the reconnect resends.
    if (this.pending.size === 0 || !this.linkUp) return;
    const now = Date.now();
    if (now - this.lastHeard > this.resendAfterMs + this.unavailableAfterMs) {
      const err = () => new UnavailableError(`DSO node at ${this.address} did not answer for ${now - this.lastHeard} ms, not even a ping, though the link is up`);
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
      if (now - p.sentAt >= this.resendAfterMs) this.resend(p, now);
    }
  }
}

/** `connect ECONNREFUSED 127.0.0.1:7700`, or the cause's name and message. */
function describe(cause: Error): string {
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && cause.message.includes(code)) return cause.message;
  return `${typeof code === 'string' ? code : cause.name}: ${cause.message}`;
}

function envUnavailableMs(): number | undefined {
  const raw = process.env.CRUCIAL_UNAVAILABLE_MS;
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!(v > 0 && Number.isFinite(v))) throw new InvalidOptionError(`CRUCIAL_UNAVAILABLE_MS must be a positive number of milliseconds (got ${JSON.stringify(raw)})`);
  return v;
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new InvalidOptionError(`options.${name} must be a positive number`);
  return v;
}

function nonNegative(v: number | undefined, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!(typeof v === 'number' && v >= 0 && v <= max)) throw new InvalidOptionError(`options.${name} must be a number from 0 to ${max}`);
  return v;
}
