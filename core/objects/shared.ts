/**
 * `@Shared`: on a class, marks it as a user-defined shared type whose methods run on the DSO node;
 * on a field, turns the field's value into a proxy of a shared object keyed after the field (or by
 * `key`). `shared()` does the same without decorators. A user-class proxy ships the class's module
 * to the node on first use (content-hashed) and retries the call once the node has loaded it.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { SHARED_CLASS, sharedClassMeta, type SharedClassMeta } from './shared-marker.ts';
import { callerModuleUrl } from './caller.ts';
import { bundleModule } from './module-bundle.ts';
import { setFallbackProxy } from './proxy-registry.ts';
import { SYSTEM_TYPE, TOUCH, type CallOptions } from '../wire/protocol.ts';
import { CrucialError, ErrorCode, InvalidOptionError } from '../errors.ts';

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
/** The remote view of a user class: every method returns a promise of its result. */
export type Remote<T> = {
  [K in keyof T as T[K] extends AnyFn ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & Pick<SharedObject, 'key' | 'release' | 'toObjectRef'>;

/** Types the value of a `@Shared` field holding a user-class instance as its remote view. */
export function remote<T>(value: T): Remote<T> {
  return value as unknown as Remote<T>;
}

export function Shared(options: SharedDecoratorOptions = {}) {
  return function (value: unknown, context: ClassDecoratorContext | ClassFieldDecoratorContext): any {
    if (context.kind === 'class') {
      const meta: SharedClassMeta = { moduleUrl: options.module ?? callerModuleUrl() };
      Object.defineProperty(value as object, SHARED_CLASS, { value: meta, enumerable: false });
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
  if (initial instanceof SharedObject) return initial.bindKey(key, options);
  if (isUserProxy(initial)) return initial;
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

/** A proxy of the user-class object `key` (created on the node on first use with `args`). */
export function shared<T extends object>(cls: new (...args: any[]) => T, key: string, options: SharedFactoryOptions = {}): Remote<T> {
  if (!sharedClassMeta(cls)) throw new InvalidOptionError(`class ${cls.name} is not marked @Shared`);
  return makeUserProxy(cls, key, options) as unknown as Remote<T>;
}

/** A proxy by type name and key, for objects whose class is not loaded here (e.g. defined by another program). */
export function sharedByName<T = Record<string, AnyFn>>(typeName: string, key: string, options: SharedOptions = {}): Remote<T> {
  return wrap(new UserProxy(typeName, key, undefined, undefined, options)) as unknown as Remote<T>;
}

const USER_PROXY = Symbol('crucial.userProxy');
function isUserProxy(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as any)[USER_PROXY] === true;
}

class UserProxy extends SharedObject {
  private moduleHash: string | undefined;

  constructor(
    readonly typeName: string,
    key: string,
    private readonly moduleUrl: string | undefined,
    extra: CallOptions | undefined,
    options: SharedOptions,
  ) {
    super(key, extra?.init, options, extra?.state);
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
  return wrap(new UserProxy(cls.name, key, meta.moduleUrl, extra, options));
}

/** Exposes any method name as a remote call; `then` stays undefined so a proxy is not mistaken for a promise. */
function wrap(target: UserProxy): object {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === USER_PROXY) return true;
      if (typeof prop === 'symbol' || prop in t) return Reflect.get(t, prop, receiver);
      if (prop === 'then' || prop === 'toJSON') return undefined;
      return (...args: unknown[]) => t.call(prop, args);
    },
  });
}

setFallbackProxy((ref) => wrap(new UserProxy(ref.type, ref.key, undefined, undefined, {})) as unknown as SharedObject);
