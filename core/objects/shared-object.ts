/**
 * Base of every proxy. A proxy holds only a name (type, key) and a connection; the state lives on
 * the DSO node. Until a key is bound (directly, or by `@Shared` on the field holding it) a proxy
 * cannot be used. Constructor arguments travel with the first call only; the node uses them if it
 * has to create the object, and ignores them otherwise.
 */
import { RECOVER_CALL, type Connection } from '../client/connection.ts';
import { defaultConnectionAsync } from '../client/context.ts';
import { ObjectRef, TOUCH, type CallOptions } from '../protocol/wire/protocol.ts';
import { ErrorCode, CrucialError, InvalidOptionError, ReleasedError } from '../protocol/errors.ts';

/** Options shared by every proxy constructor. */
export interface SharedOptions {
  /** Keep the object beyond the application's lifetime. */
  persistent?: boolean;
  /** Replace any existing object of that key by a fresh one on first access. */
  forceNew?: boolean;
  /** Connection to use instead of the process default. */
  connection?: Connection;
}

/**
 * Internal entry to `materialize()`: a user-class proxy answers every method name its class declares
 * remotely (a class may well have a `materialize` method), so crucial's own code goes through this.
 */
export const MATERIALIZE = Symbol('crucial.materialize');
/** @internal The connection a proxy is bound to, if any yet (a task checks its proxies reach the workers' node). */
export const BOUND_CONNECTION = Symbol('crucial.boundConnection');

/**
 * Internal: a proxy's reference and the creation options its first call would carry. A DSO node that
 * finds a client proxy in a user object's fields (made by a field initializer running on the node)
 * uses them to create the object locally and call it without a message (dso/local-refs.ts).
 */
export const CREATION = Symbol.for('crucial.creation');

/**
 * Base of every proxy: a name (type, key) and a connection; the state lives on the DSO node. Every
 * method of a proxy returns a promise, which rejects with:
 * - {@link ReleasedError} once {@link SharedObject.release} was called;
 * - {@link InvalidOptionError} if the proxy has no key yet (neither given nor bound by `@Shared`);
 * - {@link UnavailableError} when no link to the node came up within `CRUCIAL_UNAVAILABLE_MS`,
 *   {@link ClosedError} when its connection was closed, {@link HighWaterMarkError} when too many
 *   messages are queued for the node;
 * - the node's own error for the call, rebuilt from its code ({@link BadArgumentError},
 *   {@link UnknownMethodError}, ...), or a {@link RemoteError} carrying a user class's exception.
 *
 * @throws {InvalidOptionError} from the constructor if `key` is given and is not a non-empty string
 */
export abstract class SharedObject {
  /** Node-side type name. */
  abstract readonly typeName: string;
  private _key: string | undefined;
  private conn: Connection | undefined;
  private pendingOpts: CallOptions | undefined;
  private released = false;
  /** Constructor arguments to resend if the node lost the object. */
  private initOptions: CallOptions | undefined;

  protected constructor(key: string | undefined, init: unknown[] | undefined, options: SharedOptions = {}, state?: Record<string, unknown>) {
    if (key !== undefined && (typeof key !== 'string' || key.length === 0)) throw new InvalidOptionError('key must be a non-empty string');
    this._key = key;
    this.conn = options.connection;
    const opts: CallOptions = {};
    if (init !== undefined && init.length > 0) opts.init = init;
    if (options.persistent) opts.persistent = true;
    if (options.forceNew) opts.forceNew = true;
    if (state) opts.state = state;
    this.pendingOpts = Object.keys(opts).length > 0 ? opts : undefined;
    // `persistent` alone is a creation option too: a retry after a module upload or a lost object
    // that dropped it would create the object in memory only, and its acknowledged writes would not
    // survive a restart.
    this.initOptions = opts.init || opts.state || opts.persistent
      ? { ...(opts.init ? { init: opts.init } : {}), ...(opts.state ? { state: opts.state } : {}), ...(opts.persistent ? { persistent: true } : {}) }
      : undefined;
  }

  /**
   * The object's key on the DSO.
   * @throws {InvalidOptionError} if no key was given or bound
   */
  get key(): string {
    if (this._key === undefined) throw new InvalidOptionError(`${this.typeName} has no key: pass one to the constructor or declare the field with @Shared`);
    return this._key;
  }

  /**
   * Binds the key (used by `@Shared` fields); a proxy's key never changes once set.
   * @throws {InvalidOptionError} if the proxy is already bound to another key
   */
  bindKey(key: string, options: { persistent?: boolean; forceNew?: boolean } = {}): this {
    if (this._key !== undefined && this._key !== key) throw new InvalidOptionError(`${this.typeName} is already bound to key "${this._key}"`);
    this._key = key;
    if (options.persistent || options.forceNew) {
      this.pendingOpts = { ...(this.pendingOpts ?? {}), ...(options.persistent ? { persistent: true } : {}), ...(options.forceNew ? { forceNew: true } : {}) };
    }
    if (options.persistent) this.initOptions = { ...(this.initOptions ?? {}), persistent: true };
    return this;
  }

  /** Binds this proxy to a connection (references revived in a worker use the worker's). */
  bindConnection(conn: Connection): this {
    this.conn = conn;
    return this;
  }

  /**
   * The reference `(type, key)` that travels when this proxy is passed as a value.
   * @throws {InvalidOptionError} if the proxy has no key
   */
  toObjectRef(): ObjectRef {
    return new ObjectRef(this.typeName, this.key);
  }

  /** Stops using this proxy; later calls fail with ERR_RELEASED. The object stays on the node. */
  release(): void {
    this.released = true;
  }

  /** Same as {@link SharedObject.release}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }

  /**
   * Makes sure the object exists on the node with this proxy's constructor arguments. Done before a
   * proxy is handed to another thread, which receives only (type, key).
   */
  async materialize(): Promise<void> {
    if (this.pendingOpts !== undefined) await this.invoke(TOUCH);
  }

  /** @internal */
  [MATERIALIZE](): Promise<void> {
    return this.materialize();
  }

  /** @internal */
  [BOUND_CONNECTION](): Connection | undefined {
    return this.conn;
  }

  /** @internal */
  [CREATION](): { ref: ObjectRef; opts: CallOptions | undefined } | undefined {
    if (this._key === undefined) return undefined;
    return { ref: this.toObjectRef(), opts: this.pendingOpts ?? this.initOptions };
  }

  /** The connection this proxy uses (the process default unless one was given). */
  protected async connection(): Promise<Connection> {
    return this.conn ?? (this.conn = await defaultConnectionAsync());
  }

  /** Makes the next call carry the creation options again (its first attempt was refused before creating). */
  protected resendCreationOptions(): void {
    if (this.initOptions) this.pendingOpts = { ...this.initOptions, ...(this.pendingOpts ?? {}) };
  }

  /** Options every call carries (user classes name their module); undefined for built-ins. */
  protected perCallOptions(): CallOptions | undefined | Promise<CallOptions | undefined> {
    return undefined;
  }

  protected invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    // The common call (connection known, no creation options left to send, no options to wait
    // for) goes straight to the connection, without an async frame and the microtask turns of its
    // awaits: ~0.3 µs of a small call. Everything else, in order, takes the general path.
    const conn = this.conn;
    if (conn === undefined || this.released || this._key === undefined) return this.invokeSlow(method, args);
    try {
      const every = this.perCallOptions();
      if (every instanceof Promise) return this.invokeSlow(method, args, every);
      const first = this.pendingOpts;
      if (first !== undefined) {
        // The first call carries the creation options, here too: through the general path its
        // promise settled microtask turns after a later call's answered in the same read, so two
        // calls answered in order (a semaphore's waiters) resolved out of order. It never recovers
        // (it creates the object), as in invokeSlow.
        this.pendingOpts = undefined;
        const sent = conn.call(this.typeName, this._key, method, args, { ...every, ...first }) as Promise<T>;
        // Refused before it left (an argument that cannot be encoded, a closed connection): the node
        // never saw the creation options, so the next call carries them instead.
        if (!conn.lastCallQueued) this.pendingOpts = first;
        return sent;
      }
      // With constructor arguments, an error reply goes to [RECOVER_CALL] first (no .catch per call).
      return conn.call(this.typeName, this._key, method, args, every ? { ...every } : undefined, this.initOptions ? this : undefined) as Promise<T>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * @internal The node lost the object (restart, delete): the call again, with the constructor
   * arguments that recreate it (Connection.call asks this on an error reply; see CallRecovery).
   */
  [RECOVER_CALL](err: unknown, method: string, args: unknown[], every: CallOptions | undefined): unknown {
    const conn = this.conn;
    if (conn !== undefined && err instanceof CrucialError && err.code === ErrorCode.NO_OBJECT && this.initOptions) {
      return conn.call(this.typeName, this.key, method, args, { ...every, ...this.initOptions });
    }
    throw err;
  }

  private async invokeSlow<T>(method: string, args: unknown[], pendingEvery?: Promise<CallOptions | undefined>): Promise<T> {
    if (this.released) throw new ReleasedError(`${this.typeName} "${this._key}" was released`);
    const key = this.key;
    const conn = await this.connection();
    let every = pendingEvery ?? this.perCallOptions();
    if (every instanceof Promise) every = await every;
    // Creation options ride on this proxy's first call only: later calls on the same connection
    // arrive after it (ZeroMQ keeps per-connection order), so the object exists by then.
    const first = this.pendingOpts;
    this.pendingOpts = undefined;
    const opts = first || every ? { ...every, ...first } : undefined;
    try {
      const sent = conn.call(this.typeName, key, method, args, opts);
      if (!conn.lastCallQueued && first) this.pendingOpts = first;
      return (await sent) as T;
    } catch (err) {
      // The node lost the object (restart, delete): recreate it from the constructor arguments.
      if (err instanceof CrucialError && err.code === ErrorCode.NO_OBJECT && !first && this.initOptions) {
        return (await conn.call(this.typeName, key, method, args, { ...every, ...this.initOptions })) as T;
      }
      throw err;
    }
  }
}
