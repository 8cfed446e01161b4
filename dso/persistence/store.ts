/**
 * Stable storage for persistent objects, on the pmem heap. Each object is kept the way its type
 * allows (strategies.ts): a matrix as a Float64 matrix the object reads in place, a scalar as one
 * 8-byte cell, a map or list as one entry per element, anything else as a snapshot blob. Whatever a
 * call changed is durable before the reply that acknowledges it. The modules that define user
 * classes are kept too, so a restarted node can rebuild user objects without any client around.
 *
 * Region roots: `dso.objects` (type/key → snapshot blob, the original format), `dso.inplace`
 * (type/key → reference to the object's data), `dso.modules` (hash → source), `dso.replies`
 * (client/slot → the reply of a call that changed a persistent object, replies.ts).
 */
import { Heap, PHashMap, PObject, type FlushMode } from '../../pmem/index.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { packFrames, unpackFrames } from '../../core/protocol/wire/frames.ts';
import { mapStrategies } from './map.ts';
import { listStrategy } from './list.ts';
import { matrixStrategy } from './matrix.ts';
import { scalarStrategies } from './scalar.ts';
import { SnapshotBinding, readSnapshot, thawState } from './snapshot.ts';
import { AtomicList } from '../objects/atomic-list.ts';
import { AtomicMatrix } from '../objects/atomic-matrix.ts';
import { ReplyLog } from './replies.ts';
import { CrucialError, NotSerializableError } from '../../core/protocol/errors.ts';
import type { Binding, PersistenceStats, Relink, Strategy, StrategyContext } from './strategies.ts';

const OBJECTS_ROOT = 'dso.objects';
const INPLACE_ROOT = 'dso.inplace';
const MODULES_ROOT = 'dso.modules';
const REPLIES_ROOT = 'dso.replies';

/** Strategies by node-side class; classes not listed are kept as snapshots. */
const STRATEGIES = new Map<Function, Strategy>([
  ...scalarStrategies,
  ...mapStrategies,
  [AtomicList, listStrategy],
  [AtomicMatrix, matrixStrategy],
]);

/** An object found in the region at start-up, rebuilt once its class is known. */
export interface StoredObject {
  type: string;
  key: string;
  /** Hash of the module defining a user class. */
  module?: string;
  /** Rebuilds the node-side object on its class's prototype, bound to its state in the region. */
  attach(proto: object): { instance: object; binding: Binding };
}

/** Options of `PersistentStore.open`. */
export interface PersistentStoreOptions {
  /** Size of the region when it is created; default 256 MiB. */
  sizeBytes?: number;
  /** `msync` (default): durable on media before the reply; `none`: survives a process crash, not power loss (benchmarks). */
  flush?: FlushMode;
  /** Keep every new object as a whole snapshot rewritten after each call (the format before strategies), for comparisons. */
  wholeSnapshots?: boolean;
}

export class PersistentStore {
  /** Counters for tests and benchmarks. */
  readonly stats: PersistenceStats = {
    restoredInPlace: 0, restoredByDecode: 0, valuesDecoded: 0, commits: 0, entriesWritten: 0, bytesWritten: 0,
  };
  private readonly codec = new WireCodec();
  private readonly ctx: StrategyContext;
  private readonly bindings = new Map<string, Binding>();
  /** Durable dedup records of the calls that changed persistent objects. */
  readonly replies: ReplyLog;

  private constructor(
    private readonly heap: Heap,
    private readonly blobs: PHashMap,
    private readonly inplace: PHashMap,
    private readonly modules: PHashMap,
    replies: PHashMap,
    private readonly strategies: ReadonlyMap<Function, Strategy>,
  ) {
    this.replies = new ReplyLog(heap, replies);
    this.ctx = {
      heap,
      stats: this.stats,
      encode: (values) => {
        try {
          return packFrames(this.codec.encodeValue(values));
        } catch (err) {
          // A map entry or list element the wire cannot carry (a merge that outgrew 64 bits): refused, not applied.
          if (err instanceof CrucialError) throw err;
          throw new NotSerializableError(`cannot persist the call's result: ${(err as Error).message}; the call was not applied`);
        }
      },
      decode: (bytes) => this.codec.decodeRaw(unpackFrames(bytes)) as unknown[],
    };
  }

  /**
   * Runs `fn` as one failure-atomic block: whatever the bindings' commits and `replies.record`
   * write inside it is durable together when it returns, or not at all if it throws.
   */
  atomic<T>(fn: () => T): T {
    return this.heap.atomic(fn);
  }

  /**
   * Opens (or creates) the region in `path`.
   * @throws PmemCorruptError, PmemTruncatedError, PmemVersionError when the file cannot be trusted.
   */
  static async open(path: string, options: PersistentStoreOptions = {}): Promise<PersistentStore> {
    // Values are encoded inside a failure-atomic change, synchronously: the Arrow path must be ready.
    await loadArrow();
    const heap = await Heap.open(path, { size: options.sizeBytes ?? 256 * 1024 * 1024, flush: options.flush ?? 'msync' });
    const root = (name: string) => {
      let map = heap.root<PHashMap>(name);
      if (!map) { map = PHashMap.create(heap); heap.setRoot(name, map); }
      return map;
    };
    const strategies = options.wholeSnapshots ? new Map<Function, Strategy>() : STRATEGIES;
    return new PersistentStore(heap, root(OBJECTS_ROOT), root(INPLACE_ROOT), root(MODULES_ROOT), root(REPLIES_ROOT), strategies);
  }

  /**
   * Gives a newly created object its persistent form, replacing whatever was stored under the same
   * type and key, inside the caller's failure-atomic block if one is open (the creating call's,
   * which also holds its dedup record). A snapshot is written by the binding's first commit, made by
   * the caller in that block once the method has run (an async method's: once it settles), so the
   * object lands in the region with its creating call's effect and record, never before them.
   */
  bind(type: string, key: string, module: string | undefined, instance: object): Binding {
    const slot = slotKey(type, key);
    const strategy = this.strategies.get(Object.getPrototypeOf(instance)?.constructor);
    let binding: Binding;
    if (strategy === undefined) {
      this.dropInPlace(slot);
      binding = new SnapshotBinding(this.ctx, this.blobs, slot, { type, key, module }, instance);
    } else {
      binding = this.heap.atomic(() => {
        const relink = this.relinker(slot);
        const b = strategy.create(this.ctx, instance, relink);
        relink(b.root!);
        this.blobs.delete(slot);
        return b;
      });
      this.stats.commits++;
    }
    this.bindings.set(slot, binding);
    return binding;
  }

  /** Forgets an object: its index entry or blob and its data, inside the caller's failure-atomic block if one is open (the delete's, with its record). */
  remove(type: string, key: string): void {
    const slot = slotKey(type, key);
    this.blobs.delete(slot);
    this.dropInPlace(slot);
    this.bindings.delete(slot);
  }

  /** Every stored object. Snapshots are decoded here; in-place objects when attached. */
  load(): StoredObject[] {
    const out: StoredObject[] = [];
    for (const [slot, root] of this.inplace.entries()) {
      if (!(root instanceof PObject)) continue;
      const [type, key] = splitSlot(slot);
      out.push({
        type,
        key,
        attach: (proto) => {
          const strategy = STRATEGIES.get(proto.constructor);
          if (strategy === undefined) throw new TypeError(`${type} "${key}" is stored in place but ${proto.constructor.name} has no persistence strategy`);
          const decoded = this.stats.valuesDecoded;
          const r = strategy.attach(this.ctx, root, proto, this.relinker(slot));
          if (this.stats.valuesDecoded === decoded) this.stats.restoredInPlace++;
          else this.stats.restoredByDecode++;
          this.bindings.set(slot, r.binding);
          return r;
        },
      });
    }
    const stale: string[] = [];
    for (const [slot, blob] of this.blobs.entries()) {
      if (!(blob instanceof Uint8Array)) continue;
      // A crash between linking an object in place and deleting its old blob leaves both: the link is newer.
      if (this.inplace.has(slot)) { stale.push(slot); continue; }
      const s = readSnapshot(this.ctx, blob);
      out.push({
        type: s.type,
        key: s.key,
        module: s.module,
        attach: (proto) => {
          const instance = Object.assign(Object.create(proto), thawState(s.state, s.format));
          this.stats.restoredByDecode++;
          // A type that has gained a strategy since the blob was written moves to its in-place form now.
          if (this.strategies.has(proto.constructor)) return { instance, binding: this.bind(s.type, s.key, s.module, instance) };
          const binding = new SnapshotBinding(this.ctx, this.blobs, slot, s, instance);
          this.bindings.set(slot, binding);
          return { instance, binding };
        },
      });
    }
    for (const slot of stale) this.blobs.delete(slot);
    return out;
  }

  /** Whether the object's state is served from the region's mapping, without a copy (for tests). */
  inPlace(type: string, key: string): boolean {
    return this.bindings.get(slotKey(type, key))?.inPlace?.() ?? false;
  }

  saveModule(hash: string, code: string): void {
    if (!this.modules.has(hash)) this.modules.put(hash, code);
  }

  modulesStored(): Array<{ hash: string; code: string }> {
    const out: Array<{ hash: string; code: string }> = [];
    for (const [hash, code] of this.modules.entries()) if (typeof code === 'string') out.push({ hash, code });
    return out;
  }

  close(): void {
    this.heap.close();
  }

  /** Links `root` under `slot`, freeing what was linked there; joins an open failure-atomic block. */
  private relinker(slot: string): Relink {
    const relink = (root: PObject) => {
      const old = this.inplace.get(slot);
      if (old instanceof PObject && old.addr === root.addr) return;
      this.inplace.put(slot, root);
      if (old instanceof PObject) this.heap.free(old);
    };
    return Object.assign(relink, {
      linked: () => {
        const r = this.inplace.get(slot);
        return r instanceof PObject ? r : undefined;
      },
    });
  }

  private dropInPlace(slot: string): void {
    const old = this.inplace.get(slot);
    if (!(old instanceof PObject)) return;
    this.heap.atomic(() => {
      this.inplace.delete(slot);
      this.heap.free(old);
    });
  }
}

const slotKey = (type: string, key: string) => `${type}\u0000${key}`;

function splitSlot(slot: string): [string, string] {
  const i = slot.indexOf('\u0000');
  return [slot.slice(0, i), slot.slice(i + 1)];
}
