/**
 * The file-system and mapping calls a region makes, behind one interface: the real one (node:fs and
 * the addon) in production, an in-memory model of page cache and media in the crash-image tests
 * (pmem/testing/memory-fs.ts), which must see every write and every ordering point (fsync, msync,
 * directory fsync) to build the images a power failure could leave.
 */
import {
  closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, writeSync,
} from "node:fs";
import { native } from "./native.ts";

/** What a region needs from files, directories and mappings. Handles are small integers. */
export interface Medium {
  exists(path: string): boolean;
  /** Opens `path` read-write; with `create`, creates or truncates it to zero bytes. */
  open(path: string, create: boolean): number;
  size(fd: number): number;
  /** Reads up to `buf.length` bytes at `pos`; returns how many were read. */
  read(fd: number, buf: Uint8Array, pos: number): number;
  write(fd: number, buf: Uint8Array, pos: number): void;
  truncate(fd: number, size: number): void;
  /** Makes the file's data and size durable (not its name: that is `fsyncDir`). */
  fsync(fd: number): void;
  rename(from: string, to: string): void;
  /** Makes the directory's entries (creations, renames) durable. */
  fsyncDir(dir: string): void;
  close(fd: number): void;
  /** Maps the first `size` bytes of the file shared, read-write. */
  map(fd: number, size: number): ArrayBuffer;
  /** Writes the mapped pages of [off, off + len) to media and returns once they are there (page aligned). */
  msync(buffer: ArrayBuffer, off: number, len: number): void;
  /** Makes every view of the mapping unusable. */
  unmap(buffer: ArrayBuffer): void;
  /**
   * Told of each range the region marks dirty, right when it does (msync mode). Only the crash-image
   * model implements it: it keeps the pages' contents of that instant, which an early write-back
   * could have put on media.
   */
  noteDirty?(buffer: ArrayBuffer, addr: number, len: number): void;
}

/** The real medium: the file system and the pmem addon. */
export const fsMedium: Medium = {
  exists: (path) => existsSync(path),
  open: (path, create) => openSync(path, create ? "w+" : "r+"),
  size: (fd) => fstatSync(fd).size,
  read: (fd, buf, pos) => readSync(fd, buf, 0, buf.length, pos),
  write: (fd, buf, pos) => {
    writeSync(fd, buf, 0, buf.length, pos);
  },
  truncate: (fd, size) => ftruncateSync(fd, size),
  fsync: (fd) => fsyncSync(fd),
  rename: (from, to) => renameSync(from, to),
  fsyncDir: (dir) => {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  close: (fd) => closeSync(fd),
  map: (fd, size) => native().map(fd, size),
  msync: (buffer, off, len) => native().msync(buffer, off, len),
  unmap: (buffer) => native().detach(buffer),
};

let current: Medium = fsMedium;

/** The medium regions opened from now on use (each region keeps the one it was opened with). */
export function medium(): Medium {
  return current;
}

/**
 * Test seam: makes regions opened from now on use `m` (null: the real medium again). Code above the
 * heap (the DSO's persistent store) opens heaps by path only, so the crash-image harness swaps the
 * medium underneath it instead of threading an option through every layer.
 */
export function useMedium(m: Medium | null): void {
  current = m ?? fsMedium;
}
