/**
 * An in-memory file system that keeps two copies of everything: what the page cache holds (what
 * reads and mappings see) and what is on media (what survives a power failure). Data reaches media
 * page by page at msync/fsync; names (creations, renames) at a directory fsync; sizes at fsync.
 * Until then the kernel may write any dirty page back at any moment and commit metadata in order,
 * so a crash leaves: media + any subset of the dirty pages + a prefix of the pending metadata ops.
 * A page written back early holds what it held then: the contents a page had each time the region
 * marked a range of it dirty (`noteDirty`) are kept as well, and an image may use any of them.
 * `crashState()` captures exactly that at an ordering point; `CrashState.image()` builds one such
 * post-crash file system, which a heap can open like the real one.
 */
import { dirname } from "node:path";
import { PAGE } from "../layout.ts";
import type { Medium } from "../medium.ts";

/**
 * Media, page by page (undefined: never written, reads as zeros). Pages are replaced, never written
 * in place, so a crash state keeps media as it was with a shallow copy of this array.
 */
type Pages = Array<Uint8Array | undefined>;

const ZERO = Buffer.alloc(PAGE);
/** Whether `b` (at most a page) holds the same bytes as `page`, undefined meaning zeros. */
const samePage = (b: Buffer, page: Uint8Array | undefined): boolean => b.equals(page ?? ZERO.subarray(0, b.length));

/** A file: its page-cache bytes (also its mapping) and its pages on media. */
class Inode {
  cache: ArrayBuffer;
  size = 0;
  durable: Pages = [];
  durableSize = 0;
  /** Distinct contents each dirty page has had since it was last clean (seen at `noteDirty`). */
  readonly versions = new Map<number, Uint8Array[]>();
  constructor(readonly id: number) {
    this.cache = new ArrayBuffer(0);
  }
}

/** A metadata change not yet on media; the journal commits these in order. */
export type MetaOp =
  | { op: "link"; name: string; inode: number }
  | { op: "rename"; from: string; to: string }
  | { op: "size"; inode: number; size: number };

/** What an ordering point left on media and in the page cache: every image a crash there can leave. */
export interface CrashState {
  /** Names on media, to inode ids. */
  names: Map<string, number>;
  /** Per file: media, and for each dirty page the contents it may have been written back with, the current one last. */
  inodes: Map<number, { durable: Pages; durableSize: number; dirty: Map<number, Uint8Array[]> }>;
  pending: MetaOp[];
}

/** Which of a crash state's unordered changes reached media: a prefix of the metadata, some of the pages. */
export interface ImageChoice {
  metaPrefix: number;
  /** `${inode}:${page}` of each dirty page written back, to the index of the version it was written with. */
  pages: Map<string, number>;
}

/** Intermediate versions kept per dirty page (the latest ones), to bound the images of an ordering point. */
const MAX_VERSIONS = 4;

export class MemoryFs implements Medium {
  /** Called just before an ordering point takes effect: `msync`, `fsync` or `fsyncDir`. */
  onSync: ((kind: string) => void) | null = null;
  /** Ordering points seen. */
  syncs = 0;
  /** False for a crash image: nothing will be asked of its media, so syncs copy nothing. */
  private track = true;
  private readonly names = new Map<string, Inode>();
  private durableNames = new Map<string, number>();
  private pending: MetaOp[] = [];
  private readonly inodes = new Map<number, Inode>();
  private readonly fds = new Map<number, Inode>();
  private readonly maps = new Map<ArrayBuffer, Inode>();
  private nextId = 1;
  private nextFd = 3;

  /**
   * A file system holding `state` after the crash `choice` describes: cache and media equal. With
   * `track`, it goes on modelling media (a restart after a power failure); without, syncs are free.
   */
  static fromCrash(state: CrashState, choice: ImageChoice, track = false): MemoryFs {
    const fs = new MemoryFs();
    fs.track = track;
    const names = new Map(state.names);
    const sizes = new Map<number, number>();
    for (const op of state.pending.slice(0, choice.metaPrefix)) {
      if (op.op === "link") names.set(op.name, op.inode);
      else if (op.op === "rename") {
        const id = names.get(op.from);
        names.delete(op.from);
        if (id !== undefined) names.set(op.to, id);
      } else sizes.set(op.inode, op.size);
    }
    for (const [id, s] of state.inodes) {
      const size = sizes.get(id) ?? s.durableSize;
      const ino = new Inode(id);
      ino.cache = new ArrayBuffer(size);
      const u8 = new Uint8Array(ino.cache);
      for (let p = 0; p < size; p += PAGE) {
        const v = choice.pages.get(`${id}:${p}`);
        const page = v !== undefined ? s.dirty.get(p)![v] : p < s.durableSize ? s.durable[p / PAGE] : undefined;
        if (page !== undefined) u8.set(page.subarray(0, Math.min(page.length, size - p)), p);
      }
      ino.size = size;
      ino.durableSize = size;
      if (track) for (let p = 0; p < size; p += PAGE) ino.durable.push(u8.slice(p, Math.min(size, p + PAGE)));
      fs.inodes.set(id, ino);
      fs.nextId = Math.max(fs.nextId, id + 1);
    }
    for (const [name, id] of names) {
      const ino = fs.inodes.get(id);
      if (ino !== undefined) fs.names.set(name, ino);
    }
    fs.durableNames = new Map(names);
    return fs;
  }

  /** Media, dirty pages and pending metadata now: what a crash at this instant can leave. */
  crashState(): CrashState {
    const inodes: CrashState["inodes"] = new Map();
    for (const ino of this.inodes.values()) {
      const cache = new Uint8Array(ino.cache);
      const dirty = new Map<number, Uint8Array[]>();
      // A page never written to media reads as zeros: a zero page there is clean.
      for (let p = 0; p < ino.size; p += PAGE) {
        const a = Buffer.from(ino.cache, p, Math.min(PAGE, ino.size - p));
        const media = p < ino.durableSize ? ino.durable[p / PAGE] : undefined;
        if (samePage(a, media)) continue;
        const earlier = (ino.versions.get(p) ?? []).filter((v) => !a.equals(v) && !samePage(Buffer.from(v.buffer, v.byteOffset, v.length), media));
        dirty.set(p, [...earlier.slice(-MAX_VERSIONS), new Uint8Array(a)]);
      }
      inodes.set(ino.id, { durable: ino.durable.slice(), durableSize: ino.durableSize, dirty });
    }
    return { names: new Map(this.durableNames), inodes, pending: this.pending.slice() };
  }

  /** Keeps the current contents of the pages of [addr, addr + len) as versions they may be written back with. */
  noteDirty(buffer: ArrayBuffer, addr: number, len: number): void {
    const ino = this.maps.get(buffer);
    if (ino === undefined || !this.track) return;
    const to = Math.min(ino.size, addr + len);
    for (let p = Math.floor(addr / PAGE) * PAGE; p < to; p += PAGE) {
      const cur = Buffer.from(ino.cache, p, Math.min(PAGE, ino.size - p));
      let list = ino.versions.get(p);
      if (list === undefined) ino.versions.set(p, (list = []));
      const last = list[list.length - 1];
      if (last === undefined || !cur.equals(last)) list.push(new Uint8Array(cur));
      if (list.length > 2 * MAX_VERSIONS) list.splice(0, list.length - MAX_VERSIONS);
    }
  }

  exists(path: string): boolean {
    return this.names.has(path);
  }

  open(path: string, create: boolean): number {
    let ino = this.names.get(path);
    if (ino === undefined) {
      if (!create) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
      ino = new Inode(this.nextId++);
      this.inodes.set(ino.id, ino);
      this.names.set(path, ino);
      this.pending.push({ op: "link", name: path, inode: ino.id });
    } else if (create) this.resize(ino, 0);
    const fd = this.nextFd++;
    this.fds.set(fd, ino);
    return fd;
  }

  size(fd: number): number {
    return this.inode(fd).size;
  }

  read(fd: number, buf: Uint8Array, pos: number): number {
    const ino = this.inode(fd);
    const n = Math.max(0, Math.min(buf.length, ino.size - pos));
    buf.set(new Uint8Array(ino.cache, pos, n));
    return n;
  }

  write(fd: number, buf: Uint8Array, pos: number): void {
    const ino = this.inode(fd);
    if (pos + buf.length > ino.size) this.resize(ino, pos + buf.length);
    new Uint8Array(ino.cache).set(buf, pos);
  }

  truncate(fd: number, size: number): void {
    this.resize(this.inode(fd), size);
  }

  fsync(fd: number): void {
    const ino = this.inode(fd);
    this.sync("fsync");
    this.pending = this.pending.filter((op) => !(op.op === "size" && op.inode === ino.id));
    this.persist(ino, 0, ino.size);
    ino.durableSize = ino.size;
    ino.durable.length = Math.ceil(ino.size / PAGE);
  }

  rename(from: string, to: string): void {
    const ino = this.names.get(from);
    if (ino === undefined) throw Object.assign(new Error(`ENOENT: rename '${from}'`), { code: "ENOENT" });
    this.names.delete(from);
    this.names.set(to, ino);
    this.pending.push({ op: "rename", from, to });
  }

  fsyncDir(dir: string): void {
    this.sync("fsyncDir");
    const inDir = (n: string): boolean => dirname(n) === dir;
    const keep: MetaOp[] = [];
    for (const op of this.pending) {
      if (op.op === "link" && inDir(op.name)) this.durableNames.set(op.name, op.inode);
      else if (op.op === "rename" && inDir(op.from) && inDir(op.to)) {
        const id = this.durableNames.get(op.from);
        this.durableNames.delete(op.from);
        if (id !== undefined) this.durableNames.set(op.to, id);
      } else keep.push(op);
    }
    this.pending = keep;
  }

  close(fd: number): void {
    this.fds.delete(fd);
  }

  map(fd: number, size: number): ArrayBuffer {
    const ino = this.inode(fd);
    if (ino.size !== size) throw new Error(`memory fs maps whole files only (${ino.size} bytes, asked ${size})`);
    this.maps.set(ino.cache, ino);
    return ino.cache;
  }

  msync(buffer: ArrayBuffer, off: number, len: number): void {
    const ino = this.maps.get(buffer);
    if (ino === undefined) throw new Error("msync of a buffer this file system did not map");
    this.sync("msync");
    this.persist(ino, off, Math.min(off + len, ino.size));
  }

  unmap(buffer: ArrayBuffer): void {
    const ino = this.maps.get(buffer);
    if (ino === undefined) return;
    this.maps.delete(buffer);
    // Detaches every view of the old buffer, as munmap does to the real mapping's views.
    ino.cache = structuredClone(buffer, { transfer: [buffer] });
  }

  private sync(kind: string): void {
    this.syncs++;
    this.onSync?.(kind);
  }

  /** Copies the page cache of [lo, hi) to media, whole pages (new page objects: crash states keep the old). */
  private persist(ino: Inode, lo: number, hi: number): void {
    if (!this.track) return;
    const to = Math.min(ino.size, Math.ceil(hi / PAGE) * PAGE);
    for (let p = Math.floor(lo / PAGE) * PAGE; p < to; p += PAGE) {
      const page = Buffer.from(ino.cache, p, Math.min(PAGE, ino.size - p));
      if (!samePage(page, ino.durable[p / PAGE])) ino.durable[p / PAGE] = new Uint8Array(page);
      ino.versions.delete(p);
    }
  }

  private resize(ino: Inode, size: number): void {
    if (this.maps.has(ino.cache)) throw new Error("memory fs cannot resize a mapped file");
    const next = new ArrayBuffer(size);
    new Uint8Array(next).set(new Uint8Array(ino.cache, 0, Math.min(size, ino.size)));
    ino.cache = next;
    ino.size = size;
    this.pending.push({ op: "size", inode: ino.id, size });
  }

  private inode(fd: number): Inode {
    const ino = this.fds.get(fd);
    if (ino === undefined) throw Object.assign(new Error(`EBADF: ${fd}`), { code: "EBADF" });
    return ino;
  }
}
