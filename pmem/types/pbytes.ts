/** A persistent byte blob, read in place as a Uint8Array view. */
import type { Heap } from "../heap.ts";
import { Kind, S_DATA, S_LEN } from "../layout.ts";
import { factories, PObject } from "../pobject.ts";

/** A persistent byte blob, read in place as a Uint8Array view. */
export class PBytes extends PObject {
  /** Allocates a persistent copy of `data`. */
  static create(heap: Heap, data: Uint8Array): PBytes {
    const a = heap.alloc(8 + data.length, Kind.Bytes);
    heap.u32[(a + S_LEN) >>> 2] = data.length;
    heap.u8.set(data, a + S_DATA);
    return new PBytes(heap, a);
  }

  /**
   * Length in bytes.
   * @throws {PmemFreedError} if the object was freed
   */
  get length(): number {
    return this.heap.u32[(this.live() + S_LEN) >>> 2]!;
  }

  /** The bytes in place (no copy). Writes through it bypass failure-atomic blocks; use `write` for those. */
  view(): Uint8Array {
    const a = this.live();
    const n = this.heap.u32[(a + S_LEN) >>> 2]!;
    this.heap.settle(a + S_DATA, n);
    return this.heap.u8.subarray(a + S_DATA, a + S_DATA + n);
  }

  /**
   * Writes `data` at `offset` failure-atomically (joining `heap.atomic` when inside one).
   * @throws {RangeError} if the write would go past the blob's end
   * @throws {PmemFreedError} if the object was freed
   */
  write(offset: number, data: Uint8Array): void {
    const a = this.live();
    if (offset < 0 || offset + data.length > this.length) throw new RangeError(`write of ${data.length} B at ${offset} exceeds ${this.length} B`);
    this.heap.atomicWrite(a, a + S_DATA + offset, data);
  }
}

factories.set(Kind.Bytes, (heap, a) => new PBytes(heap, a));
