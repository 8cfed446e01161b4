/**
 * A DSO node: a ROUTER (ZMTP) that hosts shared objects and runs their methods. Every request gets
 * exactly one reply (a value or a typed error), including requests that cannot be decoded, and a
 * bad request never disturbs anyone else's calls.
 */
import { createRequire } from 'node:module';
import { WireCodec, type Call } from '../core/protocol/wire/codec.ts';
import { seqAt } from '../core/protocol/wire/envelope-bytes.ts';
import { SYSTEM_TYPE } from '../core/protocol/wire/protocol.ts';
import { ArrowPending, loadArrow } from '../core/protocol/wire/arrow.ts';
import type { Frame } from '../core/protocol/wire/frames.ts';
import { ForbiddenError, InvalidOptionError, PayloadTooLargeError, ReplyNotKeptError, UnknownMethodError } from '../core/protocol/errors.ts';
// Error replies keep user code's stack frames only (error-data.ts).
import { replyErrorData as errorToData } from './error-data.ts';
import { detachSmallViews } from './detach.ts';
import { ParkedCall, ParkedCalls } from './parked.ts';
import { TypeRegistry } from './registry.ts';
import { ObjectStore } from './store.ts';
import { DedupCache, MAX_CACHED_BYTES } from './dedup.ts';
import { ModuleLoader } from './modules.ts';
import { SystemObject } from './system.ts';
import { registerBuiltins } from './objects/index.ts';
import { bindServer, type ServerHandler, type ServerSocket } from '../core/protocol/transport/socket.ts';
import { ServerGroup } from '../core/protocol/transport/server-group.ts';
import type { PersistentStore } from './persistence/store.ts';
import { resolveLimits } from './limits.ts';
import { MemoryBudget } from './memory.ts';
import { refusedMessage } from '../core/protocol/transport/budget.ts';
import { OverloadedError } from '../core/protocol/errors.ts';
import { JOBS_TYPE } from '../core/protocol/jobs.ts';
import { JobService } from './services/executor/service.ts';
import { defaultJobKinds } from './services/executor/kinds.ts';
import { NodeAuth } from './auth.ts';
import { isLoopbackHost, validate, type DsoOptions, type Validated } from './options.ts';

export type { DsoOptions } from './options.ts';
import { Namespace } from './tenancy.ts';
import { registerCredentials } from '../core/protocol/transport/credentials.ts';
import { preloadModules } from './modules.ts';
import { IdleSpin } from '../core/protocol/transport/idle-spin.ts';

/**
 * Set when this file runs compiled to CommonJS (tsx under mocha): a dynamic import would then load a
 * second copy of the persistence strategies' classes. Only there is `__filename` the module wrapper's
 * own (`node -e` defines a global one, which an ES module sees); a bundler sees no require().
 */
const cjsRequire = typeof __filename === 'string' && __filename !== (globalThis as { __filename?: unknown }).__filename ? createRequire(__filename) : undefined;

/**
 * A DSO node: hosts the shared objects and runs their methods for every client that connects.
 * @throws {InvalidOptionError} from the constructor if `port` is not in 0..65535, `maxPayloadBytes`
 * is not a positive integer or the transport is unknown
 */
export class DsoNode {
  /** @internal The node's object types (crucial/internal documents it). */
  readonly registry = new TypeRegistry();
  /** @internal The node's objects (crucial/internal documents it). */
  readonly store = new ObjectStore(this.registry);
  private readonly dedup: DedupCache;
  /** Calls parked on objects, by link: withdrawn when their link is gone. */
  private readonly parked = new ParkedCalls((client, seq) => this.dedup.forget(client, seq));
  /** The node's memory budget (`maxMemoryBytes`): caches and buffers draw from it, new calls are refused past it. */
  private readonly memory: MemoryBudget;
  /**
   * Strict strings: a call carrying invalid UTF-8 is refused at the door (ERR_BAD_ARGUMENT), never
   * stored and echoed. Shape limits: a value too deep or too costly once decoded is refused before
   * it is built (value-shape.ts).
   */
  private readonly codec: WireCodec;
  private readonly opts: Validated;
  private readonly modules: ModuleLoader;
  private persistence: PersistentStore | undefined;
  private socket?: ServerSocket;
  private readonly system: SystemObject;
  /** The executor service (`$jobs`): jobs any client submits, run in this process on crucial's workers. */
  private readonly jobs: JobService;
  private sweeper?: NodeJS.Timeout;
  private _address = '';
  private _ipcAddress: string | undefined;
  /** Requests that arrived while apache-arrow loads for an earlier one: handled after it, in arrival order. */
  private held: Held[] | null = null;
  /** Who may connect, as whom, and whether they may upload code. */
  private readonly auth: NodeAuth;
  private readonly namespaces = new Map<string, Namespace>();
  /** The namespace each tenant call runs in (its result's references are mapped back on the way out). */
  private readonly callNamespace = new WeakMap<Call, Namespace>();
  private unregister: (() => void) | undefined;
  /** Messages received so far: after a reply, the idle spin waits for the next one. */
  private received = 0;
  private repliedAt = 0;
  private readonly spin: IdleSpin;
  private readonly noNewCall = () => this.received === this.repliedAt && this.socket !== undefined;

  constructor(options: DsoOptions = {}) {
    this.opts = validate(options);
    this.spin = new IdleSpin(this.opts.idleSpinUs);
    this.auth = new NodeAuth(options, options.allowUpload ?? false);
    if (!isLoopbackHost(this.opts.host) && this.auth.security?.mechanism !== 'CURVE' && !options.insecureNetwork) {
      throw new InvalidOptionError(`binding ${this.opts.host} (off loopback) needs CURVE (options.curve, --curve DIR): ${this.auth.security ? 'PLAIN would send the token in clear' : 'without authentication anyone who reaches the port could call'}; set insecureNetwork (--insecure-network) to do it anyway`);
    }
    if (this.auth.tenants.length > 0 && this.opts.transport === 'libzmq') {
      throw new InvalidOptionError('namespaces (several tokens or client keys) need the zmtp transport: libzmq does not tell zeromq.js which peer sent a message');
    }
    this.modulesDir = options.modulesDir;
    this.store.limits = resolveLimits({ maxWorkPerCall: options.maxWorkPerCall, maxObjectBytes: options.maxObjectBytes });
    this.memory = new MemoryBudget(options);
    this.codec = new WireCodec(undefined, { strictStrings: true, shapeLimits: { maxDepth: MAX_VALUE_DEPTH, headroom: () => this.memory.heapHeadroom() } });
    this.dedup = new DedupCache(undefined, undefined, { maxBytes: this.memory.replyCacheBytes });
    registerBuiltins(this.registry);
    const modules = new ModuleLoader(this.registry, this.opts.moduleCacheDir, (hash, code) => this.persistence?.saveModule(hash, code));
    this.modules = modules;
    this.system = new SystemObject({ modules, store: this.store, dedup: this.dedup, parked: this.parked, startedAt: Date.now() });
    this.jobs = new JobService(defaultJobKinds(), { ...options.jobs, address: () => this._address });
    // The reply of a call that changes a persistent object is kept durably with the change (exactly-once across restarts).
    this.store.encodeReply = (call, outcome) =>
      'value' in outcome ? this.encodeOk(call, outcome.value) : this.codec.encodeError(call.seq, errorToData(outcome.error));
  }

  /** `tcp://host:port` once started. */
  get address(): string { return this._address; }

  /** `ipc://path` once started with `ipcPath`: the same node, for clients on this host. */
  get ipcAddress(): string | undefined { return this._ipcAddress; }

  /** The root namespace's PLAIN token (made at random unless given); undefined under CURVE or `insecure`. */
  get token(): string | undefined { return this.auth.token; }

  private readonly modulesDir: string | undefined;

  /** Modules stored in the pmem region and not loaded at start, because upload is not allowed. */
  modulesSkipped = 0;

  /** Objects brought back from stable storage at start. */
  restored = 0;

  /**
   * Opens the pmem region if one is configured (restoring its objects), then listens; resolves to
   * this node once clients can connect to {@link DsoNode.address}.
   * @throws {PmemError} if the pmem region cannot be opened or trusted (`PmemCorruptError`, ...)
   * @throws {Error} the system error (`EADDRINUSE`, ...) if the address cannot be bound
   */
  async start(): Promise<this> {
    if (this.opts.pmemPath) {
      // pmem and the persistence strategies load only for a node that persists (not the embedded default).
      // Compiled to CommonJS (tsx under mocha), a dynamic import would load a second copy of the
      // strategies' classes; require keeps the one the rest of the program uses.
      const { PersistentStore } = (cjsRequire ? cjsRequire('./persistence/store.ts') : await import('./persistence/store.ts')) as typeof import('./persistence/store.ts');
      this.persistence = await PersistentStore.open(this.opts.pmemPath, { sizeBytes: this.opts.pmemSizeBytes });
      // Stored modules run again only where upload is allowed: otherwise a past upload would be a standing one.
      for (const m of this.persistence.modulesStored()) {
        if (this.auth.allowUpload) await this.modules.load(m.hash, m.code);
        else this.modulesSkipped++;
      }
      this.store.persistence = this.persistence;
      this.restored = this.store.restore(this.persistence.load());
      for (const r of this.persistence.replies.load()) this.dedup.preload(r.client, r.seq, r.reply);
    }
    if (this.modulesDir) await preloadModules(this.modules, this.modulesDir);
    const serverOptions = {
      maxMessageBytes: this.opts.maxPayloadBytes, maxPartialBytes: this.memory.partialBytes, readTimeoutMs: this.memory.readTimeoutMs,
      onDisconnect: (route: Uint8Array) => { this.parked.linkGone(route); }, security: this.auth.security,
      heartbeatIvlMs: this.opts.heartbeatIvlMs, heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs, holdsProcess: this.opts.holdsProcess,
    };
    const handle: ServerHandler = (route, frames, bytes, user) => this.handle(route, frames, bytes, user);
    const kind = this.opts.transport;
    const tcp = (h: ServerHandler) => bindServer(kind, `tcp://${this.opts.host}:${this.opts.port}`, h, { ...serverOptions, listenFd: this.opts.listenFd });
    if (this.opts.ipcPath === undefined) {
      // One socket: replies go straight to it, with no routing of their own on the hot path.
      this.socket = await tcp(handle);
    } else {
      const group = new ServerGroup(handle);
      await group.add(tcp);
      // Set before the second bind: a call on the first socket meanwhile gets its reply.
      this.socket = group;
      await group.add((h) => bindServer(kind, `ipc://${this.opts.ipcPath}`, h, { ...serverOptions, routeTag: 1, listenFd: this.opts.ipcListenFd })).catch(async (err) => {
        this.socket = undefined;
        await group.close();
        throw err;
      });
      this._ipcAddress = group.endpoints[1];
    }
    this._address = this.socket.endpoint;
    // This process's own clients (the embedded default, a test's) find the credentials by the address.
    if (this.auth.own) {
      const own = this.auth.own;
      const undo = [this._address, this._ipcAddress].filter((a): a is string => a !== undefined).map((a) => registerCredentials(a, own));
      this.unregister = () => { for (const u of undo) u(); };
    }
    this.sweeper = setInterval(() => { this.dedup.sweep(); this.persistence?.replies.sweep(); }, 60_000).unref();
    return this;
  }

  /** Stops listening and closes the pmem region, if any; objects not persisted are gone. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.spin.cancel();
    this.unregister?.();
    await this.jobs.close();
    await this.socket?.close();
    this.socket = undefined;
    this.persistence?.close();
    this.persistence = undefined;
  }

  private handle(route: Uint8Array, frames: Uint8Array[], bytes: number, user?: string): void {
    this.received++;
    this.spin.arrived();
    if (this.held) { this.held.push([route, frames, bytes, user]); return; }
    let call: Call;
    try {
      if (bytes > this.opts.maxPayloadBytes) {
        throw new PayloadTooLargeError(`request of ${bytes} bytes exceeds the node's limit of ${this.opts.maxPayloadBytes}`);
      }
      if (refusedMessage(frames)) {
        throw new OverloadedError(`the node holds ${this.memory.partialBytes} bytes of unfinished requests already (a quarter of --max-memory); retry later`);
      }
      call = this.codec.decodeCall(frames);
      if (call.type !== SYSTEM_TYPE && this.memory.over()) {
        throw new OverloadedError(`the node uses ${this.memory.used()} bytes, over its memory budget of ${this.memory.maxBytes} (--max-memory): new calls are refused until it is back under; retry later`);
      }
    } catch (err) {
      if (err instanceof ArrowPending) return this.holdForArrow(route, frames, bytes, user);
      this.reply(route, this.codec.encodeError(seqOf(frames), errorToData(err)));
      return;
    }
    const ns = this.namespaceOf(user);
    if (ns) {
      try {
        call = ns.inbound(call);
      } catch (err) {
        // Refused as it arrived (a value nested too deep to rewrite), the same answer on every resend: nothing to record.
        this.reply(route, this.codec.encodeError(call.seq, errorToData(err)));
        return;
      }
      this.callNamespace.set(call, ns);
    }
    // A small value an object keeps must not pin its whole request (detach.ts).
    detachSmallViews(call.args);
    detachSmallViews(call.opts.init);
    detachSmallViews(call.opts.state);
    const outcome = this.dedup.begin(call.client, call.seq, route);
    if (outcome.kind === 'replay') return this.reply(route, outcome.reply);
    if (outcome.kind === 'joined') return;
    if (outcome.kind === 'lost') {
      const err = new ReplyNotKeptError(`call ${call.seq} of this client was applied already; its reply was over ${MAX_CACHED_BYTES} bytes and was not kept, so the resend is not run again`);
      return this.reply(route, this.codec.encodeError(call.seq, errorToData(err)));
    }

    let result: unknown;
    let parked: ParkedCall | null = null;
    try {
      // Jobs run with the node's own credentials, outside any namespace: not for tenants.
      if (ns && call.type === JOBS_TYPE) throw new ForbiddenError(`${JOBS_TYPE} runs jobs as the node's owner: a tenant (namespace ${JSON.stringify(ns.name)}) may not use it`);
      if (call.type === SYSTEM_TYPE) {
        result = this.invokeSystem(call, ns, route);
      } else {
        // A call that parks (an object's wait, a $jobs result) is withdrawn if its link goes (parked.ts);
        // its dedup slot is forgotten so a resend parks again.
        const outer = this.parked.enter();
        try {
          result = call.type === JOBS_TYPE ? this.jobs.invoke(call.method, call.args) : this.store.invoke(call);
        } finally {
          parked = this.parked.leave(outer, route, call.client, call.seq);
        }
      }
    } catch (err) {
      return this.complete(route, call, this.codec.encodeError(call.seq, errorToData(err)));
    }
    if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as any).then === 'function')) {
      const p = parked;
      Promise.resolve(result).then(
        (v) => { if (p) this.parked.done(p); this.completeOk(route, call, v); },
        (err) => { if (p) this.parked.done(p); this.complete(route, call, this.codec.encodeError(call.seq, errorToData(err))); },
      );
    } else {
      this.completeOk(route, call, result);
    }
  }

  /** The first request carrying Arrow: it and every later request wait for apache-arrow, then run in order. */
  private holdForArrow(route: Uint8Array, frames: Uint8Array[], bytes: number, user: string | undefined): void {
    const held: Held[] = [[route, frames, bytes, user]];
    this.held = held;
    loadArrow().then(() => this.release(held), (err) => {
      if (this.held !== held) return;
      this.held = null;
      for (const [r, f] of held) this.reply(r, this.codec.encodeError(seqOf(f), errorToData(err)));
    });
  }

  /** Handles the held requests once (both a held request and a held reply may release the same list). */
  private release(held: Held[]): void {
    if (this.held !== held) return;
    this.held = null;
    for (const [r, f, b, u] of held) this.handle(r, f, b, u);
  }

  /** A result holding Arrow before apache-arrow is loaded is encoded once it is (the call is applied already). */
  private completeOk(route: Uint8Array, call: Call, value: unknown): void {
    try {
      this.complete(route, call, this.replyOk(call, value));
    } catch (err) {
      if (!(err instanceof ArrowPending)) throw err;
      // Later requests wait too: the result may be the object's own array, which they could change.
      const held: Held[] = this.held ?? [];
      this.held = held;
      const release = (reply: () => Frame[]): void => {
        this.complete(route, call, reply());
        this.release(held);
      };
      loadArrow().then(
        () => release(() => this.replyOk(call, value)),
        (e) => release(() => this.codec.encodeError(call.seq, errorToData(e))),
      );
    }
  }

  /**
   * The OK reply to send. Objects of SCATTERED_REPLY_TYPES never write into a value they hold, so
   * a large array they keep as it arrived goes out as its own frame's bytes (no copy, no 8 MB
   * buffer; encodeOkScattered); any other result is copied into the reply as it is now.
   */
  private replyOk(call: Call, value: unknown): Frame[] {
    if (!SCATTERED_REPLY_TYPES.has(call.type)) return this.encodeOk(call, value);
    try {
      const ns = this.callNamespace.get(call);
      return this.codec.encodeOkScattered(call.seq, ns ? ns.outbound(value) : value);
    } catch (err) {
      if (err instanceof ArrowPending) throw err;
      return this.codec.encodeError(call.seq, errorToData(err));
    }
  }

  private encodeOk(call: Call, value: unknown): Uint8Array[] {
    try {
      const ns = this.callNamespace.get(call);
      return this.codec.encodeOk(call.seq, ns ? ns.outbound(value) : value);
    } catch (err) {
      if (err instanceof ArrowPending) throw err;
      return this.codec.encodeError(call.seq, errorToData(err));
    }
  }

  private invokeSystem(call: Call, ns: Namespace | null, route: Uint8Array): unknown {
    // SystemObject's own methods only: not Object.prototype's (valueOf, toString...) nor the caller field.
    const fn = Object.hasOwn(SystemObject.prototype, call.method) ? (SystemObject.prototype as any)[call.method] : undefined;
    if (typeof fn !== 'function' || call.method === 'constructor' || call.method.startsWith('_')) {
      throw new UnknownMethodError(`${SYSTEM_TYPE} has no method "${call.method}"`);
    }
    const tenants = this.auth.tenants;
    // Code upload runs code as the node's user, which could read every tenant: the root's alone.
    this.system.caller = ns
      ? { key: (k) => ns.key(k), owns: (k) => ns.owns(k), mayUpload: false }
      : { key: (k) => k, owns: (k) => !tenants.some((t) => k.startsWith(`${t}\u0000`)), mayUpload: this.auth.allowUpload };
    // A delete of a persistent object writes this call's reply as its durable dedup record.
    this.system.call = call;
    this.system.route = route;
    return fn.apply(this.system, call.args);
  }

  /** The tenant namespace of an authenticated user id; null for the root ('') and for NULL peers. */
  private namespaceOf(user: string | undefined): Namespace | null {
    if (!user) return null;
    let ns = this.namespaces.get(user);
    if (!ns) this.namespaces.set(user, (ns = new Namespace(user)));
    return ns;
  }

  private complete(route: Uint8Array, call: Call, reply: Frame[]): void {
    this.reply(route, reply);
    for (const other of this.dedup.finish(call.client, call.seq, reply)) {
      if (!Buffer.from(other).equals(Buffer.from(route))) this.reply(other, reply);
    }
  }

  private reply(route: Uint8Array, frames: Frame[]): void {
    this.socket?.send(route, frames);
    this.repliedAt = this.received;
    this.spin.hold(this.noNewCall);
  }
}

/**
 * Types whose methods only store, replace and return values, never write into one: the built-ins
 * whose replies may send a kept array's received bytes as they lie when the socket takes them.
 * (AtomicMap's `sum` merge and the ML states add into their arrays; user classes may do anything.)
 */
const SCATTERED_REPLY_TYPES: ReadonlySet<string> = new Set(['AtomicReference', 'AtomicList', 'Future']);

/**
 * How deep a call's values may nest (the envelope and its args array count): deep enough for any
 * data a program means to send, shallow enough that the node's recursive passes over a value
 * (references, persistence, replies) stay far from the stack's end.
 */
const MAX_VALUE_DEPTH = 512;

/** A request held while apache-arrow loads: route, frames, size, authenticated user. */
type Held = [Uint8Array, Uint8Array[], number, string | undefined];

/** The seq of a request that failed to decode, if its envelope has one where the seq goes (envelope-bytes.ts). */
function seqOf(frames: Uint8Array[]): number | null {
  return frames[0] ? seqAt(frames[0]) : null;
}

/**
 * Starts a DSO node in this process (see {@link DsoNode.start}).
 * @throws {InvalidOptionError} if an option is out of range
 * @throws {PmemError} if the pmem region cannot be opened or trusted
 */
export async function startDso(options: DsoOptions = {}): Promise<DsoNode> {
  return new DsoNode(options).start();
}
