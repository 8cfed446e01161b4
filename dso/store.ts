/**
 * The objects a node hosts, keyed by (type, key), and the rule that makes them linearizable:
 * a method runs to completion before the next call on the same object starts. Built-in methods are
 * synchronous, so the event loop alone gives that order; a user method that returns a promise
 * holds its object's queue until it settles. Calls on different objects never wait for each other.
 */
import { BadArgumentError, NoObjectError, ModuleMissingError } from '../core/errors.ts';
import type { Call } from '../core/wire/codec.ts';
import { TOUCH } from '../core/wire/protocol.ts';
import { checkMethod, type TypeInfo, type TypeRegistry } from './registry.ts';
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

export class ObjectStore {
  private readonly objects = new Map<string, Entry>();
  /** Stable storage for persistent objects, when the node has one. */
  persistence: PersistentStore | undefined;

  constructor(private readonly registry: TypeRegistry) {}

  /** Re-creates persisted objects at start-up; their types (and user modules) must be registered. */
  restore(stored: StoredObject[]): number {
    let n = 0;
    for (const s of stored) {
      const info = this.registry.resolve(s.type, s.module);
      if (!info) continue;
      const { instance, binding } = s.attach(info.cls.prototype);
      this.objects.set(slot(s.type, s.key), { info, instance, persistent: true, binding, tail: null });
      n++;
    }
    return n;
  }

  get size(): number { return this.objects.size; }

  /** Runs a call; the result is a value or a promise of one. */
  invoke(call: Call): unknown {
    const entry = this.entryFor(call);
    if (call.method === TOUCH) return null;
    checkMethod(entry.info, call.method);
    if (entry.tail) return this.enqueue(entry, call);
    const out = entry.binding?.invoke ? entry.binding.invoke(call.method, call.args) : entry.instance[call.method](...call.args);
    if (isThenable(out) && !entry.info.parkable) this.hold(entry, out, call);
    else if (entry.persistent) this.persist(call, entry);
    return out;
  }

  /** Makes what a call changed durable; runs before the call's reply is sent. */
  private persist(call: Call, entry: Entry): void {
    entry.binding?.commit(call.method, call.args);
  }

  delete(type: string, key: string): boolean {
    const e = this.objects.get(slot(type, key));
    if (e?.persistent) this.persistence?.remove(type, key);
    return this.objects.delete(slot(type, key));
  }

  /** Drops every non-persistent object (end of an application). */
  clearEphemeral(): number {
    let n = 0;
    for (const [k, e] of this.objects) if (!e.persistent) { this.objects.delete(k); n++; }
    return n;
  }

  private entryFor(call: Call): Entry {
    const id = slot(call.type, call.key);
    let entry = this.objects.get(id);
    if (entry && !call.opts.forceNew) return entry;
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
    entry = { info, instance, persistent, binding, tail: null };
    this.objects.set(id, entry);
    return entry;
  }

  private create(info: TypeInfo, call: Call): object {
    const { init, state } = call.opts;
    if (state !== undefined) {
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

  private enqueue(entry: Entry, call: Call): Promise<unknown> {
    const run = entry.tail!.then(() => entry.instance[call.method](...call.args));
    this.hold(entry, run, call);
    return run;
  }

  private hold(entry: Entry, p: PromiseLike<unknown>, call?: Call): void {
    const settled = Promise.resolve(p).then(() => undefined, () => undefined);
    if (entry.persistent && call) void settled.then(() => this.persist(call, entry));
    entry.tail = settled;
    settled.then(() => { if (entry.tail === settled) entry.tail = null; });
  }
}

const slot = (type: string, key: string) => `${type}\u0000${key}`;
