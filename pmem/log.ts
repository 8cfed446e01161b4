/**
 * The redo log. A failure-atomic block buffers its writes in memory, then at commit writes them here
 * with a CRC-32: the checksum *is* the commit record, so making the log durable costs one ordered
 * flush and a torn log is recognised (and ignored) at recovery. Replay is idempotent.
 */
import { crc32 } from "node:zlib";
import { PmemCorruptError, PmemTxError } from "./errors.ts";
import { L_BYTES, L_CHECKSUM, L_COUNT, L_ENTRIES, ROOTS_OFF } from "./layout.ts";
import type { Region } from "./region.ts";

/** One redo record: `data` goes to `addr` at apply time. */
export interface RedoEntry {
  addr: number;
  data: Uint8Array;
}

/** Writes `entries` to the log and flushes it; after this returns the block is committed. */
export function writeLog(r: Region, entries: RedoEntry[]): void {
  const base = r.logOff;
  let p = base + L_ENTRIES;
  const end = base + r.logSize;
  for (const e of entries) {
    const next = p + 8 + align8(e.data.length);
    if (next > end) {
      throw new PmemTxError(`failure-atomic block writes more than the ${r.logSize}-byte log holds; open the heap with a larger logSize`);
    }
    r.u32[p >>> 2] = e.addr;
    r.u32[(p + 4) >>> 2] = e.data.length;
    r.u8.set(e.data, p + 8);
    p = next;
  }
  const bytes = p - base - L_ENTRIES;
  r.u32[(base + L_COUNT) >>> 2] = entries.length;
  r.u32[(base + L_BYTES) >>> 2] = bytes;
  r.u32[(base + L_CHECKSUM) >>> 2] = crc32(r.u8.subarray(base + L_COUNT, base + L_ENTRIES + bytes));
  r.flushRange(base, L_ENTRIES + bytes);
}

/** `writeLog` for one range, without building entry objects (the hot path of small in-place updates). */
export function writeLogOne(r: Region, addr: number, data: Uint8Array): void {
  const base = r.logOff;
  const p = base + L_ENTRIES;
  const bytes = 8 + align8(data.length);
  if (L_ENTRIES + bytes > r.logSize) throw new PmemTxError(`a ${data.length}-byte write does not fit the ${r.logSize}-byte log`);
  r.u32[p >>> 2] = addr;
  r.u32[(p + 4) >>> 2] = data.length;
  r.u8.set(data, p + 8);
  r.u32[(base + L_COUNT) >>> 2] = 1;
  r.u32[(base + L_BYTES) >>> 2] = bytes;
  r.u32[(base + L_CHECKSUM) >>> 2] = crc32(r.u8.subarray(base + L_COUNT, base + L_ENTRIES + bytes));
  r.flushRange(base, L_ENTRIES + bytes);
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

/** Empties the log durably, so a later replay cannot overwrite newer data. */
export function clearLog(r: Region): void {
  r.u32[(r.logOff + L_COUNT) >>> 2] = 0;
  r.flushRange(r.logOff, L_ENTRIES);
}

/** At open: replays a committed log, drops a torn one. Returns whether a block was replayed. */
export function recoverLog(r: Region): boolean {
  const base = r.logOff;
  const count = r.u32[(base + L_COUNT) >>> 2]!;
  if (count === 0) return false;
  const bytes = r.u32[(base + L_BYTES) >>> 2]!;
  const sum = r.u32[(base + L_CHECKSUM) >>> 2]!;
  const committed = bytes <= r.logSize - L_ENTRIES && crc32(r.u8.subarray(base + L_COUNT, base + L_ENTRIES + bytes)) === sum;
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
