/**
 * AtomicMap and AtomicTreeMap, one region entry per map entry (see entries.ts). The strategy swaps
 * the object's own Map for a `TrackedMap`, which records the keys each call set or deleted; after
 * the call only those entries are encoded and written. Entries carry their insertion number so an
 * AtomicMap comes back in its insertion order; an AtomicTreeMap re-sorts its keys at start-up.
 */
import { PHashMap, type PObject } from '../../pmem/index.ts';
import { AtomicMap } from '../objects/atomic-map.ts';
import { AtomicTreeMap } from '../objects/atomic-tree-map.ts';
import { compareKeys, type MapKey } from '../objects/values.ts';
import { EntryTable, REBUILD_AT, TrackedMap, keyToSlot, packEntry, slotToKey, unpackEntry, type Change } from './entries.ts';
import type { Binding, Strategy, StrategyContext } from './strategies.ts';

/** Which (private) fields of the node-side class hold its entries and, for a tree map, its sorted keys. */
interface Layout {
  map: string;
  sorted?: string;
}

type Fields = Record<string, unknown>;

class MapBinding implements Binding {
  constructor(
    private readonly ctx: StrategyContext,
    private readonly table: EntryTable,
    private readonly map: TrackedMap<MapKey, unknown>,
    private readonly seqs: Map<MapKey, number>,
    private next: number,
    private readonly obj: Fields,
    private readonly layout: Layout,
  ) {}

  get root(): PObject { return this.table.root; }

  rollback(): void {
    this.table.revert();
    const read = readEntries(this.ctx, this.table.root);
    this.map.reset(read.map(([k, , v]) => [k, v] as [MapKey, unknown]));
    this.seqs.clear();
    this.next = 0;
    for (const [k, seq] of read) { this.seqs.set(k, seq); this.next = Math.max(this.next, seq + 1); }
    if (this.layout.sorted) this.obj[this.layout.sorted] = [...this.map.keys()].sort(compareKeys);
  }

  commit(): boolean {
    const d = this.map.take();
    if (d === null) return false;
    const { map, seqs, ctx } = this;
    if (d.cleared || d.keys.size > REBUILD_AT) {
      seqs.clear();
      this.next = 0;
      const all: [string, Uint8Array][] = [];
      for (const [k, v] of map) { seqs.set(k, this.next); all.push([keyToSlot(k), packEntry(ctx, this.next++, v)]); }
      this.table.rebuild(all);
      return true;
    }
    const changes: Change[] = [];
    for (const k of d.keys) {
      if (map.has(k)) {
        let seq = seqs.get(k);
        if (seq === undefined || d.removed.has(k)) seqs.set(k, (seq = this.next++));
        changes.push([keyToSlot(k), packEntry(ctx, seq, map.get(k))]);
      } else {
        seqs.delete(k);
        changes.push([keyToSlot(k), null]);
      }
    }
    this.table.write(changes);
    return true;
  }
}

/** The stored entries as [key, insertion number, value], in insertion order. */
function readEntries(ctx: StrategyContext, root: PHashMap): [MapKey, number, unknown][] {
  const read: [MapKey, number, unknown][] = [];
  for (const [s, bytes] of root.entries()) {
    if (!(bytes instanceof Uint8Array)) continue;
    const { seq, value } = unpackEntry(ctx, bytes);
    read.push([slotToKey(s), seq, value]);
  }
  return read.sort((a, b) => a[1] - b[1]);
}

function mapStrategy(name: string, layout: Layout): Strategy {
  return {
    name,
    create(ctx, instance, relink) {
      const obj = instance as Fields;
      const map = new TrackedMap<MapKey, unknown>(obj[layout.map] as Map<MapKey, unknown>).track();
      const seqs = new Map<MapKey, number>();
      let next = 0;
      const entries: [string, Uint8Array][] = [];
      for (const [k, v] of map) { seqs.set(k, next); entries.push([keyToSlot(k), packEntry(ctx, next++, v)]); }
      const table = EntryTable.create(ctx, relink, entries);
      obj[layout.map] = map;
      return new MapBinding(ctx, table, map, seqs, next, obj, layout);
    },
    attach(ctx, root, proto, relink) {
      if (!(root instanceof PHashMap)) throw new TypeError(`a ${name} is stored as a PHashMap, found ${root.constructor.name}`);
      const read = readEntries(ctx, root);
      const map = new TrackedMap<MapKey, unknown>();
      const seqs = new Map<MapKey, number>();
      let next = 0;
      for (const [k, seq, v] of read) { map.set(k, v); seqs.set(k, seq); next = Math.max(next, seq + 1); }
      const instance = Object.create(proto) as Fields;
      if (layout.sorted) instance[layout.sorted] = [...map.keys()].sort(compareKeys);
      instance[layout.map] = map.track();
      return { instance, binding: new MapBinding(ctx, new EntryTable(ctx, root, relink), map, seqs, next, instance, layout) };
    },
  };
}

/** Map strategies by node-side class. */
export const mapStrategies = new Map<Function, Strategy>([
  [AtomicMap, mapStrategy('AtomicMap', { map: 'map' })],
  [AtomicTreeMap, mapStrategy('AtomicTreeMap', { map: 'byKey', sorted: 'keysSorted' })],
]);

