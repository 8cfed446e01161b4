/**
 * A failure-atomic block in progress. Writes to objects that existed before the block are buffered
 * (and read back from the buffer, so the block sees its own writes); writes to blocks allocated
 * inside it go straight to the mapping, since nothing reachable points at them until commit.
 */
export class Tx {
  readonly f64 = new Map<number, number>();
  readonly u32 = new Map<number, number>();
  readonly bytes = new Map<number, Uint8Array>();
  /** Blocks allocated inside the block: written in place, freed again if the block aborts. */
  readonly fresh = new Set<number>();
  /** Blocks to free once the block has committed. */
  readonly frees: number[] = [];
  /** Root slots bound in this block, by name (the heap's root table learns them at commit). */
  readonly roots = new Map<string, number>();
  /** Callbacks run after commit (volatile indexes that mirror persistent state). */
  readonly onCommit: Array<() => void> = [];
  depth = 1;

  get empty(): boolean {
    return this.f64.size === 0 && this.u32.size === 0 && this.bytes.size === 0;
  }
}
