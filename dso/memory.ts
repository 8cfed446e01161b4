/**
 * The node's memory budget (`--max-memory`): one figure every cache and buffer of the node draws
 * from. The reply cache gets a sixteenth of it, requests still arriving (partial messages) a
 * quarter; the rest is for objects. When the heap and buffers in use pass the budget, new calls are
 * refused with `ERR_OVERLOADED` (the `$system` object still answers: it can delete objects) until
 * the node is back under it, instead of growing into an out-of-memory crash.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { InvalidOptionError } from '../core/protocol/errors.ts';
import { coarseNow } from './clock.ts';

/** Memory options of a node. */
export interface MemoryOptions {
  /** Bytes of heap and buffers the node may use; default half the machine's memory, at most 4 GiB. */
  maxMemoryBytes?: number;
  /** Drop a connection whose started request gets no byte for this long (ms); default 30,000, 0 never (zmtp transport). */
  readTimeoutMs?: number;
  /** Bytes of unfinished requests all connections together may hold; default a quarter of `maxMemoryBytes` (zmtp transport). */
  maxPartialBytes?: number;
}

/** How often memory in use is measured (the call that measures pays for it). */
const SAMPLE_MS = 50;

/**
 * In use: the JS heap plus memory outside it (Buffers, ArrayBuffers: frames, arrays) — the same
 * two figures as `process.memoryUsage()`'s heapUsed + external, without the resident set size it
 * also reads from /proc: ~0.3 µs instead of ~15 µs of (mostly system) CPU on this VM, paid by the
 * call that samples.
 */
const inUse = (): number => { const h = getHeapStatistics(); return h.used_heap_size + h.external_memory; };

/**
 * The JS heap's own ceiling: V8 kills the process when a heap grows past `heap_size_limit`, whatever
 * the budget says (the default budget, 4 GiB, is at or above that limit on most machines). New calls
 * are refused from this share of it on, and a request's decoded size must fit below it.
 */
const HEAP_SHARE = 0.75;
const heapInUse = (): { used: number; ceiling: number } => {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, ceiling: h.heap_size_limit * HEAP_SHARE };
};

/** A node's memory budget and its shares. */
export class MemoryBudget {
  readonly maxBytes: number;
  readonly readTimeoutMs: number;
  /** What requests not yet complete may hold, all connections together. */
  readonly partialBytes: number;
  private sampledAt = -Infinity;
  private sampled = 0;

  /**
   * @param opts the node's options
   * @param measure bytes in use now (tests substitute their own)
   * @throws {InvalidOptionError} if `maxMemoryBytes` is not a positive integer or `readTimeoutMs` not a non-negative one
   */
  private heap = { used: 0, ceiling: Infinity };

  constructor(
    opts: MemoryOptions = {},
    private readonly measure: () => number = inUse,
    private readonly measureHeap: () => { used: number; ceiling: number } = heapInUse,
  ) {
    this.maxBytes = opts.maxMemoryBytes ?? Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 2));
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes <= 0) throw new InvalidOptionError('options.maxMemoryBytes must be a positive integer');
    this.readTimeoutMs = opts.readTimeoutMs ?? 30_000;
    if (!Number.isSafeInteger(this.readTimeoutMs) || this.readTimeoutMs < 0) throw new InvalidOptionError('options.readTimeoutMs must be a non-negative integer');
    this.partialBytes = opts.maxPartialBytes ?? Math.max(1024 * 1024, Math.floor(this.maxBytes / 4));
    if (!Number.isSafeInteger(this.partialBytes) || this.partialBytes <= 0) throw new InvalidOptionError('options.maxPartialBytes must be a positive integer');
  }

  /** What the reply cache may hold. */
  get replyCacheBytes(): number { return Math.max(1024 * 1024, Math.floor(this.maxBytes / 16)); }

  /** Bytes in use, measured at most every 50 ms. */
  used(now = coarseNow()): number {
    if (now - this.sampledAt >= SAMPLE_MS) {
      this.sampled = this.measure();
      this.heap = this.measureHeap();
      this.sampledAt = now;
    }
    return this.sampled;
  }

  /** Whether new work must be refused now: over the budget, or the JS heap near its ceiling. */
  over(): boolean { return this.used() > this.maxBytes || this.heap.used > this.heap.ceiling; }

  /** Heap bytes a request may still take as decoded (value-shape.ts), as last sampled. */
  heapHeadroom(): number {
    this.used();
    return Math.min(this.heap.ceiling - this.heap.used, this.maxBytes - this.sampled);
  }
}
