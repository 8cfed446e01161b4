/**
 * The objects a node hosts, keyed by (type, key), and the rule that makes them linearizable:
 * a method runs to completion before the next call on the same object starts. Built-in methods are
 * synchronous, so the event loop alone gives that order; a user method that returns a promise
 * holds its object's queue until it settles. Calls on different objects never wait for each other.
 * A call on a persistent object is answered only once its effect is durable (runPersistent).
 */
import { BadArgumentError, NoObjectError, ModuleMissingError } from '../core/protocol/errors.ts';
import type { Call } from '../core/protocol/wire/codec.ts';
import { TOUCH } from '../core/protocol/wire/protocol.ts';
import { checkMethod, type TypeInfo, type TypeRegistry } from './registry.ts';
import { attachLocalRefs } from './local-refs.ts';
import { IN_MEMORY_ONLY } from './objects/values.ts';
import { DEFAULT_LIMITS, enterLimits, leaveLimits, type CallLimits } from './limits.ts';
import type { PersistentStore, StoredObject } from './persistence/store.ts';
import type { Binding } from './persistence/strategies.ts';

interface Entry {
  info: TypeInfo;
  instance: any;
  persistent: boolean;
  /** How a persistent object's changes reach stable storage. */
  binding?: Binding;
  /** Settles when the last queued async user call finishes; null when idle. */
  tail: Promise<unknown> | null;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';

/** How a call ended, for its reply. */
export type Outcome = { value: unknown } | { error: unknown };

/** Encodes the reply a call gets (the node's own encoding), to keep it durably as the call's dedup record. */
export type ReplyEncoder = (call: Call, outcome: Outcome) => Uint8Array[];

export class ObjectStore {
  private readonly objects = new Map<string, Entry>();
  /**
   * The last call's object: calls on one object in a row (the rule) find it by comparing type and
   * key, without a `type\0key` string made, flattened and hashed per call. Forgotten whenever an
   * entry leaves `objects` or is replaced.
   */
  private lastType = '';
  private lastKey = '';
  private lastEntry: Entry | undefined;
  /** Stable storage for persistent objects, when the node has one. */
  persistence: PersistentStore | undefined;
  /** Set by the node: the replies of calls that change persistent objects are kept with their changes. */
  encodeReply: ReplyEncoder | undefined;

  constructor(private readonly registry: TypeRegistry) {
    // References held by user objects become local proxies that call back into this store.
    attachLocalRefs(this, registry);
  }

  /** Re-creates persisted objects at start-up; their types (and user modules) must be registered. */
  restore(stored: StoredObject[]): number {
    let n = 0;
    for (const s of stored) {
      const info = this.registry.resolve(s.type, s.module);
      if (!info) continue;
      const { instance, binding } = s.attach(info.cls.prototype);
      this.objects.set(slot(s.type, s.key), { info, instance, persistent: true, binding, tail: null });
      this.lastEntry = undefined;
      n++;
    }
    return n;
  }

  get size(): number { return this.objects.size; }

  /** The hosted instance of (type, key), if any (node-side references run re-entrant calls on it directly). */
  instanceOf(type: string, key: string): object | undefined { return this.objects.get(slot(type, key))?.instance; }

  /** The node's per-call limits (dso/limits.ts), in force while a call's synchronous part runs. */
  limits: Readonly<CallLimits> = DEFAULT_LIMITS;

  /** Runs a call; the result is a value or a promise of one. */
  invoke(call: Call): unknown {
    const outer = enterLimits(this.limits);
    try {
      return this.invokeLimited(call);
    } finally {
      leaveLimits(outer);
    }
  }

  private invokeLimited(call: Call): unknown {
    const entry = this.entryFor(call);
    if (call.method === TOUCH) return null;
    checkMethod(entry.info, call.method, call.args.length);
    if (entry.tail) return this.enqueue(entry, call);
    return this.run(entry, call, false);
  }

  /** `queued`: the call waited in the object's queue, whose own hold already covers it. */
  private run(entry: Entry, call: Call, queued: boolean): unknown {
    if (entry.binding) return this.runPersistent(entry, entry.binding, call, queued);
    const out = entry.instance[call.method](...call.args);
    if (!queued && isThenable(out) && !entry.info.parkable) this.hold(entry, out);
    return out;
  }

  /**
   * A call on a persistent object: the method, then its changes and its dedup record written in
   * one failure-atomic block, all before the result is handed back to be sent. A method that
   * throws keeps what it changed, durably, as it would in memory. If the block does not commit (a
   * value that cannot be persisted, the region full) the object is put back as the region holds
   * it and the call fails with that error: memory never holds a change the region does not.
   */
  private runPersistent(entry: Entry, binding: Binding, call: Call, queued: boolean): unknown {
    let out: unknown;
    let failed = false;
    let error: unknown;
    try {
      this.persistence!.atomic(() => {
        try {
          out = binding.invoke ? binding.invoke(call.method, call.args) : entry.instance[call.method](...call.args);
        } catch (err) {
          failed = true;
          error = err;
        }
        if (!failed && isThenable(out)) return;
        this.commit(binding, call, failed ? { error } : { value: out });
      });
    } catch (err) {
      binding.rollback();
      throw err;
    }
    if (failed) throw error;
    if (!isThenable(out)) return out;
    // An async method: its changes are committed once it settles, and only then is it answered.
    const done = Promise.resolve(out).then(
      (value) => { this.commitAlone(binding, call, { value }); return value; },
      (error) => { this.commitAlone(binding, call, { error }); throw error; },
    );
    if (!queued) this.hold(entry, done);
    return done;
  }

  private commitAlone(binding: Binding, call: Call, outcome: Outcome): void {
    try {
      this.persistence!.atomic(() => this.commit(binding, call, outcome));
    } catch (err) {
      binding.rollback();
      throw err;
    }
  }

  /** Inside the call's block: the binding's writes, then, if it wrote anything, the reply as the call's durable dedup record. */
  private commit(binding: Binding, call: Call, outcome: Outcome): void {
    if (binding.commit(call.method, call.args) && this.encodeReply) {
      this.persistence!.replies.record(call.client, call.seq, this.encodeReply(call, outcome));
    }
  }

  delete(type: string, key: string): boolean {
    const e = this.objects.get(slot(type, key));
    if (e?.persistent) this.persistence?.remove(type, key);
    this.lastEntry = undefined;
    return this.objects.delete(slot(type, key));
  }

  /** Drops every non-persistent object (end of an application) whose key `owned` accepts (a caller's namespace). */
  clearEphemeral(owned: (key: string) => boolean = () => true): number {
    let n = 0;
    this.lastEntry = undefined;
    for (const [k, e] of this.objects) if (!e.persistent && owned(k.slice(k.indexOf('\u0000') + 1))) { this.objects.delete(k); n++; }
    return n;
  }

  private entryFor(call: Call): Entry {
    const last = this.lastEntry;
    if (last !== undefined && call.key === this.lastKey && call.type === this.lastType && !call.opts.forceNew) return last;
    const id = slot(call.type, call.key);
    let entry = this.objects.get(id);
    if (entry && !call.opts.forceNew) return this.remember(call, entry);
    const info = this.registry.resolve(call.type, call.opts.module);
    if (!info) {
      if (call.opts.module) throw new ModuleMissingError(`module ${call.opts.module} defining ${call.type} is not loaded`);
      throw this.registry.require(call.type); // throws UnknownTypeError
    }
    // Synchronization objects are never persisted (seed §3.3): their waiters cannot outlive the node.
    const persistent = call.opts.persistent === true && !info.parkable && this.persistence !== undefined;
    const instance = this.create(info, call);
    // Bound before it is registered: if stable storage refuses it (region full), the object does not exist.
    const binding = persistent ? this.persistence!.bind(call.type, call.key, info.module, instance) : undefined;
    // In memory only: an object may then recycle the received buffers of values it drops (values.ts).
    if (!persistent && IN_MEMORY_ONLY in instance) (instance as Record<symbol, unknown>)[IN_MEMORY_ONLY] = true;
    entry = { info, instance, persistent, binding, tail: null };
    this.objects.set(id, entry);
    return this.remember(call, entry);
  }

  private remember(call: Call, entry: Entry): Entry {
    this.lastType = call.type;
    this.lastKey = call.key;
    this.lastEntry = entry;
    return entry;
  }

  private create(info: TypeInfo, call: Call): object {
    const { init, state } = call.opts;
    if (state !== undefined) {
      // A built-in's fields are its invariants (a Semaphore's queue, a counter's bigint): a client
      // sets them only through its constructor. A crafted queue made a timer throw and the node exit.
      if (info.module === undefined) throw new BadArgumentError(`opts.state is for user classes; ${info.name} takes opts.init`);
      if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new BadArgumentError('opts.state must be a map');
      return Object.assign(Object.create(info.cls.prototype), state);
    }
    if (init === undefined) {
      if (info.cls.length > 0) throw new NoObjectError(`${call.type} "${call.key}" does not exist and the call carried no constructor arguments`);
      return new info.cls();
    }
    if (!Array.isArray(init)) throw new BadArgumentError('opts.init must be an array');
    return new info.cls(...init);
  }

  /** A call that arrived while an async call holds the object: it runs, through the same path, once that one settles. */
  private enqueue(entry: Entry, call: Call): Promise<unknown> {
    const run = entry.tail!.then(() => this.run(entry, call, true));
    this.hold(entry, run);
    return run;
  }

  private hold(entry: Entry, p: PromiseLike<unknown>): void {
    const settled = Promise.resolve(p).then(() => undefined, () => undefined);
    entry.tail = settled;
    settled.then(() => { if (entry.tail === settled) entry.tail = null; });
  }
}

const slot = (type: string, key: string) => `${type}\u0000${key}`;
