/**
 * AtomicList, one region entry per element, keyed by index (see entries.ts). The binding keeps a
 * shallow mirror of the list as last written; after a call it finds the changed span by comparing
 * identities from both ends, so `add` and `set` write one entry, while `insert` and `remove` rewrite
 * the elements after the position (they shift) and drop the indexes past the new end.
 */
import { PHashMap } from '../../pmem/index.ts';
import { EntryTable, REBUILD_AT, packEntry, unpackEntry, type Change } from './entries.ts';
import type { Binding, Strategy, StrategyContext } from './strategies.ts';

const READS = new Set(['get', 'size', 'isEmpty', 'indexOf', 'lastIndexOf', 'contains', 'toArray', 'subList']);

/** The (private) field of the node-side AtomicList holding its elements. */
const ITEMS = 'items';

class ListBinding implements Binding {
  constructor(
    private readonly ctx: StrategyContext,
    private readonly table: EntryTable,
    private readonly items: unknown[],
    private readonly mirror: unknown[],
  ) {}

  get root(): PHashMap { return this.table.root; }

  rollback(): void {
    this.table.revert();
    const items = readItems(this.ctx, this.table.root);
    this.items.length = 0;
    this.mirror.length = 0;
    for (const v of items) { this.items.push(v); this.mirror.push(v); }
  }

  commit(method: string): boolean {
    if (READS.has(method)) return false;
    const { items, mirror } = this;
    const n = items.length;
    const m = mirror.length;
    // First index that differs; `add` only appends, so its scan can start at the old end.
    let lo = method === 'add' || method === 'addAll' ? Math.min(m, n) : 0;
    const min = Math.min(n, m);
    while (lo < min && Object.is(items[lo], mirror[lo])) lo++;
    if (lo === n && n === m) return false;
    // With an unchanged length only [lo, hi) moved; otherwise everything after lo shifted.
    let hi = n;
    if (n === m) while (hi > lo && Object.is(items[hi - 1], mirror[hi - 1])) hi--;
    if (n === 0 || hi - lo + Math.max(0, m - n) > REBUILD_AT) {
      this.table.rebuild(items.map((v, i) => [String(i), packEntry(this.ctx, 0, v)] as [string, Uint8Array]));
    } else {
      const changes: Change[] = [];
      for (let i = lo; i < hi; i++) changes.push([String(i), packEntry(this.ctx, 0, items[i])]);
      for (let i = n; i < m; i++) changes.push([String(i), null]);
      this.table.write(changes);
    }
    if (n === m) for (let i = lo; i < hi; i++) mirror[i] = items[i];
    else {
      mirror.length = lo;
      for (let i = lo; i < n; i++) mirror.push(items[i]);
    }
    return true;
  }
}

/** The list's elements as stored, in index order. */
function readItems(ctx: StrategyContext, root: PHashMap): unknown[] {
  const read: [number, unknown][] = [];
  for (const [k, bytes] of root.entries()) if (bytes instanceof Uint8Array) read.push([Number(k), unpackEntry(ctx, bytes).value]);
  read.sort((a, b) => a[0] - b[0]);
  return read.map((e) => e[1]);
}

export const listStrategy: Strategy = {
  name: 'AtomicList',
  create(ctx, instance, relink) {
    const items = (instance as Record<string, unknown[]>)[ITEMS]!;
    const table = EntryTable.create(ctx, relink, items.map((v, i) => [String(i), packEntry(ctx, 0, v)] as [string, Uint8Array]));
    return new ListBinding(ctx, table, items, items.slice());
  },
  attach(ctx, root, proto, relink) {
    if (!(root instanceof PHashMap)) throw new TypeError(`an AtomicList is stored as a PHashMap, found ${root.constructor.name}`);
    const items = readItems(ctx, root);
    const instance = Object.assign(Object.create(proto), { [ITEMS]: items });
    return { instance, binding: new ListBinding(ctx, new EntryTable(ctx, root, relink), items, items.slice()) };
  },
};
