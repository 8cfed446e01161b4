/**
 * The persistent heap: a region, its allocator, its roots and failure-atomic blocks. Proxies call the
 * small read/write helpers here so that a write inside `atomic` is buffered and one outside is not.
 */
import { Allocator, type AllocatorCheck } from "./allocator.ts";
import { PmemArgumentError, PmemClosedError, PmemFreedError, PmemTxError } from "./errors.ts";
import { B_KIND, B_STATE, B_TAG, Kind, L_COUNT, L_ENTRIES, LIVE, M_CLEAN, M_EPOCH } from "./layout.ts";
import { applyLog, clearLog, retireLog, writeLogOne, writeLogTx } from "./log.ts";
import { classFactories, factories, type PObject } from "./pobject.ts";
import { medium } from "./medium.ts";
import { recover, type RecoveryReport } from "./recovery.ts";
import { type FlushMode, Region } from "./region.ts";
import { encodeRoot, loadRoots, rootSlotAddr } from "./roots.ts";
import { Tx } from "./tx.ts";

/** Retired-log ranges kept exactly; a bigger block is tracked by its bounding range. */
const MAX_TARGETS = 16;

/** Options of `Heap.open`. */
export interface HeapOptions {
  /** Region size in bytes when the file is created (ignored when it exists). Default 64 MiB. */
  size?: number;
  /** Redo log size in bytes when the file is created. Default 1 MiB. */
  logSize?: number;
  /** `msync` (default) makes each commit durable on media; `none` relies on the page cache (process crashes only). */
  flush?: FlushMode;
  /** Create the file when missing (default true). */
  create?: boolean;
}

/** A persistent heap in a mapped file. Open with `Heap.open`, close with `close()`. */
export class Heap {
  /** @internal The mapped region (for the persistent types). */
  readonly region: Region;
  /** @internal The block allocator (for the persistent types). */
  readonly allocator: Allocator;
  /** What recovery found and did when this heap was opened. */
  readonly recovery: RecoveryReport;
  /** @internal The failure-atomic block in progress, or null. */
  tx: Tx | null = null;
  /** @internal Views of the mapping, for the persistent types. */
  u8: Uint8Array;
  /** @internal */
  u16: Uint16Array;
  /** @internal */
  u32: Uint32Array;
  /** @internal */
  f64: Float64Array;
  private roots: Map<string, { slot: number; ref: number }>;
  private closed = false;
  /**
   * Ranges [lo, hi) written by the last block, whose log is retired in memory but perhaps not yet
   * on media (msync mode only). Empty when `retired` is 0; past MAX_TARGETS ranges, one bounding range.
   */
  private readonly targets: number[] = [];
  private retired = 0;
  /**
   * @internal The map entry the last one-flush `PHashMap.put` linked, and `region.flushes` right
   * after its flush: until another flush completes, recovery may still check it against its seal,
   * so a store into it in place must flush first.
   */
  lastSealed = 0;
  /** @internal */
  lastSealedAt = -1;

  private constructor(region: Region, created: boolean) {
    this.region = region;
    this.u8 = region.u8;
    this.u16 = region.u16;
    this.u32 = region.u32;
    this.f64 = region.f64;
    this.allocator = new Allocator(region);
    this.allocator.beforeReuse = (a, n) => this.settle(a, n);
    if (created) this.allocator.format();
    this.recovery = recover(region, this.allocator);
    this.u32[M_CLEAN >>> 2] = 0;
    this.u32[M_EPOCH >>> 2]! += 1;
    region.markDirty(M_CLEAN, 8);
    region.flush();
    this.roots = loadRoots(region);
  }

  /**
   * Opens (or creates) the heap in `path`, replaying or dropping an interrupted failure-atomic block
   * and freeing whatever is unreachable from the roots.
   * @throws {PmemCorruptError} {@link PmemTruncatedError} {@link PmemVersionError} when the file cannot be trusted
   * @throws {PmemArgumentError} if `options.flush` is not `msync` or `none`, or the file is missing and `options.create` is false
   */
  static async open(path: string, options: HeapOptions = {}): Promise<Heap> {
    return Heap.openSync(path, options);
  }

  /**
   * Synchronous `open`, for scripts and crash-test children.
   * @throws {PmemArgumentError} if `options.flush` is not `msync` or `none`, or the file is missing and `options.create` is false
   * @throws {PmemCorruptError} {@link PmemTruncatedError} {@link PmemVersionError} when the file cannot be trusted
   */
  static openSync(path: string, options: HeapOptions = {}): Heap {
    const flush = options.flush ?? "msync";
    if (flush !== "msync" && flush !== "none") throw new PmemArgumentError(`options.flush must be "msync" or "none" (got ${String(flush)})`);
    if (medium().exists(path)) return new Heap(Region.open(path, flush), false);
    if (options.create === false) throw new PmemArgumentError(`${path} does not exist and options.create is false`);
    const region = Region.create(path, { size: options.size ?? 64 << 20, logSize: options.logSize ?? 1 << 20 }, flush);
    return new Heap(region, true);
  }

  /** The object stored under root `name`, or undefined. */
  root<T extends PObject = PObject>(name: string): T | undefined {
    this.open();
    const e = this.roots.get(name);
    return e === undefined ? undefined : (this.deref(e.ref) as T);
  }

  /** Names of all roots. */
  rootNames(): string[] {
    return [...this.roots.keys()];
  }

  /**
   * Binds (or with null, unbinds) root `name`, failure-atomically.
   * @throws {PmemArgumentError} if all 256 root slots are in use
   * @throws {PmemClosedError} if the heap was closed
   */
  setRoot(name: string, obj: PObject | null): void {
    this.open();
    const ref = obj === null ? 0 : obj.addr;
    // Roots bound earlier in the same block are not in `roots` until it commits: count them too,
    // or two new names would share a slot and only the last would reach media.
    const pending = this.tx?.roots;
    let slot = pending?.get(name) ?? this.roots.get(name)?.slot;
    if (slot === undefined) {
      if (ref === 0) return;
      const used = new Set([...this.roots.values()].map((v) => v.slot));
      if (pending !== undefined) for (const s of pending.values()) used.add(s);
      for (let i = 0; i < 256 && slot === undefined; i++) if (!used.has(i)) slot = i;
      if (slot === undefined) throw new PmemArgumentError("all 256 root slots are in use");
    }
    const image = encodeRoot(name, ref);
    const s = slot;
    this.atomic(() => {
      this.tx!.roots.set(name, s);
      this.tx!.bytes.set(rootSlotAddr(s), image);
      this.tx!.onCommit.push(() => {
        if (ref === 0) this.roots.delete(name);
        else this.roots.set(name, { slot: s, ref });
      });
    });
  }

  /**
   * Runs `fn` as a failure-atomic block: after a crash either all of its persistent writes are
   * present or none is. Commit costs one ordered flush of the log, one of the data. Nested calls
   * join the outer block. `fn` must be synchronous.
   * @throws {PmemTxError} if `fn` returns a promise (nothing of the block is applied; `fn`'s own
   * exceptions propagate the same way), or the block writes more than the redo log holds
   * @throws {PmemClosedError} if the heap was closed
   */
  atomic<T>(fn: () => T): T {
    this.open();
    const outer = this.tx;
    if (outer !== null) {
      outer.depth++;
      try {
        return fn();
      } finally {
        outer.depth--;
      }
    }
    const tx = new Tx();
    this.tx = tx;
    this.allocator.onAlloc = (a) => tx.fresh.add(a);
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new PmemTxError("atomic() takes a synchronous function; await outside the block");
    } catch (err) {
      this.tx = null;
      this.allocator.onAlloc = null;
      for (const a of tx.fresh) this.allocator.release(a);
      throw err;
    }
    this.tx = null;
    this.allocator.onAlloc = null;
    this.commit(tx);
    return result;
  }

  private commit(tx: Tx): void {
    const r = this.region;
    if (!tx.empty) {
      // Blocks made inside the block must be on media before a log that links them can be.
      r.flush();
      writeLogTx(r, tx);
      this.retired = 0;
      applyLog(r);
      r.flush();
      this.retire();
    }
    for (const a of tx.frees) this.allocator.release(a);
    for (const cb of tx.onCommit) cb();
  }

  /**
   * Ends a block whose data is durable: zeroes the log count in memory and, with msync, remembers
   * the log's targets instead of flushing the zero (the third flush a block used to pay). The next
   * log write rewrites the header and flushes it; any other store that could land on a target
   * calls `settle` first, which is what makes the retired log impossible to replay over newer data.
   */
  private retire(): void {
    const r = this.region;
    if (r.flushMode !== "none") {
      const t = this.targets;
      const u32 = r.u32;
      const count = u32[(r.logOff + L_COUNT) >>> 2]!;
      let p = r.logOff + L_ENTRIES;
      let lo = Infinity;
      let hi = 0;
      t.length = 0;
      for (let i = 0; i < count; i++) {
        const addr = u32[p >>> 2]!;
        const len = u32[(p + 4) >>> 2]!;
        if (count <= MAX_TARGETS) t.push(addr, addr + len);
        lo = Math.min(lo, addr);
        hi = Math.max(hi, addr + len);
        p += 8 + ((len + 7) & ~7);
      }
      if (count > MAX_TARGETS) t.push(lo, hi);
      this.retired = t.length;
    }
    retireLog(r);
  }

  /**
   * Call before a store that bypasses the log lands on [addr, addr + len): if the last block's log
   * may still be on media and covers that range, the log's retirement is made durable first (one
   * small flush), so a crash cannot replay the old block over the new store. Free otherwise.
   */
  settle(addr: number, len: number): void {
    const n = this.retired;
    if (n === 0) return;
    const t = this.targets;
    const end = addr + len;
    for (let k = 0; k < n; k += 2) {
      if (addr < t[k + 1]! && t[k]! < end) {
        this.retired = 0;
        clearLog(this.region);
        return;
      }
    }
  }

  /** Makes every write made outside failure-atomic blocks durable (the low-level interface's fence). */
  flush(): void {
    this.region.flush();
  }

  /**
   * The proxy for the block at `addr` (null for 0). Proxies are cheap and hold no data.
   * @throws {PmemFreedError} if the block was freed
   * @throws {PmemArgumentError} if no proxy type is registered for the block's kind (its module is not imported)
   */
  deref(addr: number): PObject | null {
    if (addr === 0) return null;
    const u8 = this.u8;
    if (u8[addr + B_STATE] !== LIVE) throw new PmemFreedError(`block ${addr} was freed`);
    const kind = u8[addr + B_KIND]!;
    const f = kind === Kind.Object ? classFactories.get(this.u32[(addr + B_TAG) >>> 2]!) : factories.get(kind);
    if (f === undefined) throw new PmemArgumentError(`no proxy type registered for block kind ${kind} at ${addr}; import its module`);
    return f(this, addr);
  }

  /**
   * Frees `obj` and the blocks it owns (explicit free; there is no runtime GC). In `atomic`, at commit.
   * @throws {PmemFreedError} if `obj` was already freed
   * @throws {PmemClosedError} if the heap was closed
   */
  free(obj: PObject): void {
    this.open();
    const addr = obj.addr;
    if (addr === 0 || this.u8[addr + B_STATE] !== LIVE) throw new PmemFreedError(`${obj.constructor.name} was already freed`);
    for (const b of obj.ownedBlocks()) this.freeBlock(b);
    this.freeBlock(addr);
    obj.addr = 0;
  }

  /** Frees one block: now if it was made in the current atomic block, else at commit (or now outside one). */
  freeBlock(addr: number): void {
    const tx = this.tx;
    if (tx === null) this.allocator.release(addr);
    else if (tx.fresh.delete(addr)) this.allocator.release(addr);
    else tx.frees.push(addr);
  }

  /** Allocates a zeroed block (low level; used by the persistent types). */
  alloc(payload: number, kind: number, sub = 0): number {
    this.open();
    return this.allocator.alloc(payload, kind, sub);
  }

  /** Reads an f64 field, seeing the current block's own buffered writes. */
  getF64(addr: number): number {
    const tx = this.tx;
    if (tx !== null) {
      const v = tx.f64.get(addr);
      if (v !== undefined) return v;
    }
    return this.f64[addr >>> 3]!;
  }

  /** Writes an f64 field of the object at `base`. */
  setF64(base: number, addr: number, v: number): void {
    const tx = this.tx;
    if (tx !== null && !tx.fresh.has(base)) tx.f64.set(addr, v);
    else {
      if (this.retired !== 0) this.settle(addr, 8);
      this.f64[addr >>> 3] = v;
      this.region.markDirty(addr, 8);
    }
  }

  /** Reads a u32 field (also refs), seeing buffered writes. */
  getU32(addr: number): number {
    const tx = this.tx;
    if (tx !== null) {
      const v = tx.u32.get(addr);
      if (v !== undefined) return v;
    }
    return this.u32[addr >>> 2]!;
  }

  /** Writes a u32 field (also refs) of the object at `base`. */
  setU32(base: number, addr: number, v: number): void {
    const tx = this.tx;
    if (tx !== null && !tx.fresh.has(base)) tx.u32.set(addr, v >>> 0);
    else {
      if (this.retired !== 0) this.settle(addr, 4);
      this.u32[addr >>> 2] = v;
      this.region.markDirty(addr, 4);
    }
  }

  /** Writes a byte range of the object at `base` (buffered inside `atomic`). */
  setBytes(base: number, addr: number, data: Uint8Array): void {
    const tx = this.tx;
    if (tx !== null && !tx.fresh.has(base)) tx.bytes.set(addr, data.slice());
    else {
      if (this.retired !== 0) this.settle(addr, data.length);
      this.u8.set(data, addr);
      this.region.markDirty(addr, data.length);
    }
  }

  /**
   * Writes one byte range failure-atomically: a one-entry redo log, then the data, two ordered
   * flushes. Same guarantee as `atomic(() => setBytes(...))` without its bookkeeping.
   */
  atomicWrite(base: number, addr: number, data: Uint8Array): void {
    if (this.tx !== null) {
      this.setBytes(base, addr, data);
      return;
    }
    this.open();
    const r = this.region;
    if (r.flushMode === "none") {
      // The page cache is the medium: stores reach it in program order, so no flush, no targets.
      writeLogOne(r, addr, data);
      this.u8.set(data, addr);
      retireLog(r);
      return;
    }
    r.flush();
    writeLogOne(r, addr, data);
    this.u8.set(data, addr);
    r.markDirty(addr, data.length);
    r.flush();
    const t = this.targets;
    t.length = 2;
    t[0] = addr;
    t[1] = addr + data.length;
    this.retired = 2;
    retireLog(r);
  }

  /** Checks the allocator's free lists against a walk of the heap. */
  check(): AllocatorCheck {
    this.open();
    return this.allocator.check();
  }

  /**
   * Flushes everything, marks a clean shutdown and unmaps. Proxies must not be used afterwards.
   * @throws {PmemTxError} if called inside an atomic block
   */
  close(): void {
    if (this.closed) return;
    if (this.tx !== null) throw new PmemTxError("close() inside an atomic block");
    this.u32[M_CLEAN >>> 2] = 1;
    this.region.close();
    this.closed = true;
    const empty = new ArrayBuffer(0);
    this.u8 = new Uint8Array(empty);
    this.u16 = new Uint16Array(empty);
    this.u32 = new Uint32Array(empty);
    this.f64 = new Float64Array(empty);
  }

  /** `await using heap = await Heap.open(...)` closes it. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  private open(): void {
    if (this.closed) throw new PmemClosedError(`heap ${this.region.path} is closed`);
  }
}
