/**
 * How a persistent object's state is kept in the pmem region, per type. A strategy turns a freshly
 * constructed node-side object into one backed by the region (`create`), or rebuilds one from the
 * region at start-up (`attach`); the `Binding` it returns makes each call's changes durable before
 * the node replies. Types without a strategy of their own fall back to a whole-object snapshot.
 */
import type { Heap, PObject } from '../../pmem/index.ts';

/** Counters kept by the persistent store, for tests and benchmarks. */
export interface PersistenceStats {
  /** Objects brought back at start-up without decoding their state (the node-side object reads the region in place). */
  restoredInPlace: number;
  /** Objects brought back by decoding stored values (snapshots, map and list entries). */
  restoredByDecode: number;
  /** Stored values decoded at start-up (one per snapshot, one per map or list entry). */
  valuesDecoded: number;
  /** Calls whose changes were written to the region. */
  commits: number;
  /** Records written by those calls: snapshots, map or list entries, scalar cells, matrix ranges. */
  entriesWritten: number;
  /** Payload bytes of those records (encoded values, raw ranges), not counting the heap's own metadata. */
  bytesWritten: number;
}

/** What a strategy may use: the heap, the wire codec for values, the counters. */
export interface StrategyContext {
  readonly heap: Heap;
  readonly stats: PersistenceStats;
  /** Wire values as one byte string (a MessagePack array and its Arrow attachments, packed). */
  encode(values: unknown[]): Uint8Array;
  /** The inverse of `encode`; the values own their memory (nothing points into `bytes`). */
  decode(bytes: Uint8Array): unknown[];
}

/** The link between one node-side object and its state in the region. */
export interface Binding {
  /** The object's persistent data, linked from the store's index; it is freed with the object. */
  readonly root: PObject | null;
  /**
   * Runs a call itself, when the strategy must decide where the call writes (to make it
   * failure-atomic). Absent: the store calls the method on the object directly.
   */
  invoke?(method: string, args: unknown[]): unknown;
  /**
   * Makes what the call changed durable. Runs after the method returned (or settled), before the
   * reply, inside the store's failure-atomic block for the call (its writes join it). Returns
   * whether it wrote anything (reads write nothing, and need no durable dedup record).
   */
  commit(method: string, args: unknown[]): boolean;
  /**
   * Puts the node-side object back to the state stored in the region: called when the call's
   * block did not commit (a value that cannot be persisted, the region full), so memory never
   * holds a change the region does not.
   */
  rollback(): void;
  /** True when the object's state is served from the region's mapping rather than from a copy (tests). */
  inPlace?(): boolean;
}

/** A persistence strategy for one or more built-in types. */
export interface Strategy {
  /** Short name, for reports and errors. */
  readonly name: string;
  /**
   * Gives a freshly constructed object its persistent form (copying its current state into the
   * region once) and switches it to use that form. Runs inside a failure-atomic block that links
   * the returned root, so the object appears whole or not at all.
   */
  create(ctx: StrategyContext, instance: object, relink: Relink): Binding;
  /** Rebuilds the node-side object on `proto` from its persistent form. */
  attach(ctx: StrategyContext, root: PObject, proto: object, relink: Relink): { instance: object; binding: Binding };
}

/**
 * Points the object's index entry at a new root and frees the old one, failure-atomically (joining
 * the caller's `heap.atomic` block if one is open). For strategies that rebuild their data aside.
 * `linked()` is the root the index holds now: after a block that did not commit, the one from
 * before the block (a root built inside it is gone).
 */
export interface Relink {
  (root: PObject): void;
  linked(): PObject | undefined;
}
