/**
 * A file mapped MAP_SHARED and seen through typed views over one ArrayBuffer. Proxies read and
 * write these views directly; the region only knows pages: which are dirty and how to flush them.
 */
import { dirname } from "node:path";
import { crc32 } from "node:zlib";
import {
  H_CHECKSUM, H_HEAP_OFF, H_LOG_OFF, H_LOG_SIZE, H_MAGIC, H_NROOTS, H_ROOTS_OFF, H_SIZE, H_VERSION,
  M_TOP, MAGIC, MAX_REGION, NROOTS, PAGE, ROOTS_END, ROOTS_OFF, VERSION,
} from "./layout.ts";
import { PmemArgumentError, PmemCorruptError, PmemTruncatedError, PmemVersionError } from "./errors.ts";
import { type Medium, medium } from "./medium.ts";

/** How writes are made durable. `msync` survives power loss of a page-cache file; `none` only process crashes. */
export type FlushMode = "msync" | "none";

/** Geometry chosen when a region is created. */
export interface RegionGeometry {
  size: number;
  logSize: number;
}

export class Region {
  readonly path: string;
  readonly size: number;
  readonly logOff: number;
  readonly logSize: number;
  readonly heapOff: number;
  readonly flushMode: FlushMode;
  buffer: ArrayBuffer;
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  f64: Float64Array;
  dv: DataView;
  /** Count of msync calls, for tests and benchmarks that check flush grouping. */
  syncs = 0;
  /** Count of completed `flush` calls that had something to flush: a store made before number n is durable once this exceeds n. */
  flushes = 0;
  private readonly fd: number;
  /** The file system and mapping this region goes through (the real one outside crash tests). */
  private readonly m: Medium;
  /** The medium's `noteDirty`, or null (the real medium has none). */
  private readonly noteDirty: ((buffer: ArrayBuffer, addr: number, len: number) => void) | null;
  /** Called after each `flush` that reached media: everything marked dirty before it is durable. */
  afterFlush: (() => void) | null = null;
  /** Bounds of the bytes changed since the last `flush` (empty when dirtyHi is 0). */
  private dirtyLo = Infinity;
  private dirtyHi = 0;

  private constructor(m: Medium, path: string, fd: number, size: number, flushMode: FlushMode) {
    this.m = m;
    this.noteDirty = m.noteDirty === undefined ? null : m.noteDirty.bind(m);
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.flushMode = flushMode;
    this.buffer = m.map(fd, size);
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.dv = new DataView(this.buffer);
    this.logOff = this.u32[H_LOG_OFF >>> 2]!;
    this.logSize = this.u32[H_LOG_SIZE >>> 2]!;
    this.heapOff = this.u32[H_HEAP_OFF >>> 2]!;
  }

  /** Opens an existing region file, checking header and length before anything is mapped. */
  static open(path: string, flushMode: FlushMode): Region {
    const m = medium();
    const fd = m.open(path, false);
    try {
      const fileSize = m.size(fd);
      const head = Buffer.alloc(PAGE);
      const n = m.read(fd, head, 0);
      if (n < H_CHECKSUM + 4) {
        throw new PmemTruncatedError(`${path}: ${fileSize} bytes is too short to hold a pmem header`);
      }
      if (head.toString("latin1", H_MAGIC, H_MAGIC + 8) !== MAGIC) {
        throw new PmemCorruptError(`${path}: not a crucial pmem region (bad magic)`);
      }
      const sum = head.readUInt32LE(H_CHECKSUM);
      if (crc32(head.subarray(0, H_CHECKSUM)) !== sum) {
        throw new PmemCorruptError(`${path}: header checksum mismatch; the region header is corrupt`);
      }
      const version = head.readUInt32LE(H_VERSION);
      if (version !== VERSION) {
        throw new PmemVersionError(`${path}: layout version ${version}, this build reads ${VERSION}`);
      }
      const size = head.readDoubleLE(H_SIZE);
      if (fileSize < size) {
        throw new PmemTruncatedError(`${path}: file is ${fileSize} bytes but its header says ${size}; it was truncated`);
      }
      return new Region(m, path, fd, size, flushMode);
    } catch (err) {
      m.close(fd);
      throw err;
    }
  }

  /**
   * Creates (or replaces) a region file with an empty heap, durably: header and meta page are
   * written to a temporary file and fsynced, then renamed over `path` and the directory fsynced.
   * A crash at any point leaves either no region at `path` (or the one it replaces) or a complete
   * empty one, never a name over a file whose header is not on media.
   */
  static create(path: string, geometry: RegionGeometry, flushMode: FlushMode): Region {
    const logSize = roundUp(geometry.logSize, PAGE);
    const heapOff = roundUp(ROOTS_END, PAGE) + logSize;
    const size = roundUp(geometry.size, PAGE);
    if (!Number.isInteger(geometry.size) || size > MAX_REGION || size < heapOff + PAGE) {
      throw new PmemArgumentError(
        `options.size must be an integer between ${heapOff + PAGE} and ${MAX_REGION} bytes (got ${geometry.size})`,
      );
    }
    const m = medium();
    const tmp = `${path}.creating`;
    const fd = m.open(tmp, true);
    try {
      m.truncate(fd, size);
      const head = Buffer.alloc(2 * PAGE);
      head.write(MAGIC, H_MAGIC, "latin1");
      head.writeUInt32LE(VERSION, H_VERSION);
      head.writeDoubleLE(size, H_SIZE);
      head.writeUInt32LE(roundUp(ROOTS_END, PAGE), H_LOG_OFF);
      head.writeUInt32LE(logSize, H_LOG_SIZE);
      head.writeUInt32LE(heapOff, H_HEAP_OFF);
      head.writeUInt32LE(ROOTS_OFF, H_ROOTS_OFF);
      head.writeUInt32LE(NROOTS, H_NROOTS);
      head.writeUInt32LE(crc32(head.subarray(0, H_CHECKSUM)), H_CHECKSUM);
      // The meta page starts as an empty heap, so a region is never durable with top below the heap.
      head.writeUInt32LE(heapOff, M_TOP);
      m.write(fd, head, 0);
      m.fsync(fd);
      m.rename(tmp, path);
      m.fsyncDir(dirname(path));
      return new Region(m, path, fd, size, flushMode);
    } catch (err) {
      m.close(fd);
      throw err;
    }
  }

  /** Records that [addr, addr+len) changed and must reach media at the next `flush`. */
  markDirty(addr: number, len: number): void {
    if (this.flushMode === "none") return;
    if (addr < this.dirtyLo) this.dirtyLo = addr;
    if (addr + len > this.dirtyHi) this.dirtyHi = addr + len;
    if (this.noteDirty !== null) this.noteDirty(this.buffer, addr, len);
  }

  /**
   * Makes every dirty byte durable and returns once it is on media. One msync covers the span from
   * the lowest to the highest dirty byte: the kernel writes only the dirty pages inside it, and one
   * call pays for one device flush, where a call per contiguous run paid for one each. Pages in the
   * span dirtied by other stores go out early, which no ordering here forbids (any page may be
   * written back at any time anyway).
   */
  flush(): void {
    if (this.dirtyHi === 0) return;
    const lo = this.dirtyLo;
    const hi = this.dirtyHi;
    this.dirtyLo = Infinity;
    this.dirtyHi = 0;
    this.flushRange(lo, hi - lo);
    this.flushes++;
    if (this.afterFlush !== null) this.afterFlush();
  }

  /** Flushes one range now, independently of the dirty set (used to order log before data). */
  flushRange(addr: number, len: number): void {
    if (this.flushMode === "none" || len <= 0) return;
    const start = Math.floor(addr / PAGE) * PAGE;
    const end = Math.min(this.size, roundUp(addr + len, PAGE));
    this.m.msync(this.buffer, start, end - start);
    this.syncs++;
  }

  /** Flushes the whole mapping and detaches every view. */
  close(): void {
    if (this.flushMode !== "none") {
      this.m.msync(this.buffer, 0, this.size);
      this.syncs++;
    }
    this.dirtyLo = Infinity;
    this.dirtyHi = 0;
    this.m.unmap(this.buffer);
    this.m.close(this.fd);
  }
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
