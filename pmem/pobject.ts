/**
 * The volatile side of a persistent object: a proxy holding only the heap and the block address.
 * Proxies are made on dereference and hold no field values, so two proxies of one block always agree.
 */
import { PmemFreedError } from "./errors.ts";
import type { Heap } from "./heap.ts";

/**
 * Base of every persistent object's proxy: the heap and the block address, nothing else.
 * Every method of a proxy throws {@link PmemFreedError} once its object was freed, and
 * {@link PmemClosedError} once its heap was closed.
 */
export abstract class PObject {
  /** The heap this object lives in. */
  readonly heap: Heap;
  /** Block address in the region; 0 once this proxy's object was freed through it. */
  addr: number;

  constructor(heap: Heap, addr: number) {
    this.heap = heap;
    this.addr = addr;
  }

  /** Blocks owned by this object besides its own (freed with it). */
  ownedBlocks(): number[] {
    return [];
  }

  /** Throws `ERR_PMEM_FREED` when this proxy's object was freed. */
  protected live(): number {
    const a = this.addr;
    if (a === 0) throw new PmemFreedError(`${this.constructor.name} proxy used after free`);
    return a;
  }
}

/** Builds the proxy for a block of a given kind. */
export type ProxyFactory = (heap: Heap, addr: number) => PObject;

/** Kind (and, for objects, class tag) to proxy factory; each type module registers itself. */
export const factories = new Map<number, ProxyFactory>();
export const classFactories = new Map<number, ProxyFactory>();
