/**
 * One client log's seq → ring position index (dso/dedup.ts), an open-addressing table of Int32s.
 * It replaces a `Map<number, slot>` of up to 4,096 entries that took a set and a delete per call:
 * a V8 Map that churns rebuilds its table every few thousand deletions, and at 4,096 entries that
 * table (~230 KB) is allocated straight into the old generation — ~56 B of old-generation garbage
 * per call, which with the kept replies drove a node's full mark-compact every ~3,500 1 KB gets.
 * This table is allocated only when it grows (to at most twice the log's ring), never per call.
 *
 * Entries are ring positions + 1 (0 = empty); an entry's key is `seqs[pos]`, the log's own ring of
 * seqs, so the table stores no keys. Linear probing with backward-shift deletion (no tombstones, so
 * the table never needs rebuilding at a steady size). Seqs are client-chosen: they are hashed with a
 * per-cache random seed so a client cannot aim its seqs at one probe chain.
 */

/** The smallest table: a client of a few calls holds 32 bytes. */
const MIN_CAPACITY = 8;

/** Hash of a seq (an integer ≤ 2^53): both 32-bit halves mixed with the seed, multiplicative. */
function hashSeq(seq: number, seed: number): number {
  const lo = seq >>> 0;
  const hi = (seq / 4294967296) >>> 0;
  return Math.imul(lo ^ Math.imul(hi ^ seed, 0x85ebca6b) ^ seed, 0x9e3779b1);
}

export class SeqIndex {
  private table = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private count = 0;

  /**
   * @param seqs the ring this indexes: `seqs[pos]` is the seq at ring position `pos` (read, never written here)
   * @param seed the hash seed (per cache, random)
   */
  constructor(private readonly seqs: readonly number[], private readonly seed: number) {}

  /** Entries indexed. */
  get size(): number { return this.count; }

  private home(seq: number): number { return hashSeq(seq, this.seed) >>> this.shift; }

  /** The ring position of `seq`, or -1. */
  find(seq: number): number {
    const t = this.table;
    for (let i = this.home(seq); ; i = (i + 1) & this.mask) {
      const e = t[i]!;
      if (e === 0) return -1;
      if (this.seqs[e - 1] === seq) return e - 1;
    }
  }

  /** Indexes ring position `pos` under its seq, `seqs[pos]`, which must not be indexed already. */
  add(pos: number): void {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    this.place(pos);
    this.count++;
  }

  private place(pos: number): void {
    const t = this.table;
    let i = this.home(this.seqs[pos]!);
    while (t[i] !== 0) i = (i + 1) & this.mask;
    t[i] = pos + 1;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length - 1;
    this.shift--;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.place(old[i]! - 1);
  }

  /** Unindexes ring position `pos` (found under `seqs[pos]`, so call it before that cell is overwritten); false if it was not indexed. */
  remove(pos: number): boolean {
    const t = this.table;
    const mask = this.mask;
    let i = this.home(this.seqs[pos]!);
    for (; ; i = (i + 1) & mask) {
      const e = t[i]!;
      if (e === 0) return false;
      if (e === pos + 1) break;
    }
    // Backward shift: later entries of the probe run move into the hole when their home does not lie in (hole, j].
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = t[j]!;
      if (e === 0) break;
      const k = this.home(this.seqs[e - 1]!);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        t[i] = e;
        i = j;
      }
    }
    t[i] = 0;
    this.count--;
    return true;
  }

  /** Forgets every entry (the table keeps its size). */
  clear(): void {
    this.table.fill(0);
    this.count = 0;
  }
}
