/**
 * The four YCSB backends: pmem (a PHashMap of records read in place), a file-system store that
 * marshals each record to its own file (the seed's FS baseline), LMDB, and a volatile Map.
 * A record is FIELDS fields of FIELD_SIZE bytes; a read touches one byte of every field.
 */
import { encode, decode } from "@msgpack/msgpack";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { open as openLmdb, type Database, type RootDatabase } from "lmdb";
import { Heap, PHashMap } from "../../pmem/index.ts";

export const FIELDS = 10;
export const FIELD_SIZE = 100;
export const RECORD = FIELDS * FIELD_SIZE;

/** `none`: durable against process crashes (page cache); `sync`: against power loss (msync/fsync). */
export type Durability = "none" | "sync";

export interface Backend {
  readonly name: string;
  load(key: string, record: Uint8Array): void;
  /** Finishes the load phase (flushes, reopens in the measured mode). */
  loaded(): void;
  read(key: string): number;
  update(key: string, field: number, value: Uint8Array): void;
  insert(key: string, record: Uint8Array): void;
  readModifyWrite(key: string, field: number, value: Uint8Array): number;
  close(): void;
  /** msyncs issued so far (pmem only), to show what one durable update costs. */
  syncs?(): number;
}

function touch(rec: Uint8Array): number {
  let s = 0;
  for (let f = 0; f < FIELDS; f++) s += rec[f * FIELD_SIZE]!;
  return s;
}

export class MapBackend implements Backend {
  readonly name = "map";
  private m = new Map<string, Uint8Array>();
  load(key: string, record: Uint8Array): void {
    this.m.set(key, record.slice());
  }
  loaded(): void {}
  read(key: string): number {
    return touch(this.m.get(key)!);
  }
  update(key: string, field: number, value: Uint8Array): void {
    this.m.get(key)!.set(value, field * FIELD_SIZE);
  }
  insert(key: string, record: Uint8Array): void {
    this.m.set(key, record.slice());
  }
  readModifyWrite(key: string, field: number, value: Uint8Array): number {
    const r = this.read(key);
    this.update(key, field, value);
    return r;
  }
  close(): void {
    this.m.clear();
  }
}

export class PmemBackend implements Backend {
  readonly name = "pmem";
  private heap: Heap;
  private map: PHashMap;
  private readonly path: string;
  private readonly durability: Durability;

  constructor(dir: string, records: number, durability: Durability) {
    this.path = join(dir, "ycsb.pmem");
    this.durability = durability;
    rmSync(this.path, { force: true });
    // Loading runs without per-put msyncs; close() then syncs the whole mapping once.
    const size = Math.min(0xffff_0000, Math.ceil(records * 1.15) * 1400 + (64 << 20));
    this.heap = Heap.openSync(this.path, { size, flush: "none" });
    this.map = PHashMap.create(this.heap, records);
    this.heap.setRoot("usertable", this.map);
  }
  load(key: string, record: Uint8Array): void {
    this.map.put(key, record);
  }
  loaded(): void {
    this.heap.close();
    this.heap = Heap.openSync(this.path, { flush: this.durability === "sync" ? "msync" : "none" });
    this.map = this.heap.root<PHashMap>("usertable")!;
  }
  read(key: string): number {
    return touch(this.map.getBytes(key)!);
  }
  update(key: string, field: number, value: Uint8Array): void {
    this.map.patchBytes(key, field * FIELD_SIZE, value);
  }
  insert(key: string, record: Uint8Array): void {
    this.map.put(key, record);
  }
  readModifyWrite(key: string, field: number, value: Uint8Array): number {
    const r = this.read(key);
    this.update(key, field, value);
    return r;
  }
  syncs(): number {
    return this.heap.region.syncs;
  }
  close(): void {
    this.heap.close();
    rmSync(this.path, { force: true });
  }
}

export class LmdbBackend implements Backend {
  readonly name = "lmdb";
  private root: RootDatabase<Buffer, string>;
  private db: Database<Buffer, string>;
  private pending: Array<[string, Uint8Array]> = [];
  private readonly path: string;

  constructor(dir: string, durability: Durability) {
    this.path = join(dir, "ycsb.lmdb");
    rmSync(this.path, { recursive: true, force: true });
    this.root = openLmdb<Buffer, string>({ path: this.path, encoding: "binary", noSync: durability === "none", mapSize: 8 * 2 ** 30 });
    this.db = this.root;
  }
  load(key: string, record: Uint8Array): void {
    this.pending.push([key, record.slice()]);
    if (this.pending.length >= 10_000) this.drain();
  }
  private drain(): void {
    const batch = this.pending;
    this.pending = [];
    this.db.transactionSync(() => {
      for (const [k, v] of batch) this.db.putSync(k, Buffer.from(v.buffer, v.byteOffset, v.length));
    });
  }
  loaded(): void {
    this.drain();
  }
  read(key: string): number {
    return touch(this.db.getBinaryFast(key)!);
  }
  update(key: string, field: number, value: Uint8Array): void {
    const rec = this.db.getBinary(key)!;
    rec.set(value, field * FIELD_SIZE);
    this.db.putSync(key, rec);
  }
  insert(key: string, record: Uint8Array): void {
    this.db.putSync(key, Buffer.from(record));
  }
  readModifyWrite(key: string, field: number, value: Uint8Array): number {
    const r = this.read(key);
    this.update(key, field, value);
    return r;
  }
  close(): void {
    this.root.close();
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** One file per record, the record marshalled with MessagePack as an array of field buffers. */
export class FsBackend implements Backend {
  readonly name = "fs";
  private readonly dir: string;
  private readonly sync: boolean;

  constructor(dir: string, durability: Durability) {
    this.dir = join(dir, "ycsb-fs");
    this.sync = durability === "sync";
    rmSync(this.dir, { recursive: true, force: true });
    for (let i = 0; i < 256; i++) mkdirSync(join(this.dir, i.toString(16)), { recursive: true });
  }
  private file(key: string): string {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) & 0xff;
    return join(this.dir, h.toString(16), key);
  }
  private write(key: string, fields: Uint8Array[], sync: boolean): void {
    const fd = openSync(this.file(key), "w");
    writeSync(fd, encode(fields));
    if (sync) fsyncSync(fd);
    closeSync(fd);
  }
  private fields(key: string): Uint8Array[] {
    return decode(readFileSync(this.file(key))) as Uint8Array[];
  }
  load(key: string, record: Uint8Array, sync = false): void {
    const fields: Uint8Array[] = [];
    for (let f = 0; f < FIELDS; f++) fields.push(record.subarray(f * FIELD_SIZE, (f + 1) * FIELD_SIZE));
    this.write(key, fields, sync);
  }
  loaded(): void {}
  read(key: string): number {
    const fields = this.fields(key);
    let s = 0;
    for (const f of fields) s += f[0]!;
    return s;
  }
  update(key: string, field: number, value: Uint8Array): void {
    const fields = this.fields(key);
    fields[field] = value;
    this.write(key, fields, this.sync);
  }
  insert(key: string, record: Uint8Array): void {
    this.load(key, record, this.sync);
  }
  readModifyWrite(key: string, field: number, value: Uint8Array): number {
    const fields = this.fields(key);
    let s = 0;
    for (const f of fields) s += f[0]!;
    fields[field] = value;
    this.write(key, fields, this.sync);
    return s;
  }
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
