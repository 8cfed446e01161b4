/**
 * `@Shared`: on a class, marks it as a user-defined shared type whose methods run on the DSO node;
 * on a field, turns the field's value into a proxy of a shared object keyed after the field (or by
 * `key`). `shared()` does the same without decorators. A user-class proxy ships the class's module
 * to the node on first use (content-hashed) and retries the call once the node has loaded it.
 */
import { MATERIALIZE, SharedObject, type SharedOptions } from './shared-object.ts';
import { SHARED_CLASS, sharedClassMeta, type SharedClassMeta } from './shared-marker.ts';
import { callerModuleUrl } from './caller.ts';
import { bundleModule } from './module-bundle.ts';
import { registerUserClassProxy, setFallbackProxy } from './proxy-registry.ts';
import { SYSTEM_TYPE, TOUCH, type CallOptions, type ObjectRef } from '../protocol/wire/protocol.ts';
import { CrucialError, ErrorCode, InvalidOptionError } from '../protocol/errors.ts';

/** Options of `@Shared`. */
export interface SharedDecoratorOptions {
  /** Key of the object; default `<ClassName>.<fieldName>` of the enclosing class. */
  key?: string;
  /** Keep the object beyond the application's lifetime. */
  persistent?: boolean;
  /** Replace any existing object of that key on first access. */
  forceNew?: boolean;
  /** On a class: the defining module (`import.meta.url`), when it cannot be read from the stack. */
  module?: string;
}

type AnyFn = (...args: any[]) => any;

/** What a user-class proxy answers itself, for the names its class does not declare as methods. */
interface ProxyMembers {
  /** The object's key on the DSO (also `toObjectRef().key`, which works whatever the class declares). */
  readonly key: string;
  /** Stops using this proxy (also `[Symbol.asyncDispose]()`); the object stays on the node. */
  release(): void;
}

/**
 * The remote view of a user class: every method returns a promise of its result. Methods the class
 * declares always run on the node, even when named like a proxy member (`release`, `key`, `call`,
 * ...); the proxy's own `key` and `release` are there only under names the class leaves free, and
 * always as `toObjectRef()` and `[Symbol.asyncDispose]()`. `toObjectRef` and `then` are reserved:
 * `@Shared` refuses a class that declares them.
 */
export type Remote<T> = {
  [K in keyof T as T[K] extends AnyFn ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & Omit<ProxyMembers, keyof T> & {
  /** The reference `(type, key)` that travels when the proxy is passed as a value. */
  toObjectRef(): ObjectRef;
  /** Stops using the proxy (as `release()`), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
};

/** Types the value of a `@Shared` field holding a user-class instance as its remote view. */
export function remote<T>(value: T): Remote<T> {
  return value as unknown as Remote<T>;
}

/**
 * Decorator. On a class: its instances are shared objects whose methods run on the DSO node (its
 * module is bundled and shipped to the node on first use). On a field: the shared object (or
 * `@Shared` class instance) it holds is bound to a key, `options.key` or `<ClassName>.<fieldName>`.
 *
 * @throws {InvalidOptionError} if the class declares a reserved name (`toObjectRef`, `then`), or the
 * field holds neither a shared object nor an instance of a `@Shared` class, or it decorates anything else
 */
export function Shared(options: SharedDecoratorOptions = {}) {
  // Contexts narrowed to what is read, so the call without decorator syntax the README shows,
  // `Shared()(Cls, { kind: 'class', name: 'Cls' })`, type-checks as the decorator does.
  return function (value: unknown, context: Pick<ClassDecoratorContext, 'kind' | 'name'> | Pick<ClassFieldDecoratorContext, 'kind' | 'name'>): any {
    if (context.kind === 'class') {
      const cls = value as new (...args: any[]) => object;
      const reserved = [...methodNames(cls)].filter((m) => RESERVED.has(m));
      if (reserved.length > 0) {
        throw new InvalidOptionError(`@Shared class ${cls.name} declares ${reserved.map((m) => `"${m}"`).join(' and ')}, `
          + 'which crucial reserves on proxies (a proxy must travel as a reference and must not look like a promise): rename it');
      }
      const meta: SharedClassMeta = { moduleUrl: options.module ?? callerModuleUrl() };
      Object.defineProperty(cls, SHARED_CLASS, { value: meta, enumerable: false });
      registerUserClassProxy(cls.name, (ref, conn) => wrap(new UserProxy(ref.type, ref.key, meta.moduleUrl, undefined, { connection: conn }), methodNames(cls)) as unknown as SharedObject);
      return undefined;
    }
    if (context.kind === 'field') {
      const field = String(context.name);
      return function (this: object, initial: unknown): unknown {
        const key = options.key ?? `${(this as any).constructor?.name ?? 'Object'}.${field}`;
        return toShared(initial, key, options, field);
      };
    }
    throw new InvalidOptionError('@Shared applies to classes and fields');
  };
}

function toShared(initial: unknown, key: string, options: SharedDecoratorOptions, field: string): unknown {
  // A user-class proxy first: it is a SharedObject too, but its class may declare a `bindKey` of its own.
  if (isUserProxy(initial)) { proxyTarget(initial).bindKey(key, options); return initial; }
  if (initial instanceof SharedObject) return initial.bindKey(key, options);
  if (typeof initial === 'object' && initial !== null && sharedClassMeta(initial.constructor)) {
    return makeUserProxy(initial.constructor as new () => object, key, { ...options, state: { ...initial } });
  }
  throw new InvalidOptionError(`@Shared field "${field}" must hold a shared object or an instance of a @Shared class`);
}

/** Options of `shared()`. */
export interface SharedFactoryOptions extends SharedOptions {
  /** Constructor arguments, used if the node has to create the object. */
  args?: unknown[];
}

/**
 * A proxy of the user-class object `key` (created on the node on first use with `args`).
 * @throws {InvalidOptionError} if `cls` is not marked `@Shared` or `key` is empty
 */
export function shared<T extends object>(cls: new (...args: any[]) => T, key: string, options: SharedFactoryOptions = {}): Remote<T> {
  if (!sharedClassMeta(cls)) throw new InvalidOptionError(`class ${cls.name} is not marked @Shared`);
  return makeUserProxy(cls, key, options) as unknown as Remote<T>;
}

/**
 * A proxy by type name and key, for objects whose class is not loaded here (e.g. defined by another
 * program). Without the class the proxy cannot tell the class's methods from its own members: `key`,
 * `release` and `call` keep their proxy meanings, and `call(name, args)` reaches a remote method of
 * any name.
 * @throws {InvalidOptionError} if `key` is empty
 */
export function sharedByName<T = Record<string, AnyFn>>(typeName: string, key: string, options: SharedOptions = {}): Remote<T> {
  return wrap(new UserProxy(typeName, key, undefined, undefined, options), undefined) as unknown as Remote<T>;
}

const USER_PROXY = Symbol('crucial.userProxy');
function isUserProxy(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as any)[USER_PROXY] instanceof UserProxy;
}
/** The module defining a user-class proxy's class, when this process has the class (cloud threads import it). */
export function userProxyModule(v: unknown): string | undefined {
  return isUserProxy(v) ? proxyTarget(v).moduleUrl : undefined;
}
function proxyTarget(v: unknown): UserProxy {
  return (v as any)[USER_PROXY] as UserProxy;
}

class UserProxy extends SharedObject {
  private moduleHash: string | undefined;
  /** Shared objects in the constructor arguments or state: created first, with their own initial values. */
  private nested: SharedObject[] | undefined;

  constructor(
    readonly typeName: string,
    key: string,
    readonly moduleUrl: string | undefined,
    extra: CallOptions | undefined,
    options: SharedOptions,
  ) {
    super(key, extra?.init, options, extra?.state);
    const nested = [...Object.values(extra?.state ?? {}), ...(extra?.init ?? [])].flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v): v is SharedObject => v instanceof SharedObject);
    if (nested.length > 0) this.nested = nested;
  }

  // Every call names the module so the node can load the class whenever it lacks it (first use, restart).
  protected override perCallOptions(): CallOptions | undefined | Promise<CallOptions> {
    if (!this.moduleUrl) return undefined;
    if (this.moduleHash) return { module: this.moduleHash };
    return bundleModule(this.moduleUrl).then(({ hash }) => {
      this.moduleHash = hash;
      return { module: hash };
    });
  }

  /** Creates the object on the node (loading the class's module there) before a reference to it travels. */
  override async materialize(): Promise<void> {
    await this.call(TOUCH, []);
  }

  /** Invokes a method by name, uploading the class's module if the node lacks it. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (this.nested) {
      // The node receives them as bare references: they must exist, with their own initial values, before it uses them.
      const nested = this.nested;
      this.nested = undefined;
      await Promise.all(nested.map((p) => p[MATERIALIZE]()));
    }
    try {
      return await this.invoke(method, ...args);
    } catch (err) {
      if (!(err instanceof CrucialError) || err.code !== ErrorCode.MODULE_MISSING || !this.moduleUrl) throw err;
      const { hash, code } = await bundleModule(this.moduleUrl);
      await (await this.connection()).call(SYSTEM_TYPE, '', 'loadModule', [hash, code]);
      this.resendCreationOptions();
      return this.invoke(method, ...args);
    }
  }
}

function makeUserProxy(cls: new (...args: any[]) => object, key: string, options: SharedFactoryOptions & { state?: Record<string, unknown> }): object {
  const meta = sharedClassMeta(cls)!;
  const extra: CallOptions = {};
  if (options.args) extra.init = options.args;
  if (options.state) extra.state = options.state;
  return wrap(new UserProxy(cls.name, key, meta.moduleUrl, extra, options), methodNames(cls));
}

/** Names no user class may declare: the wire codec sends anything with `toObjectRef` as a reference; `then` makes a promise. */
const RESERVED = new Set(['toObjectRef', 'then']);
/** Proxy members a user-class proxy answers itself when its class does not declare them. */
const LOCAL_MEMBERS = new Set(['key', 'release', 'call']);

const methodCache = new WeakMap<Function, ReadonlySet<string>>();
/** The callable names of a class as the node sees them (prototype functions not starting with `_`). */
function methodNames(cls: Function): ReadonlySet<string> {
  let names = methodCache.get(cls);
  if (!names) {
    const found = new Set<string>();
    for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const n of Object.getOwnPropertyNames(p)) {
        if (n === 'constructor' || n.startsWith('_')) continue;
        if (typeof Object.getOwnPropertyDescriptor(p, n)?.value === 'function') found.add(n);
      }
    }
    methodCache.set(cls, (names = found));
  }
  return names;
}

/**
 * Exposes method names as remote calls. The class's own methods win over every proxy member; of the
 * proxy's members only `toObjectRef`, symbols and (where the class leaves the name free) `key`,
 * `release` and `call` are reachable, and they run against the target itself, so a user method named
 * `typeName` or `invoke` cannot divert the proxy's internals. `then` stays undefined so a proxy is not
 * mistaken for a promise.
 */
function wrap(target: UserProxy, methods: ReadonlySet<string> | undefined): object {
  const own = (prop: string | symbol): unknown => {
    const v = Reflect.get(target, prop, target);
    return typeof v === 'function' ? v.bind(target) : v;
  };
  return new Proxy(target, {
    get(t, prop) {
      if (prop === USER_PROXY) return target;
      if (typeof prop === 'symbol' || prop === 'toObjectRef') return own(prop);
      if (prop === 'then') return undefined;
      if (methods?.has(prop)) return (...args: unknown[]) => t.call(prop, args);
      if (LOCAL_MEMBERS.has(prop)) return own(prop);
      if (prop === 'toJSON') return undefined;
      return (...args: unknown[]) => t.call(prop, args);
    },
  });
}

setFallbackProxy((ref, conn) => wrap(new UserProxy(ref.type, ref.key, undefined, undefined, { connection: conn }), undefined) as unknown as SharedObject);
