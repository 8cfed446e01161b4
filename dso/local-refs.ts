/**
 * Distributed references on the node (seed §3.1.1): a user object's fields and arguments may hold
 * references to other shared objects, which arrive as plain `(type, key)` ObjectRefs. Here they are
 * revived as local proxies, so a `@Shared` method can write `await this.balance.addAndGet(5)` and the
 * call runs on this node, with no network hop.
 *
 * Re-entrancy. A call made from inside a user method on object A to object B:
 * - runs at once, inline, when B is idle, and holds B's queue if B's method is async, exactly as a
 *   call from a client would (so B's own linearizability is kept);
 * - waits in B's queue when B is running a call of another chain (another client's call, or a
 *   chain that reached B first), as a client call would;
 * - runs inline, re-entrantly, when B is already running up this call chain: A calling A, or a
 *   cycle A → B → A. Like a re-entrant Java monitor, the nested call interleaves with the outer
 *   method of the same object at its `await` points; waiting for B's queue there would deadlock.
 * Two chains that each hold an object and then call the other's (A.m → B while B.n → A) wait for
 * each other forever, as two threads taking two locks in opposite orders do: order such calls.
 *
 * Values cross a local call by copy through the wire codec, as a remote call's would: a method never
 * receives another object's internal state, and results of local calls come back with references
 * revived again. Local calls carry a client id of their own and are never resent, so exactly-once
 * replay has nothing to do for them (a call on a persistent object still leaves the store's
 * durable reply record, under that id).
 *
 * Objects not on this node: a deployment has one node for now, so every reference names an object
 * here (a missing object is created as a client's first call would create it, or fails with
 * ERR_NO_OBJECT). With several nodes a reference to a remote object must become a client proxy.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { UnknownMethodError } from '../core/protocol/errors.ts';
import { WireCodec, type Call } from '../core/protocol/wire/codec.ts';
import { ArrowPending, loadArrow, withArrow } from '../core/protocol/wire/arrow.ts';
import { ObjectRef, TOUCH, type CallOptions } from '../core/protocol/wire/protocol.ts';
import type { ObjectClass, TypeRegistry } from './registry.ts';

/** What local references need from the store: run a call as a client's, and find a hosted instance. */
export interface LocalStore {
  invoke(call: Call): unknown;
  instanceOf(type: string, key: string): object | undefined;
}

/** Client id of calls made on the node by user methods (they skip the network and the dedup cache). */
const LOCAL_CLIENT = new TextEncoder().encode('crucial.local.ref');

const LOCAL_REF = Symbol('crucial.localRef');
/** core/objects/shared-object.ts's CREATION, by its registered name: the node does not import client code. */
const CREATION = Symbol.for('crucial.creation');

export class LocalRefs {
  /** The instances whose methods are running up the current call chain, outermost first. */
  private readonly chain = new AsyncLocalStorage<readonly object[]>();
  private readonly revived = new WeakSet<object>();
  /** Copies values between objects; references decode as local proxies. */
  private readonly codec = new WireCodec((ref) => this.proxy(ref));
  /** Copies call arguments; references stay ObjectRefs, as in a call from the network. */
  private readonly argsCodec = new WireCodec();

  constructor(private readonly store: LocalStore, private readonly registry: TypeRegistry) {}

  /**
   * The class the node registers for a user class: the same class, whose constructor and callable
   * methods revive references in their arguments (and, once per object, in its fields) and run
   * inside the call chain that re-entrancy is decided on.
   */
  wrapUserClass(cls: ObjectClass): ObjectClass {
    const refs = this;
    // Declared under the user class's own name: V8 names stack frames after it (`Tally.fail`), not
    // after a `name` property, and a class's declared name can only be chosen in source.
    const name = /^[A-Za-z_$][\w$]*$/.test(cls.name) ? cls.name : 'SharedClass';
    const Wrapped = new Function('Base', 'revive', `return class ${name} extends Base { constructor(...a) { super(...revive(a)); } };`)(
      cls, (args: unknown[]) => refs.revive(args),
    ) as ObjectClass;
    // The store tells "create with no arguments" from "needs arguments" by the constructor's arity;
    // the rest parameter above has none, and a lost object would come back silently blank.
    Object.defineProperty(Wrapped, 'length', { value: cls.length });
    for (const name of callableNames(cls)) {
      const method = (cls.prototype as Record<string, Function>)[name]!;
      Object.defineProperty(Wrapped.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: object, ...args: unknown[]) { return refs.run(this, method, args); },
      });
    }
    return Wrapped;
  }

  /**
   * Replaces ObjectRefs in a value (in place, through arrays and plain objects) by local proxies.
   * A client proxy (a field initializer such as `@Shared({ key }) n = new AtomicLong(5)` ran here,
   * in a constructor) becomes one too, its object created here with its initial value: called as a
   * client it would go out to whatever node this process's default connection names.
   */
  revive(value: unknown): unknown {
    if (value instanceof ObjectRef) return this.proxy(value);
    const creation = typeof value === 'object' && value !== null ? (value as Record<symbol, unknown>)[CREATION] : undefined;
    if (typeof creation === 'function') {
      const c = creation.call(value) as { ref: ObjectRef; opts: CallOptions | undefined } | undefined;
      if (!c) return value;
      this.store.invoke({ client: LOCAL_CLIENT, seq: 0, type: c.ref.type, key: c.ref.key, method: TOUCH, args: [], opts: c.opts ?? {} });
      return this.proxy(c.ref);
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.revive(value[i]);
    } else if (isPlain(value)) {
      for (const k of Object.keys(value)) value[k] = this.revive(value[k]);
    }
    return value;
  }

  private run(self: object, method: Function, args: unknown[]): unknown {
    if (!this.revived.has(self)) {
      // State from a client (`opts.state`) or from stable storage holds plain refs until first use.
      this.revived.add(self);
      for (const k of Object.keys(self)) (self as Record<string, unknown>)[k] = this.revive((self as Record<string, unknown>)[k]);
    }
    this.revive(args);
    const chain = this.chain.getStore();
    if (chain?.includes(self)) return method.apply(self, args);
    return this.chain.run(chain ? [...chain, self] : [self], () => method.apply(self, args));
  }

  /** A local proxy of `ref`: any method name is a call (a promise, as on a client). */
  proxy(ref: ObjectRef): object {
    const call = (method: string, args: unknown[]): Promise<unknown> => {
      const p = this.call(ref, method, args);
      // A method that does not await a failing call must not take the node down with an unhandled
      // rejection (as with an ignored Java Future, the failure goes to whoever waits for it).
      p.catch(() => undefined);
      return p;
    };
    const methods = (): Set<string> | undefined => this.registry.resolve(ref.type)?.methods;
    return new Proxy(Object.freeze({ [LOCAL_REF]: ref }), {
      get(_t, prop) {
        if (prop === 'toObjectRef') return () => ref;
        if (prop === LOCAL_REF) return ref;
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        if (methods()?.has(prop)) return (...args: unknown[]) => call(prop, args);
        if (prop === 'key') return ref.key;
        if (prop === 'typeName') return ref.type;
        if (prop === 'toJSON') return undefined;
        return (...args: unknown[]) => call(prop, args);
      },
    });
  }

  private async call(ref: ObjectRef, method: string, args: unknown[]): Promise<unknown> {
    const copy = (): unknown[] => this.argsCodec.decodeRaw(this.argsCodec.encodeValue(args)) as unknown[];
    let copied: unknown[];
    try {
      copied = copy();
    } catch (err) {
      // Arrays before apache-arrow is loaded: load it (the only await a call without them never takes).
      if (!(err instanceof ArrowPending)) throw err;
      await loadArrow();
      copied = copy();
    }
    const target = this.store.instanceOf(ref.type, ref.key);
    let out: unknown;
    if (target && this.chain.getStore()?.includes(target)) {
      // Running up this chain already holds the target's queue: queueing behind it would deadlock.
      const info = this.registry.resolve(ref.type);
      if (!info?.methods.has(method)) throw new UnknownMethodError(`${ref.type} has no method "${method}"`);
      out = (target as Record<string, Function>)[method]!(...copied);
    } else {
      out = this.store.invoke({ client: LOCAL_CLIENT, seq: 0, type: ref.type, key: ref.key, method, args: copied, opts: {} });
    }
    return this.copyOut(await out);
  }

  private async copyOut(value: unknown): Promise<unknown> {
    return ((await withArrow(() => this.codec.decodeRaw(this.codec.encodeValue([value])))) as unknown[])[0];
  }
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The names the node lets clients call (registry.ts's rule), resolved through the prototype chain. */
function callableNames(cls: ObjectClass): Set<string> {
  const names = new Set<string>();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n === 'constructor' || n.startsWith('_')) continue;
      if (typeof Object.getOwnPropertyDescriptor(p, n)?.value === 'function') names.add(n);
    }
  }
  return names;
}

/** Connects local references to a node's store and registry (user classes registered later are wrapped). */
export function attachLocalRefs(store: LocalStore, registry: TypeRegistry): LocalRefs {
  const refs = new LocalRefs(store, registry);
  registry.wrapUserClass = (cls) => refs.wrapUserClass(cls);
  return refs;
}
