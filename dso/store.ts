/**
 * The objects a node hosts, keyed by (type, key), and the rule that makes them linearizable:
 * a method runs to completion before the next call on the same object starts. Built-in methods are
 * synchronous, so the event loop alone gives that order; a user method that returns a promise
 * holds its object's queue until it settles. Calls on different objects never wait for each other.
 * A call on a persistent object is answered only once its effect is durable (runPersistent), and so
 * is one that creates, replaces or deletes a persistent object (createPersistent, delete).
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

/** A call that created its object, and the object it replaced, if any. */
interface Creation {
  previous: Entry | undefined;
}

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
    if (entry === undefined) return this.createAndRun(call);
    if (call.method === TOUCH) return null;
    checkMethod(entry.info, call.method, call.args.length);
    if (entry.tail) return this.enqueue(entry, call);
    return this.run(entry, call, false);
  }

  /** `queued`: the call waited in the object's queue, whose own hold already covers it. */
  private run(entry: Entry, call: Call, queued: boolean): unknown {
    if (entry.binding) return this.runPersistent(entry, call, queued);
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
   * `creation`: the call creates the object (createPersistent); it is bound to the region in the
   * same block, and a block that does not commit hosts again the object it replaced, or none.
   */
  private runPersistent(entry: Entry, call: Call, queued: boolean, creation?: Creation): unknown {
    let out: unknown = null;
    let failed = false;
    let error: unknown;
    try {
      this.persistence!.atomic(() => {
        if (creation !== undefined) {
          entry.binding = this.persistence!.bind(call.type, call.key, entry.info.module, entry.instance);
          // Registered before the method runs: it may call its own object through a local reference.
          this.objects.set(slot(call.type, call.key), entry);
          this.remember(call, entry);
        }
        const binding = entry.binding!;
        try {
          // A creating call is checked here, so a wrong method is a recorded failure too; its touch only creates.
          if (creation === undefined || call.method !== TOUCH) {
            if (creation !== undefined) checkMethod(entry.info, call.method, call.args.length);
            out = binding.invoke ? binding.invoke(call.method, call.args) : entry.instance[call.method](...call.args);
          }
        } catch (err) {
          failed = true;
          error = err;
        }
        if (!failed && isThenable(out)) return;
        this.commit(binding, call, failed ? { error } : { value: out }, creation !== undefined);
      });
    } catch (err) {
      if (creation !== undefined) this.unregister(call, entry, creation.previous);
      else entry.binding!.rollback();
      throw err;
    }
    if (failed) throw error;
    if (!isThenable(out)) return out;
    return this.settle(entry, call, out, queued, creation);
  }

  /**
   * An async method: its changes are committed once it settles, and only then is it answered.
   * `creation`: the call created the object (createPersistent).
   */
  private settle(entry: Entry, call: Call, out: unknown, queued: boolean, creation: Creation | undefined): Promise<unknown> {
    const done = Promise.resolve(out).then(
      (value) => { this.commitAlone(entry, call, { value }, creation); return value; },
      (error) => { this.commitAlone(entry, call, { error }, creation); throw error; },
    );
    if (!queued) this.hold(entry, done);
    return done;
  }

  private commitAlone(entry: Entry, call: Call, outcome: Outcome, creation: Creation | undefined): void {
    const binding = entry.binding!;
    try {
      this.persistence!.atomic(() => this.commit(binding, call, outcome, creation !== undefined));
    } catch (err) {
      // A created snapshot's first write was this one: the region holds the object it replaced, or none.
      if (creation !== undefined && binding.root === null) this.unregister(call, entry, creation.previous);
      else binding.rollback();
      throw err;
    }
  }

  /**
   * Inside the call's block: the binding's writes, then, if it wrote anything or the call created
   * the object (`created`: a change even when the method itself writes nothing), the reply as the
   * call's durable dedup record.
   */
  private commit(binding: Binding, call: Call, outcome: Outcome, created: boolean): void {
    if ((binding.commit(call.method, call.args) || created) && this.encodeReply) {
      this.persistence!.replies.record(call.client, call.seq, this.encodeReply(call, outcome));
    }
  }

  /**
   * Removes an object; true if it existed. Removing a persistent one changes stable storage: the
   * removal and the reply of `call` (the `$system.delete` asking for it) as its dedup record are one
   * failure-atomic block, committed before the reply is sent, so a delete resent after a crash is
   * answered from its record and does not remove an object re-created since.
   */
  delete(type: string, key: string, call?: Call): boolean {
    const id = slot(type, key);
    const persistence = this.persistence;
    if (persistence !== undefined && this.objects.get(id)?.persistent) {
      persistence.atomic(() => {
        persistence.remove(type, key);
        if (call !== undefined && this.encodeReply) persistence.replies.record(call.client, call.seq, this.encodeReply(call, { value: true }));
      });
    }
    this.lastEntry = undefined;
    return this.objects.delete(id);
  }

  /** Drops every non-persistent object (end of an application) whose key `owned` accepts (a caller's namespace). */
  clearEphemeral(owned: (key: string) => boolean = () => true): number {
    let n = 0;
    this.lastEntry = undefined;
    for (const [k, e] of this.objects) if (!e.persistent && owned(k.slice(k.indexOf('\u0000') + 1))) { this.objects.delete(k); n++; }
    return n;
  }

  /** The hosted object a call runs on; undefined when the call creates it (none yet, or `forceNew`). */
  private entryFor(call: Call): Entry | undefined {
    const last = this.lastEntry;
    if (last !== undefined && call.key === this.lastKey && call.type === this.lastType && !call.opts.forceNew) return last;
    if (call.opts.forceNew) return undefined;
    const entry = this.objects.get(slot(call.type, call.key));
    return entry === undefined ? undefined : this.remember(call, entry);
  }

  /** A call that creates its object: builds it from `opts`, registers it, and runs the call on it. */
  private createAndRun(call: Call): unknown {
    const info = this.registry.resolve(call.type, call.opts.module);
    if (!info) {
      if (call.opts.module) throw new ModuleMissingError(`module ${call.opts.module} defining ${call.type} is not loaded`);
      throw this.registry.require(call.type); // throws UnknownTypeError
    }
    const instance = this.create(info, call);
    // Synchronization objects are never persisted (seed §3.3): their waiters cannot outlive the node.
    if (call.opts.persistent === true && !info.parkable && this.persistence !== undefined) return this.createPersistent(call, info, instance);
    // In memory only: an object may then recycle the received buffers of values it drops (values.ts).
    if (IN_MEMORY_ONLY in instance) (instance as Record<symbol, unknown>)[IN_MEMORY_ONLY] = true;
    const entry: Entry = { info, instance, persistent: false, binding: undefined, tail: null };
    this.objects.set(slot(call.type, call.key), entry);
    this.remember(call, entry);
    if (call.method === TOUCH) return null;
    checkMethod(info, call.method, call.args.length);
    return this.run(entry, call, false);
  }

  /**
   * A call that creates a persistent object. The creation is a change to stable storage even when
   * the method writes nothing (`get`, `$touch`) or fails, and with `forceNew` it erases the object
   * it replaces: the creation, the method's changes and the call's reply as its dedup record are one
   * failure-atomic block, committed before the reply is sent. Kept apart, a resend after a crash
   * found no record and created the object again, erasing writes acknowledged to others since.
   * An async method's block ends at its first await; a snapshot (every user class: the only kind
   * with async methods) is first written when it settles, with the record (settle), so a crash
   * before that leaves the region as it was and the resend runs the call afresh. If the block does
   * not commit, the object it replaced (or none) is hosted again, as the region still holds it.
   */
  private createPersistent(call: Call, info: TypeInfo, instance: object): unknown {
    const creation: Creation = { previous: this.objects.get(slot(call.type, call.key)) };
    const entry: Entry = { info, instance, persistent: true, binding: undefined, tail: null };
    return this.runPersistent(entry, call, false, creation);
  }

  /** A creation that did not commit: the object it replaced (or none) is hosted again. */
  private unregister(call: Call, entry: Entry, previous: Entry | undefined): void {
    const id = slot(call.type, call.key);
    if (this.objects.get(id) !== entry) return;
    if (previous === undefined) this.objects.delete(id);
    else this.objects.set(id, previous);
    this.lastEntry = undefined;
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
