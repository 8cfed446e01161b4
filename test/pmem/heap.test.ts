import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { Heap, PmemError, persistentClass } from "../../pmem/index.ts";
import { crc32Words } from "../../pmem/crc32.ts";
import { B_AUX } from "../../pmem/layout.ts";
import { writeLog } from "../../pmem/log.ts";
import { tempDir } from "./helpers.ts";

const Point = persistentClass("TestPoint", { x: "f64", y: "f64", label: "string", next: "ref", n: "i32", ok: "bool" });
type PointT = ReturnType<(typeof Point)["create"]>;

describe("pmem heap", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (): string => tmp.file(`heap-${n++}.pmem`);

  it("pmem heap - roots survive close and reopen", () => {
    const p = fresh();
    let heap = Heap.openSync(p, { size: 4 << 20 });
    const a = Point.create(heap, { x: 1.5, y: -2, label: "origin", n: -7, ok: true });
    a.next = Point.create(heap, { x: 9 });
    heap.setRoot("p", a);
    heap.close();
    heap = Heap.openSync(p);
    const b = heap.root<PointT>("p")!;
    assert.deepEqual([b.x, b.y, b.label, b.n, b.ok], [1.5, -2, "origin", -7, true]);
    assert.equal((b.next as PointT).x, 9);
    assert.deepEqual(heap.rootNames(), ["p"]);
    heap.setRoot("p", null);
    heap.close();
    heap = Heap.openSync(p);
    assert.equal(heap.root("p"), undefined);
    assert.equal(heap.recovery.reclaimedBlocks, 3);
    heap.close();
  });

  it("pmem heap - an atomic block that throws leaves no write behind", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const a = Point.create(heap, { x: 1, label: "a" });
    heap.setRoot("a", a);
    const before = heap.check();
    assert.throws(() =>
      heap.atomic(() => {
        a.x = 2;
        a.label = "changed";
        a.next = Point.create(heap, { x: 3 });
        assert.equal(a.x, 2, "a block reads its own writes");
        throw new Error("abort");
      }),
    /abort/);
    assert.equal(a.x, 1);
    assert.equal(a.label, "a");
    assert.equal(a.next, null);
    assert.equal(heap.check().liveBlocks, before.liveBlocks);
    assert.deepEqual(heap.check().errors, []);
    heap.close();
  });

  it("pmem heap - a committed atomic block pays one log flush and one data flush", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const a = Point.create(heap);
    const b = Point.create(heap);
    heap.setRoot("a", a);
    heap.setRoot("b", b);
    const before = heap.region.syncs;
    heap.atomic(() => {
      a.x -= 10;
      b.x += 10;
      a.n = 1;
      b.n = 2;
    });
    // log, then data (one msync spanning both objects); the log's clear rides on the next log write
    assert.equal(heap.region.syncs - before, 2);
    heap.close();
  });

  it("pmem heap - an atomicWrite pays two msyncs and a store onto its range one more, elsewhere none", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const a = Point.create(heap);
    const b = Point.create(heap);
    heap.setRoot("a", a);
    heap.setRoot("b", b);
    const field = a.addr + 24;
    const at = (): number => heap.region.syncs;
    let s = at();
    heap.atomicWrite(a.addr, field, new Uint8Array(new Float64Array([7]).buffer));
    assert.equal(at() - s, 2);
    s = at();
    b.x = 3; // outside the retired log's range: no flush owed
    assert.equal(at() - s, 0);
    a.x = 8; // on it: the log's retirement is flushed before the store
    assert.equal(at() - s, 1);
    s = at();
    a.x = 9;
    assert.equal(at() - s, 0);
    assert.equal(a.x, 9);
    heap.close();
  });

  it("pmem heap - the log checksum is zlib's CRC-32", () => {
    const u8 = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 13);
    const u32 = new Uint32Array(u8.buffer);
    for (const [start, words] of [[0, 0], [1, 1], [1, 29], [3, 30], [10, 1000]] as const) {
      assert.equal(crc32Words(u32, start, words), crc32(u8.subarray(4 * start, 4 * (start + words))));
    }
  });

  it("pmem heap - an interrupted atomic block is rolled back at open", () => {
    const p = fresh();
    let heap = Heap.openSync(p, { size: 4 << 20 });
    const a = Point.create(heap, { x: 5 });
    heap.setRoot("a", a);
    const field = a.addr + 16 + 8; // x: after the two ref words, 8-aligned
    assert.equal(heap.f64[field >>> 3], 5);
    // A log whose checksum does not match is a commit that never finished.
    writeLog(heap.region, [{ addr: field, data: new Uint8Array(new Float64Array([99]).buffer) }]);
    heap.u32[heap.region.logOff >>> 2]! ^= 0xdeadbeef;
    heap.close();
    heap = Heap.openSync(p);
    assert.equal(heap.recovery.replayedLog, false);
    assert.equal(heap.root<PointT>("a")!.x, 5);
    heap.close();
  });

  it("pmem heap - a committed atomic block cut before it was applied is finished at open", () => {
    const p = fresh();
    let heap = Heap.openSync(p, { size: 4 << 20 });
    const a = Point.create(heap, { x: 5 });
    heap.setRoot("a", a);
    writeLog(heap.region, [{ addr: a.addr + 24, data: new Uint8Array(new Float64Array([99]).buffer) }]);
    heap.close();
    heap = Heap.openSync(p);
    assert.equal(heap.recovery.replayedLog, true);
    assert.equal(heap.root<PointT>("a")!.x, 99);
    heap.close();
  });

  it("pmem heap - an async function passed to atomic is refused", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    assert.throws(() => heap.atomic(async () => 1), (e: PmemError) => e.code === "ERR_PMEM_TX");
    heap.close();
  });

  it("pmem heap - a closed heap raises ERR_PMEM_CLOSED", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    heap.close();
    assert.throws(() => heap.root("x"), (e: PmemError) => e.code === "ERR_PMEM_CLOSED");
    assert.throws(() => heap.atomic(() => 0), (e: PmemError) => e.code === "ERR_PMEM_CLOSED");
  });

  it("pmem heap - a persistent class records which words are references", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const a = Point.create(heap);
    assert.equal(heap.u32[(a.addr + B_AUX) >>> 2], 0b11);
    assert.equal(Point.byteSize, 32);
    heap.close();
  });

  it("pmem heap - errors carry their cause", () => {
    const cause = new Error("inner");
    const e = new PmemError("ERR_PMEM_CORRUPT", "outer", { cause });
    assert.equal(e.cause, cause);
  });
});
