/** An immutable persistent UTF-8 string. */
import type { Heap } from "../heap.ts";
import { Kind, S_DATA, S_LEN } from "../layout.ts";
import { factories, PObject } from "../pobject.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** An immutable persistent UTF-8 string. */
export class PString extends PObject {
  /** Allocates a persistent copy of `s`. Unreachable until stored in a root or a reachable object. */
  static create(heap: Heap, s: string): PString {
    const bytes = enc.encode(s);
    const a = heap.alloc(8 + bytes.length, Kind.String);
    heap.u32[(a + S_LEN) >>> 2] = bytes.length;
    heap.u8.set(bytes, a + S_DATA);
    return new PString(heap, a);
  }

  /** Length in UTF-8 bytes. */
  get byteLength(): number {
    return this.heap.u32[(this.live() + S_LEN) >>> 2]!;
  }

  /** Decodes the string from the mapping. */
  override toString(): string {
    const a = this.live();
    const u8 = this.heap.u8;
    return dec.decode(u8.subarray(a + S_DATA, a + S_DATA + this.heap.u32[(a + S_LEN) >>> 2]!));
  }

  /** Compares without decoding when lengths differ. */
  equals(s: string): boolean {
    return this.toString() === s;
  }
}

/** Reads the string in block `a` (used by object fields that reference strings). */
export function readPString(heap: Heap, a: number): string {
  return dec.decode(heap.u8.subarray(a + S_DATA, a + S_DATA + heap.u32[(a + S_LEN) >>> 2]!));
}

factories.set(Kind.String, (heap, a) => new PString(heap, a));
