/**
 * A list shared by all cloud threads, with java.util.List semantics (every call linearizable).
 * Out-of-range indexes fail with ERR_BAD_ARGUMENT (Java's IndexOutOfBoundsException); equality in
 * indexOf/contains/removeValue is structural, as in AtomicReference.
 *
 * java.util.List's `add(int, E)`, `addAll(int, Collection)` and `remove(Object)` are `insert`,
 * `insertAll` and `removeValue` (an index and an element cannot be told apart on the wire). Left
 * out: replaceAll, removeIf, sort, forEach (lambdas), iterators and live views.
 */
import { SharedObject, type SharedOptions } from './shared-object.ts';
import { registerProxy } from './proxy-registry.ts';

/**
 * A list on the DSO node with java.util.List semantics (indexes, structural equality of values).
 * Every method rejects as {@link SharedObject} says, and with {@link BadArgumentError} for an
 * index out of bounds.
 */
export class AtomicList<T = unknown> extends SharedObject {
  readonly typeName = 'AtomicList';

  /**
   * @param keyOrInitial the key, or (inside a `@Shared` field) the initial elements
   * @param initial initial elements if the object does not exist yet (default empty)
   */
  constructor(keyOrInitial?: string | T[], initial?: T[], options?: SharedOptions) {
    const key = typeof keyOrInitial === 'string' ? keyOrInitial : undefined;
    const init = typeof keyOrInitial === 'string' ? initial : keyOrInitial;
    super(key, init === undefined ? undefined : [init], options);
  }

  /** Appends; resolves to true. */
  add(value: T): Promise<boolean> { return this.invoke('add', value); }
  /**
   * Inserts at `index` (0..size), shifting later elements.
   * @throws {BadArgumentError} if `index` is out of bounds
   */
  insert(index: number, value: T): Promise<void> { return this.invoke('insert', index, value); }
  /** Appends every element; true if the list changed. */
  addAll(values: T[]): Promise<boolean> { return this.invoke('addAll', values); }
  /** Inserts every element at `index` (0..size), shifting later ones (List#addAll(int, Collection)); true if the list changed. */
  insertAll(index: number, values: T[]): Promise<boolean> { return this.invoke('insertAll', index, values); }
  /**
   * The element at `index`.
   * @throws {BadArgumentError} if `index` is out of bounds
   */
  get(index: number): Promise<T> { return this.invoke('get', index); }
  /**
   * Replaces an element; resolves to the previous one.
   * @throws {BadArgumentError} if `index` is out of bounds
   */
  set(index: number, value: T): Promise<T> { return this.invoke('set', index, value); }
  /**
   * Removes the element at `index`; resolves to it.
   * @throws {BadArgumentError} if `index` is out of bounds
   */
  remove(index: number): Promise<T> { return this.invoke('remove', index); }
  /** Removes the first element equal to `value`; true if there was one. */
  removeValue(value: T): Promise<boolean> { return this.invoke('removeValue', value); }
  /** Removes every element structurally equal to one of `values`; true if the list changed. */
  removeAll(values: T[]): Promise<boolean> { return this.invoke('removeAll', values); }
  /** Keeps only the elements structurally equal to one of `values`; true if the list changed. */
  retainAll(values: T[]): Promise<boolean> { return this.invoke('retainAll', values); }
  /** Whether every one of `values` is in the list. */
  containsAll(values: T[]): Promise<boolean> { return this.invoke('containsAll', values); }
  /** The number of elements. */
  size(): Promise<number> { return this.invoke('size'); }
  /** Whether the list has no element. */
  isEmpty(): Promise<boolean> { return this.invoke('isEmpty'); }
  /** Removes every element. */
  clear(): Promise<void> { return this.invoke('clear'); }
  /** The index of the first element structurally equal to `value`, or -1. */
  indexOf(value: T): Promise<number> { return this.invoke('indexOf', value); }
  /** The index of the last element structurally equal to `value`, or -1. */
  lastIndexOf(value: T): Promise<number> { return this.invoke('lastIndexOf', value); }
  /** Whether some element structurally equals `value`. */
  contains(value: T): Promise<boolean> { return this.invoke('contains', value); }
  /** A snapshot of every element. */
  toArray(): Promise<T[]> { return this.invoke('toArray'); }
  /** A snapshot of elements [from, to). */
  subList(from: number, to: number): Promise<T[]> { return this.invoke('subList', from, to); }
}

registerProxy('AtomicList', (key) => new AtomicList(key));
