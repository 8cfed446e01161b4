/**
 * Node side of AtomicList: a linearizable java.util.List of wire values. Index errors are Java's
 * IndexOutOfBoundsException, reported as ERR_BAD_ARGUMENT; equality (indexOf, contains,
 * removeValue) is structural, see `deepEqual`.
 *
 * java.util.List coverage: add, add(i, x) as `insert`, addAll, addAll(i, xs) as `insertAll`, get,
 * set, remove(int) as `remove`, remove(Object) as `removeValue`, removeAll, retainAll, contains,
 * containsAll, indexOf, lastIndexOf, size, isEmpty, clear, toArray, subList (a snapshot). The
 * overloads get their own names because an index and an element cannot be told apart on the wire.
 * Left out: replaceAll, removeIf, sort, forEach (they take lambdas), iterators and live views.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { deepEqual, index, list } from './values.ts';

export class AtomicList {
  private readonly items: unknown[];

  constructor(initial: unknown = []) {
    this.items = list(initial, 'AtomicList(initial)').slice();
  }

  /** Appends; always true (java.util.List#add). */
  add(value: unknown = null): boolean { this.items.push(value); return true; }
  /** Inserts at `i` (0..size), shifting later elements (java.util.List#add(int, E)). */
  insert(i: unknown, value: unknown = null): null {
    const k = arg.int(i, 'insert(index)');
    if (k < 0 || k > this.items.length) throw new BadArgumentError(`insert(index) ${k} is out of bounds for length ${this.items.length}`);
    this.items.splice(k, 0, value);
    return null;
  }
  /** Appends every element; true if the list changed. */
  addAll(values: unknown): boolean {
    const vs = list(values, 'addAll(values)');
    for (const v of vs) this.items.push(v);
    return vs.length > 0;
  }
  /** Inserts every element at `i` (0..size), shifting later ones (java.util.List#addAll(int, Collection)); true if the list changed. */
  insertAll(i: unknown, values: unknown): boolean {
    const k = arg.int(i, 'insertAll(index)');
    if (k < 0 || k > this.items.length) throw new BadArgumentError(`insertAll(index) ${k} is out of bounds for length ${this.items.length}`);
    const vs = list(values, 'insertAll(values)');
    this.items.splice(k, 0, ...vs);
    return vs.length > 0;
  }
  get(i: unknown): unknown { return this.items[index(i, this.items.length, 'get(index)')]; }
  /** Replaces element `i`; returns the previous one. */
  set(i: unknown, value: unknown = null): unknown {
    const k = index(i, this.items.length, 'set(index)');
    const old = this.items[k];
    this.items[k] = value;
    return old;
  }
  /** Removes element `i`; returns it. */
  remove(i: unknown): unknown {
    return this.items.splice(index(i, this.items.length, 'remove(index)'), 1)[0];
  }
  /** Removes the first element equal to `value`; true if there was one. */
  removeValue(value: unknown = null): boolean {
    const k = this.indexOf(value);
    if (k < 0) return false;
    this.items.splice(k, 1);
    return true;
  }
  /** Removes every element equal to one of `values`; true if the list changed. */
  removeAll(values: unknown): boolean {
    const vs = list(values, 'removeAll(values)');
    return this.keepWhere((x) => !vs.some((v) => deepEqual(x, v)));
  }
  /** Keeps only the elements equal to one of `values`; true if the list changed. */
  retainAll(values: unknown): boolean {
    const vs = list(values, 'retainAll(values)');
    return this.keepWhere((x) => vs.some((v) => deepEqual(x, v)));
  }
  /** Whether every one of `values` is in the list. */
  containsAll(values: unknown): boolean {
    return list(values, 'containsAll(values)').every((v) => this.items.some((x) => deepEqual(x, v)));
  }
  size(): number { return this.items.length; }
  isEmpty(): boolean { return this.items.length === 0; }
  clear(): null { this.items.length = 0; return null; }
  indexOf(value: unknown = null): number { return this.items.findIndex((x) => deepEqual(x, value)); }
  lastIndexOf(value: unknown = null): number {
    for (let k = this.items.length - 1; k >= 0; k--) if (deepEqual(this.items[k], value)) return k;
    return -1;
  }
  contains(value: unknown = null): boolean { return this.indexOf(value) >= 0; }
  toArray(): unknown[] { return this.items.slice(); }
  /** A copy of elements [from, to) (java.util.List#subList, but a snapshot, not a view). */
  subList(from: unknown, to: unknown): unknown[] {
    const f = arg.int(from, 'subList(from)');
    const t = arg.int(to, 'subList(to)');
    if (f < 0 || t > this.items.length || f > t) throw new BadArgumentError(`subList(${f}, ${t}) is out of bounds for length ${this.items.length}`);
    return this.items.slice(f, t);
  }

  /** Filters in place: the array is the one stable storage tracks (persistence/list.ts), so it is never replaced. */
  private keepWhere(keep: (x: unknown) => boolean): boolean {
    let w = 0;
    for (let r = 0; r < this.items.length; r++) if (keep(this.items[r])) this.items[w++] = this.items[r];
    const changed = w !== this.items.length;
    this.items.length = w;
    return changed;
  }
}
