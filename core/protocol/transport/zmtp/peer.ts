/**
 * One ZMTP link over a TCP socket: the greeting and handshake (NULL here; PLAIN and CURVE through
 * mechanism.ts, a peer of another mechanism refused at its greeting), heartbeats (PING / PONG and
 * the peer's TTL, ZMTP 3.1), and whole multipart messages in both directions. Dealer and router
 * both build on it; what differs between them (reconnecting, routing by identity) lives there.
 */
import type { Socket } from 'node:net';
import { HighWaterMarkError, UnauthorizedError } from '../../errors.ts';
import { FrameDecoder, HEAD, HEAD_BYTES, type FrameSink } from './decoder.ts';
import { markRefused } from '../budget.ts';
import { ScatterFrame, joinFrames, type Frame } from '../../wire/frames.ts';
import { pinWrite, unpinWrite } from '../frame-pool.ts';
import { errorBody, type Handshake, type MessageBox } from './mechanism.ts';
import {
  Flag, SIGNATURE_BYTES, ZmtpProtocolError, checkGreeting, encodeCommand, encodeMessage, encodeMetadata,
  greeting, messagePieces, parseCommand, parseMetadata, preview,
} from './wire.ts';
import { HeartbeatTimeoutError, type OpenSocket, type PeerHandlers, type PeerOptions, type SocketType } from './peer-contract.ts';

export { HeartbeatTimeoutError, type OpenSocket, type PeerHandlers, type PeerOptions, type SocketType };

/** Which peer socket types each of ours may talk to (spec 37 / 28). */
const COMPATIBLE: Record<SocketType, readonly string[]> = {
  DEALER: ['DEALER', 'ROUTER', 'REP'],
  ROUTER: ['DEALER', 'ROUTER', 'REQ'],
};

/** Messages up to this size are copied into one buffer and written once; larger ones are written piece by piece. */
const COALESCE_BYTES = 64 * 1024;
/** Commands are tiny; a bigger one is hostile. */
const MAX_COMMAND_BYTES = 64 * 1024;
/**
 * Where sockets read when no large frame is being filled. One buffer serves every link: a read
 * lands here and is copied out within the same callback, before libuv can start another read.
 */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);





export class ZmtpPeer implements FrameSink {
  private readonly decoder = new FrameDecoder(this);
  private handshaken = false;
  private frames: Buffer[] = [];
  private messageBytes = 0;
  private readonly maxMessageBytes: number;
  private readonly sendHwm: number;
  private readonly handshakeTimer: NodeJS.Timeout;
  private done = false;
  /** Reads so far: the heartbeat timers compare it instead of timestamping every read. */
  private rx = 0;
  private rxAtBeat = 0;
  private beatTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private readonly pingCommand: Buffer | null;
  private readonly hs: Handshake | null;
  /** Whether a command was sent to the peer's handshake after its greeting (a close then says more). */
  private credentialsSent = false;
  /** NULL: the READY this side sends once the peer's greeting has been checked. */
  private nullReady: Buffer | null = null;
  /** A client's greeting past its signature, sent once the peer's signature is in (see the constructor). */
  private greetingRest: Buffer | null = null;
  /** CURVE: every frame and command after the handshake travels boxed. */
  private box: MessageBox | null = null;
  /** Bytes of the message being read held against `partialBudget`. */
  private held = 0;
  /** Bytes received on this link, and their count and the time when `held` last became non-zero. */
  private rxBytes = 0;
  private rxBytesAtHold = 0;
  private heldSince = 0;
  /** Whether a frame of the message being read was skipped for want of budget. */
  private refused = false;
  /** Armed while a message is incomplete at the end of a read (never for messages that arrive whole). */
  private readTimer: NodeJS.Timeout | undefined;

  readonly socket: Socket;

  constructor(open: OpenSocket, private readonly opts: PeerOptions, private readonly on: PeerHandlers) {
    this.maxMessageBytes = opts.maxMessageBytes ?? Number.MAX_SAFE_INTEGER;
    this.sendHwm = opts.sendHighWaterMarkBytes ?? Number.MAX_SAFE_INTEGER;
    const ttl = Math.min(0xffff, Math.floor((opts.heartbeatTtlMs ?? 0) / 100));
    this.pingCommand = opts.heartbeatIvlMs ? encodeCommand('PING', Buffer.from([ttl >> 8, ttl & 0xff])) : null;
    const socket = this.socket = open({
      buffer: () => this.decoder.directTarget() ?? SCRATCH,
      callback: (n, buf) => {
        this.rx++;
        this.rxBytes += n;
        // Inline, not through read(): no closure per read. A read into SCRATCH is copied out
        // (pooled below 4 KiB) without the subarray view Buffer.from(SCRATCH.subarray(...)) makes.
        try {
          if (buf === SCRATCH) {
            const chunk = Buffer.allocUnsafe(n);
            SCRATCH.copy(chunk, 0, 0, n);
            this.decoder.push(chunk);
            if (this.greetingRest) this.sendGreetingRest();
          } else {
            this.decoder.advance(n);
          }
        } catch (err) {
          this.fail(err as Error);
        }
        this.watchPartial();
        return true; // false would pause reading
      },
    });
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => this.fail(new ZmtpProtocolError(`no ZMTP handshake from the peer within ${opts.handshakeTimeoutMs ?? 30_000} ms`)), opts.handshakeTimeoutMs ?? 30_000).unref();
    // Only fires for a socket opened without `onread` (node:net emits no 'data' with it).
    socket.on('data', (chunk: Buffer) => { this.rx++; this.rxBytes += chunk.length; this.read(() => this.decoder.push(chunk)); this.sendGreetingRest(); this.watchPartial(); });
    socket.on('error', (err) => this.fail(this.duringHandshake(err)));
    socket.on('close', () => this.finish());
    const props: Record<string, Uint8Array | string> = { 'Socket-Type': opts.socketType };
    if (opts.socketType === 'DEALER') props.Identity = opts.identity ?? new Uint8Array(0);
    this.hs = opts.handshake ? opts.handshake(encodeMetadata(props)) : null;
    // The greeting alone, even under NULL: READY waits for the peer's greeting. A libzmq node that
    // demands credentials closes the link once it has read our greeting; bytes it has not read (a
    // READY sent along) turn that close into a reset, and a reset that reaches Linux before we read
    // the node's greeting discards it, so the client would see ECONNRESET instead of "refused".
    const ours = this.hs ? greeting(this.hs.mechanism, this.hs.asServer) : greeting();
    if (!this.hs) this.nullReady = encodeCommand('READY', encodeMetadata(props));
    if (opts.socketType === 'DEALER') {
      // A client sends its signature first and its mechanism once the node's signature is in, as
      // libzmq does. A loaded libzmq node can read a whole greeting before it has written a byte of
      // its own and hang up on a mechanism it refuses: the client then saw a bare close, not "refused".
      socket.write(ours.subarray(0, SIGNATURE_BYTES));
      this.greetingRest = ours.subarray(SIGNATURE_BYTES);
    } else {
      socket.write(ours);
    }
  }

  /** After each read: the rest of a client's greeting goes once the peer's signature has arrived. */
  private sendGreetingRest(whole = false): void {
    const rest = this.greetingRest;
    if (!rest || this.done) return;
    if (!whole && (this.decoder.partialGreeting()?.length ?? 0) < SIGNATURE_BYTES) return;
    this.greetingRest = null;
    this.socket.write(rest);
  }

  private read(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  get ready(): boolean { return this.handshaken && !this.done; }

  /** Whether TCP is connected but the ZMTP handshake has not completed. */
  get handshaking(): boolean { return !this.handshaken && !this.done && !this.socket.connecting; }

  /** Writes one message; throws HighWaterMarkError when the socket's unwritten bytes are at the mark. */
  send(frames: readonly Frame[]): void {
    if (this.socket.writableLength >= this.sendHwm) {
      throw new HighWaterMarkError(`${this.socket.writableLength} bytes wait to be written to the peer, at or past the send high-water mark of ${this.sendHwm} (sendHighWaterMarkBytes)`);
    }
    this.write(frames);
  }

  /** Writes one message whatever the socket holds already. */
  write(frames: readonly Frame[]): void {
    if (this.box) {
      const box = this.box;
      const last = frames.length - 1;
      this.socket.write(Buffer.concat(joinFrames(frames).map((f, i) => box.seal(f, i < last, false))));
      return;
    }
    let total = 0;
    let scattered = false;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      total += f.byteLength;
      if (f instanceof ScatterFrame) scattered = true;
    }
    if (total <= COALESCE_BYTES) {
      // Plain frames (every small call's) go as they are: no joined copy of the frame list per message.
      this.socket.write(encodeMessage(scattered ? joinFrames(frames) : frames as readonly Uint8Array[]));
      return;
    }
    // One corked writev: an 8 MB array costs 3 pieces, not a dozen (wire.ts messagePieces).
    const pieces = messagePieces(frames);
    this.socket.cork();
    for (const p of pieces) {
      // A received frame's buffer (an array kept as it came) is not reused while the socket still reads it.
      if (pinWrite(p)) this.socket.write(p, () => unpinWrite(p));
      else this.socket.write(p);
    }
    process.nextTick(() => this.socket.uncork());
  }

  destroy(): void {
    this.socket.destroy();
    this.finish(undefined, true);
  }

  greeting(g: Buffer): void {
    this.sendGreetingRest(true);
    const theirs = checkGreeting(g);
    const ours = this.hs?.mechanism ?? 'NULL';
    if (theirs !== ours) {
      const why = `the peer's ZMTP security mechanism is ${JSON.stringify(theirs)}, this ${this.opts.socketType}'s is ${JSON.stringify(ours)}`;
      // A client facing a node that demands credentials was refused; anything else is a misconfigured peer.
      if (this.opts.socketType === 'DEALER' && theirs !== 'NULL') {
        throw new UnauthorizedError(`${why}: the DSO node requires ${theirs} credentials (set CRUCIAL_TOKEN or CRUCIAL_TOKEN_FILE, or pass a token; see README, "Trust model")`);
      }
      throw new ZmtpProtocolError(`security mechanism ${JSON.stringify(theirs)} is not the one of this link: ${why}`);
    }
    if (this.nullReady) {
      this.socket.write(this.nullReady);
      this.nullReady = null;
    } else if (this.hs) {
      const out = this.hs.start();
      if (out.length > 0) this.credentialsSent = true;
      for (const c of out) this.socket.write(c);
    }
  }

  accept(flags: number, size: number): boolean | typeof HEAD {
    if (flags & Flag.COMMAND) {
      if (size > MAX_COMMAND_BYTES) throw new ZmtpProtocolError(`command frame of ${size} bytes`);
      return true;
    }
    // Under CURVE, every frame is a MESSAGE, which must be read whole to be opened: one the budget
    // cannot hold cannot be skipped (its seq is sealed), so the link goes and its client resends.
    if (this.box) {
      if (size > this.maxMessageBytes + 64) throw new ZmtpProtocolError(`boxed frame of ${size} bytes, past the message limit of ${this.maxMessageBytes}`);
      if (!this.hold(size)) throw new ZmtpProtocolError(`boxed frame of ${size} bytes: the budget for requests still arriving is spent (overloaded); reconnect and resend`);
      return true;
    }
    if (!this.handshaken) throw new ZmtpProtocolError('message frame before the handshake completed');
    this.messageBytes += size;
    // A message's first frame declined keeps its head: the envelope's seq, for the refusal's reply.
    const decline = this.frames.length === 0 ? HEAD : false;
    if (this.messageBytes > this.maxMessageBytes) return decline;
    if (!this.hold(size)) {
      this.refused = true;
      return decline;
    }
    return true;
  }

  /** Holds `size` bytes of the message being read against the shared budget, if there is one. */
  private hold(size: number): boolean {
    const budget = this.opts.partialBudget;
    if (!budget) return true;
    if (!budget.tryTake(size)) return false;
    if (this.held === 0) {
      this.heldSince = performance.now();
      this.rxBytesAtHold = this.rxBytes;
    }
    this.held += size;
    return true;
  }

  /**
   * What this link holds of the partial budget and how fast its held message arrives (bytes/s
   * since it first held), for the router to drop the slowest holders when the budget runs out.
   */
  partialProgress(now: number): { held: number; heldMs: number; rate: number } | null {
    if (this.held === 0 || this.done) return null;
    const heldMs = now - this.heldSince;
    return { held: this.held, heldMs, rate: heldMs > 0 ? ((this.rxBytes - this.rxBytesAtHold) * 1000) / heldMs : Infinity };
  }

  /** Drops the link for holding budget it does not fill; gives its budget back before returning. */
  evict(why: string): void {
    this.fail(new ZmtpProtocolError(why));
  }

  /**
   * After each read: a message left incomplete arms the read timeout, which drops the link if no
   * byte arrives for `readTimeoutMs` (a client that starts a large message and stalls would pin it).
   */
  private watchPartial(): void {
    if (!this.opts.readTimeoutMs || this.readTimer || this.done) return;
    if (this.frames.length === 0 && !this.decoder.pending) return;
    const ms = this.opts.readTimeoutMs;
    let mark = this.rx;
    const check = () => {
      this.readTimer = undefined;
      if (this.done || (this.frames.length === 0 && !this.decoder.pending)) return;
      if (this.rx === mark) return this.fail(new ZmtpProtocolError(`a message was started and not finished: no byte of it for ${ms} ms (read timeout)`));
      mark = this.rx;
      this.readTimer = setTimeout(check, ms).unref();
    };
    this.readTimer = setTimeout(check, ms).unref();
  }

  private releaseHeld(): void {
    if (this.held > 0) this.opts.partialBudget?.give(this.held);
    this.held = 0;
  }

  frame(flags: number, body: Buffer | null): void {
    if (this.box) {
      // libzmq sends each MESSAGE as a single data frame; its own flags (more, command) are inside the box.
      const { name, data } = parseCommand(body!);
      if (name !== 'MESSAGE') throw new ZmtpProtocolError(`unexpected ${JSON.stringify(name)} on a CURVE link`);
      const inner = this.box.open(data);
      if (inner.command) return this.command(inner.body);
      // Counted as accept() counts a clear frame; past the limit only the size is kept.
      this.messageBytes += inner.body.length;
      const over = this.messageBytes > this.maxMessageBytes;
      return this.messageFrame(inner.more ? Flag.MORE : 0, !over ? inner.body : this.frames.length === 0 ? inner.body.subarray(0, HEAD_BYTES) : null);
    }
    if (flags & Flag.COMMAND) return this.command(body!);
    this.messageFrame(flags, body);
  }

  private messageFrame(flags: number, body: Buffer | null): void {
    if (body) this.frames.push(body);
    if (flags & Flag.MORE) return;
    const frames = this.frames;
    const bytes = this.messageBytes;
    this.frames = [];
    this.messageBytes = 0;
    if (this.refused) markRefused(frames);
    this.refused = false;
    this.releaseHeld();
    this.on.message(frames, bytes);
  }

  private command(body: Buffer): void {
    let parsed: { name: string; data: Buffer };
    try {
      parsed = parseCommand(body);
    } catch (err) {
      // libzmq 4.3's PLAIN sends ERROR's name as "\x5eRROR" (a C hex escape that ate the E); after credentials, a refusal.
      if (this.hs && !this.hs.asServer && !this.handshaken && this.credentialsSent && body.includes('RROR')) {
        throw new UnauthorizedError(`the DSO node refused this client's ${this.hs.mechanism} credentials (it answered ${preview(body)}): check the token or key (CRUCIAL_TOKEN, CRUCIAL_TOKEN_FILE)`);
      }
      throw err;
    }
    const { name, data } = parsed;
    if (!this.handshaken) {
      let props: Map<string, Buffer>;
      let user: string | undefined;
      if (this.hs) {
        const step = this.hs.command(name, data);
        for (const c of step.send) this.socket.write(c);
        if (step.refusal) throw step.refusal;
        if (step.send.length > 0) this.credentialsSent = true;
        if (!step.done) return;
        ({ props, user } = step.done);
      } else {
        if (name !== 'READY') throw new ZmtpProtocolError(`expected READY, got ${JSON.stringify(name)}`);
        props = parseMetadata(data);
      }
      const type = props.get('socket-type')?.toString('latin1') ?? '';
      if (!COMPATIBLE[this.opts.socketType].includes(type)) {
        this.writeCommand(encodeCommand('ERROR', errorBody(`${this.opts.socketType} cannot talk to ${type || 'an unnamed socket type'}`)));
        throw new ZmtpProtocolError(`incompatible peer socket type ${JSON.stringify(type)}`);
      }
      this.box = this.hs?.box ?? null;
      this.handshaken = true;
      clearTimeout(this.handshakeTimer);
      if (this.pingCommand) {
        this.rxAtBeat = this.rx;
        this.beatTimer = setInterval(() => this.beat(), this.opts.heartbeatIvlMs).unref();
      }
      this.on.ready(props, user);
      return;
    }
    if (name === 'PING') {
      // PING = TTL (2 bytes, deciseconds) + context; PONG echoes the context.
      this.writeCommand(encodeCommand('PONG', data.subarray(2)));
      const ttlMs = data.length >= 2 ? data.readUInt16BE(0) * 100 : 0;
      // As libzmq: after a PING with a TTL, the peer must be heard from again within it.
      if (ttlMs > 0 && !this.ttlTimer) this.expectTraffic(ttlMs, 'ttlTimer', `nothing received within the ${ttlMs} ms TTL the peer's PING asked for`);
    } else if (name === 'ERROR') {
      const len = data[0] ?? 0;
      throw new ZmtpProtocolError(`peer reported: ${data.toString('latin1', 1, 1 + len)}`);
    }
    // PONG and commands of later minor versions need nothing from us.
  }

  /** Every heartbeat interval: PING only when the interval brought nothing in. */
  private beat(): void {
    if (this.rx !== this.rxAtBeat) {
      this.rxAtBeat = this.rx;
      return;
    }
    this.writeCommand(this.pingCommand!);
    if (!this.pingTimer) {
      const timeout = this.opts.heartbeatTimeoutMs ?? this.opts.heartbeatIvlMs!;
      this.expectTraffic(timeout, 'pingTimer', `no traffic from the peer within ${timeout} ms of a heartbeat PING (heartbeatTimeoutMs)`);
    }
  }

  /**
   * Fails the link unless some read happens within `ms`. A PING's timer ends with the first read
   * (silence makes `beat` PING again); a TTL, once asked for, keeps being watched.
   */
  private expectTraffic(ms: number, slot: 'pingTimer' | 'ttlTimer', reason: string): void {
    const mark = this.rx;
    const due = Date.now() + ms;
    this[slot] = setTimeout(() => {
      this[slot] = undefined;
      // Timers run before pending reads: when our own event loop was blocked past the deadline,
      // the peer's bytes may be waiting unread, so it gets another period instead of the blame.
      const late = Date.now() - due > ms / 2;
      if (this.rx === mark && !late) this.fail(new HeartbeatTimeoutError(reason));
      else if (slot === 'ttlTimer' || late) this.expectTraffic(ms, slot, reason);
    }, ms).unref();
  }

  /** A whole command frame, boxed on a CURVE link. */
  private writeCommand(frame: Buffer): void {
    if (!this.box) {
      this.socket.write(frame);
      return;
    }
    // The box holds the command's body, without its frame header.
    const headerBytes = (frame[0]! & Flag.LONG) ? 9 : 2;
    this.socket.write(this.box.seal(frame.subarray(headerBytes), false, true));
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.socket.destroy();
    this.finish(err);
  }

  /** `local`: our own destroy(), which needs no cause. */
  private finish(err?: Error, local = false): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.handshakeTimer);
    clearInterval(this.beatTimer);
    clearTimeout(this.pingTimer);
    clearTimeout(this.ttlTimer);
    clearTimeout(this.readTimer);
    this.releaseHeld();
    if (!err && !local) err = this.closeCause();
    this.on.closed(err);
  }

  /** libzmq may reset, not close, a link it refuses: a reset during the handshake says what a close would. */
  private duringHandshake(err: Error): Error {
    if (this.handshaken || !['ECONNRESET', 'EPIPE'].includes((err as { code?: string }).code ?? '')) return err;
    const cause = this.closeCause();
    return cause instanceof UnauthorizedError ? cause : err;
  }

  /** Why a link the peer closed without an error ended: during the handshake, what it had sent says most. */
  private closeCause(): Error {
    if (this.handshaken) return new Error('the peer closed the connection');
    // libzmq drops a client whose credentials its ZAP handler refused, sometimes before its ERROR is read.
    if (this.hs && !this.hs.asServer && this.credentialsSent) {
      // Tentative: a node that died in the middle of the handshake looks the same.
      return Object.assign(new UnauthorizedError(`the DSO node closed the link during the ${this.hs.mechanism} handshake, after this client's credentials (a wrong token or key?)`), { tentative: true });
    }
    const sent = this.decoder.partialGreeting();
    // A ZMTP 3 peer that hangs up once it has read our greeting refuses our security mechanism (libzmq does so).
    if (this.opts.socketType === 'DEALER' && sent && sent.length >= 10 && sent[0] === 0xff && (sent[9]! & 0x01) === 1) {
      return new UnauthorizedError(`the peer closed the connection during the ZMTP greeting, after sending ${preview(sent)}: a ZMTP 3 node that does not accept this client's ${this.hs?.mechanism ?? 'NULL'} mechanism (it requires credentials: set CRUCIAL_TOKEN or CRUCIAL_TOKEN_FILE, or pass a token; see README, "Trust model")`);
    }
    return new ZmtpProtocolError(sent
      ? `the peer closed the connection during the ZMTP greeting, after sending ${preview(sent)} (not a ZMTP 3 peer?)`
      : 'the peer closed the connection before the ZMTP greeting');
  }
}
