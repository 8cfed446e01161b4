/**
 * A connection's unanswered calls by seq, as a Map would hold them (insertion order, which is seq
 * order), for the common case of one call at a time: a Map that goes from empty to one entry and
 * back on every call grows and shrinks its table each time (~170 bytes of garbage per call on V8),
 * so the call made while nothing is pending sits in a field of its own. Calls made while it waits
 * go to the Map, so the field always holds the oldest: iteration yields it first, then the Map's.
 */
export class PendingCalls<V> {
  private soloSeq = -1;
  private solo: V | undefined = undefined;
  private readonly rest = new Map<number, V>();

  get size(): number { return (this.solo === undefined ? 0 : 1) + this.rest.size; }

  get(seq: number): V | undefined {
    return seq === this.soloSeq && this.solo !== undefined ? this.solo : this.rest.get(seq);
  }

  /** Seqs only grow: `seq` is newer than every call held. */
  set(seq: number, v: V): void {
    if (this.solo === undefined && this.rest.size === 0) {
      this.soloSeq = seq;
      this.solo = v;
    } else {
      this.rest.set(seq, v);
    }
  }

  delete(seq: number): boolean {
    if (seq === this.soloSeq && this.solo !== undefined) {
      this.solo = undefined;
      this.soloSeq = -1;
      return true;
    }
    return this.rest.delete(seq);
  }

  clear(): void {
    this.solo = undefined;
    this.soloSeq = -1;
    this.rest.clear();
  }

  /** Oldest first; deleting entries while iterating is allowed, as with a Map. */
  *entries(): IterableIterator<[number, V]> {
    if (this.solo !== undefined) yield [this.soloSeq, this.solo];
    yield* this.rest.entries();
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[number, V]> { return this.entries(); }
}
