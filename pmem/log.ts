/**
 * The redo log. A failure-atomic block buffers its writes in memory, then at commit writes them here
 * with a CRC-32: the checksum *is* the commit record, so making the log durable costs one ordered
 * flush and a torn log is recognised (and ignored) at recovery. Replay is idempotent.
 *
 * After the block's data is durable the log is retired by zeroing its count in memory only: the
 * zero reaches media with the next log write (which rewrites the same header) or earlier. Until
 * then the heap keeps the retired log's target ranges and `Heap.settle` makes the zero durable
 * before any store outside the log could land on one of them (see pmem/README.md, "ordering").
 */
import { crc32Words } from "./crc32.ts";
import { PmemCorruptError, PmemTxError } from "./errors.ts";
import { L_BYTES, L_CHECKSUM, L_COUNT, L_ENTRIES, ROOTS_OFF } from "./layout.ts";
import type { Region } from "./region.ts";
import type { Tx } from "./tx.ts";

/** One redo record: `data` goes to `addr` at apply time. */
export interface RedoEntry {
  addr: number;
  data: Uint8Array;
}

/** Writes `entries` to the log and flushes it; after this returns the block is committed. */
export function writeLog(r: Region, entries: RedoEntry[]): void {
  let p = r.logOff + L_ENTRIES;
  for (const e of entries) {
    p = putHeader(r, p, e.addr, e.data.length);
    r.u8.set(e.data, p);
    p += align8(e.data.length);
  }
  seal(r, entries.length, p);
}

/** Writes a block's buffered writes straight from its maps, without intermediate records. */
export function writeLogTx(r: Region, tx: Tx): void {
  let p = r.logOff + L_ENTRIES;
  for (const [addr, v] of tx.f64) {
    p = putHeader(r, p, addr, 8);
    r.f64[p >>> 3] = v;
    p += 8;
  }
  for (const [addr, v] of tx.u32) {
    p = putHeader(r, p, addr, 4);
    r.u32[p >>> 2] = v;
    r.u32[(p + 4) >>> 2] = 0;
    p += 8;
  }
  for (const [addr, data] of tx.bytes) {
    p = putHeader(r, p, addr, data.length);
    r.u8.set(data, p);
    p += align8(data.length);
  }
  seal(r, tx.f64.size + tx.u32.size + tx.bytes.size, p);
}

/** `writeLog` for one range (the hot path of small in-place updates). */
export function writeLogOne(r: Region, addr: number, data: Uint8Array): void {
  const p = putHeader(r, r.logOff + L_ENTRIES, addr, data.length);
  r.u8.set(data, p);
  seal(r, 1, p + align8(data.length));
}

/** Writes an entry header at `p` (8-aligned); returns where its data goes. */
function putHeader(r: Region, p: number, addr: number, len: number): number {
  if (p + 8 + align8(len) > r.logOff + r.logSize) {
    throw new PmemTxError(`failure-atomic block writes more than the ${r.logSize}-byte log holds; open the heap with a larger logSize`);
  }
  const u32 = r.u32;
  u32[p >>> 2] = addr;
  u32[(p + 4) >>> 2] = len;
  return p + 8;
}

/** Writes count, size and checksum (entries first, header last), then flushes the log. */
function seal(r: Region, count: number, end: number): void {
  const base = r.logOff;
  const bytes = end - base - L_ENTRIES;
  const u32 = r.u32;
  u32[(base + L_COUNT) >>> 2] = count;
  u32[(base + L_BYTES) >>> 2] = bytes;
  u32[(base + L_CHECKSUM) >>> 2] = checksum(r, bytes);
  r.flushRange(base, L_ENTRIES + bytes);
}

/** CRC-32 of count, size, the reserved word and the entries: everything a replay reads. */
function checksum(r: Region, bytes: number): number {
  return crc32Words(r.u32, (r.logOff + L_COUNT) >>> 2, (L_ENTRIES - L_COUNT + bytes) >>> 2);
}

/** Copies every logged write in place and marks the pages dirty. */
export function applyLog(r: Region): void {
  const base = r.logOff;
  const count = r.u32[(base + L_COUNT) >>> 2]!;
  let p = base + L_ENTRIES;
  for (let i = 0; i < count; i++) {
    const addr = r.u32[p >>> 2]!;
    const len = r.u32[(p + 4) >>> 2]!;
    if (addr < ROOTS_OFF || addr + len > r.size || (addr < r.heapOff && addr + len > r.logOff)) {
      throw new PmemCorruptError(`${r.path}: redo log entry ${i} targets [${addr}, ${addr + len}) outside the heap`);
    }
    r.u8.copyWithin(addr, p + 8, p + 8 + len);
    r.markDirty(addr, len);
    p += 8 + align8(len);
  }
}

/** Retires the log in memory: no replay once this store is on media (it is not flushed here). */
export function retireLog(r: Region): void {
  r.u32[(r.logOff + L_COUNT) >>> 2] = 0;
}

/** Empties the log durably, so a later replay cannot overwrite newer data. */
export function clearLog(r: Region): void {
  retireLog(r);
  r.flushRange(r.logOff, L_ENTRIES);
}

/** At open: replays a committed log, drops a torn one. Returns whether a block was replayed. */
export function recoverLog(r: Region): boolean {
  const base = r.logOff;
  const count = r.u32[(base + L_COUNT) >>> 2]!;
  if (count === 0) return false;
  const bytes = r.u32[(base + L_BYTES) >>> 2]!;
  const sum = r.u32[(base + L_CHECKSUM) >>> 2]!;
  const committed = bytes <= r.logSize - L_ENTRIES && bytes % 8 === 0 && checksum(r, bytes) === sum;
  if (committed) {
    applyLog(r);
    r.flush();
  }
  clearLog(r);
  return committed;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
