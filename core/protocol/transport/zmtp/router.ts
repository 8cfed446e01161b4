/**
 * A ZMTP ROUTER: accepts any number of DEALER (or REQ/ROUTER) peers, prefixes each message it
 * receives with the sender's routing id, and sends a message to the peer its first frame names.
 * Routing ids are the peer's Identity when it sent one not already in use, else 5 bytes
 * (0 then a 32-bit counter), like libzmq; with `routeTag`, 6 bytes (0, the tag, the counter), so
 * that two routers of one node never hand out the same id. A message to an unknown id is dropped, also like libzmq,
 * and so is one to a peer whose unwritten bytes reached `sendHighWaterMarkBytes` (a client that
 * stopped reading): `send` then returns false, and the client's resend fetches the reply later.
 * A peer's PING with a TTL is honoured; the router's own PINGs are off unless `heartbeatIvlMs` is set.
 */
import { Socket, createServer, type OnReadOpts, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { HighWaterMarkError, InvalidOptionError } from '../../errors.ts';
import { LINK_DEFAULTS } from '../link.ts';
import { ZmtpPeer } from './peer.ts';
import { formatTcpEndpoint, parseEndpoint } from './endpoint.ts';
import { claimIpcPath, listenPrivately, releaseIpcPath, restrictIpcPath } from './ipc.ts';
import { serverHandshake } from './mechanism.ts';
import type { ServerSecurity } from '../security.ts';
import { ByteBudget } from '../budget.ts';
import type { Frame } from '../../wire/frames.ts';

export interface RouterOptions {
  /** Messages larger than this are not buffered; the handler gets the frames read before the limit and the full size. */
  maxMessageBytes?: number;
  handshakeTimeoutMs?: number;
  /** PING a peer after this long (ms) with nothing from it; absent or 0: no PINGs (peers' TTLs still apply). */
  heartbeatIvlMs?: number;
  /** Drop a peer that sends nothing this long (ms) after our PING; default `heartbeatIvlMs`. */
  heartbeatTimeoutMs?: number;
  /** Unwritten bytes to one peer past which messages to it are dropped; default 128 MiB. */
  sendHighWaterMarkBytes?: number;
  /** What peers must present (PLAIN, CURVE); absent: NULL, anyone may connect. */
  security?: ServerSecurity;
  /** Bytes of unfinished messages all peers together may hold; a frame past it is skipped and its message marked refused. Default unbounded. */
  maxPartialBytes?: number;
  /** Drop a peer whose started message gets no byte for this long (ms); absent or 0: never. */
  readTimeoutMs?: number;
  /** Told the route of each handshaken peer whose link is gone. */
  onDisconnect?: (route: Buffer) => void;
  /** A byte (1-255) that sets this router's generated routing ids apart from another router's of the same node. */
  routeTag?: number;
  /** false: the listening socket and the connections it accepts do not keep the process alive. Default true. */
  holdsProcess?: boolean;
}

/** `user`: the id `security.authenticate` gave the sender; absent under NULL. */
export type RouterHandler = (route: Buffer, frames: Buffer[], bytes: number, user?: string) => void;

/** A link holding partial budget this long (ms) while sending slower than MIN_PARTIAL_RATE may be dropped for another. */
const PARTIAL_GRACE_MS = 1000;
/** Bytes per second below which a request still arriving counts as stalled (a slow WAN still sends far more). */
const MIN_PARTIAL_RATE = 64 * 1024;

export class ZmtpRouter {
  private readonly peers = new Map<string, ZmtpPeer>();
  /**
   * The peer of each route object handed to the handler: a reply names its peer by that same
   * object, found without turning it into a string. Another object with the same bytes (a route
   * kept across the peer's reconnection, or made by the caller) goes through `peers`.
   */
  private readonly byRoute = new WeakMap<Uint8Array, ZmtpPeer>();
  private readonly server: Server;
  private nextId = randomBytes(4).readUInt32BE(0);
  /** What every peer's unfinished messages draw from. */
  readonly partial: ByteBudget;
  private _endpoint = '';
  /** The path of an inherited Unix socket, removed at close. */
  private inheritedIpcPath: string | undefined;

  constructor(private readonly onMessage: RouterHandler, private readonly opts: RouterOptions = {}) {
    // Paused on accept: `adopt` moves the connection into a socket that reads through `onread`.
    this.server = createServer({ pauseOnConnect: true }, (socket) => this.adopt(socket));
    if (opts.holdsProcess === false) this.server.unref();
    this.partial = new ByteBudget(opts.maxPartialBytes ?? Number.MAX_SAFE_INTEGER);
    this.partial.reclaim = (need) => this.reclaimPartial(need);
  }

  get endpoint(): string { return this._endpoint; }

  /** Number of handshaken peers. */
  get peerCount(): number { return this.peers.size; }

  /**
   * Listens on `endpoint` (`tcp://host:port`, or `ipc://path`: a Unix socket made mode 0600, see
   * ipc.ts), or on the inherited listening socket `fd` (of that kind; a TCP one's endpoint only says it is TCP).
   */
  async bind(endpoint: string, fd?: number): Promise<string> {
    const target = parseEndpoint(endpoint);
    // An inherited Unix socket was made and bound at the path by the process that handed it down.
    if (target.kind === 'ipc' && fd === undefined) await claimIpcPath(target.path);
    const option = target.kind === 'ipc' ? 'options.ipcListenFd' : 'options.listenFd';
    await new Promise<void>((resolve, reject) => {
      // A bad inherited descriptor fails inside libuv with a bare EINVAL/EBADF/ENOTSOCK: say which option it was.
      const fail = fd === undefined ? reject : (err: NodeJS.ErrnoException) => reject(new InvalidOptionError(
        `${option} ${fd} is not a ${target.kind === 'ipc' ? 'Unix' : 'TCP'} socket this process can listen on (${err.code ?? err.message})`));
      this.server.once('error', fail);
      const listening = () => { this.server.off('error', fail); resolve(); };
      if (fd !== undefined) this.server.listen({ fd }, listening);
      else if (target.kind === 'ipc') listenPrivately(this.server, target.path, listening);
      else this.server.listen(target.port, target.host, listening);
    });
    if (target.kind === 'ipc') {
      restrictIpcPath(target.path);
      // node:net removes a socket file it bound itself when it closes; one it inherited, it does not.
      if (fd !== undefined) this.inheritedIpcPath = target.path;
      this._endpoint = endpoint;
      return endpoint;
    }
    const addr = this.server.address() as { address: string; port: number };
    this._endpoint = formatTcpEndpoint(addr.address, addr.port);
    return this._endpoint;
  }

  /** Sends to the peer `route` names; false when it was dropped (unknown route, or the peer's high-water mark reached). */
  send(route: Uint8Array, frames: readonly Frame[]): boolean {
    const peer = this.byRoute.get(route) ?? this.peers.get(Buffer.from(route.buffer, route.byteOffset, route.byteLength).toString('latin1'));
    if (!peer) return false;
    try {
      peer.send(frames);
      return true;
    } catch (err) {
      if (err instanceof HighWaterMarkError) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const peer of this.peers.values()) peer.destroy();
    this.peers.clear();
    await closed;
    if (this.inheritedIpcPath !== undefined) releaseIpcPath(this.inheritedIpcPath);
  }

  /**
   * Frees `need` bytes of the partial budget by dropping the links that hold some for over a second
   * while their message arrives slower than MIN_PARTIAL_RATE, slowest first: a stalled or trickling
   * sender gives way to one that sends. Links that send at any real speed are never dropped.
   */
  private reclaimPartial(need: number): void {
    const now = performance.now();
    const slow: [ZmtpPeer, number, number][] = [];
    for (const peer of this.peers.values()) {
      const p = peer.partialProgress(now);
      if (p && p.heldMs >= PARTIAL_GRACE_MS && p.rate < MIN_PARTIAL_RATE) slow.push([peer, p.rate, p.held]);
    }
    slow.sort((a, b) => a[1] - b[1]);
    let freed = 0;
    for (const [peer, rate, held] of slow) {
      if (freed >= need) break;
      peer.evict(`dropped: a request of this link held ${held} bytes of the node's budget for requests still arriving while it arrived at ${Math.round(rate)} B/s, and other clients needed the budget`);
      freed += held;
    }
  }

  private adopt(accepted: Socket): void {
    let route: Buffer | null = null;
    let key = '';
    let peerUser: string | undefined;
    const o = this.opts;
    const peer = new ZmtpPeer((onread) => withOnread(accepted, onread), {
      socketType: 'ROUTER',
      maxMessageBytes: o.maxMessageBytes,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      heartbeatIvlMs: o.heartbeatIvlMs,
      heartbeatTimeoutMs: o.heartbeatTimeoutMs,
      sendHighWaterMarkBytes: o.sendHighWaterMarkBytes ?? LINK_DEFAULTS.sendHighWaterMarkBytes,
      handshake: o.security ? serverHandshake(o.security) : undefined,
      partialBudget: this.partial,
      readTimeoutMs: o.readTimeoutMs,
    }, {
      ready: (props, user) => {
        peerUser = user;
        const identity = props.get('identity');
        if (identity && identity.length > 0 && identity[0] !== 0 && !this.peers.has(identity.toString('latin1'))) {
          route = Buffer.from(identity);
        } else {
          const tag = this.opts.routeTag;
          route = Buffer.alloc(tag ? 6 : 5);
          if (tag) route[1] = tag;
          this.nextId = (this.nextId + 1) >>> 0;
          route.writeUInt32BE(this.nextId, route.length - 4);
        }
        key = route.toString('latin1');
        this.peers.set(key, peer);
        this.byRoute.set(route, peer);
      },
      message: (frames, bytes) => this.onMessage(route!, frames, bytes, peerUser),
      closed: () => {
        if (route) this.byRoute.delete(route);
        if (route && this.peers.get(key) === peer) this.peers.delete(key);
        if (route) o.onDisconnect?.(route);
      },
    });
    if (o.holdsProcess === false) peer.socket.unref();
  }
}

/**
 * node:net cannot give an accepted socket `onread` (direct reads into a large frame's buffer), so
 * the accepted TCP handle moves into a new socket that has it; the emptied socket is destroyed to
 * settle the server's connection count. Relies on `_handle`, which node:net has kept since 0.x;
 * should it be missing, the accepted socket is used as it is and reads through 'data' events.
 */
function withOnread(accepted: Socket, onread: OnReadOpts): Socket {
  const holder = accepted as unknown as { _handle?: object | null };
  const handle = holder._handle;
  if (!handle) {
    accepted.resume();
    return accepted;
  }
  holder._handle = null;
  accepted.destroy();
  return new Socket({ handle, onread, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
}
