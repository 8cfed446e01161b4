import assert from "node:assert/strict";
import {
  Heap, PBytes, PFloat64Array, PFloat64Matrix, PHashMap, PSortedMap, PString, persistentClass,
} from "../../pmem/index.ts";
import { tempDir } from "./helpers.ts";

const Box = persistentClass("TestBox", { v: "f64" });

describe("pmem types", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (): string => tmp.file(`types-${n++}.pmem`);
  const reopen = (heap: Heap): Heap => {
    const p = heap.region.path;
    heap.close();
    const h = Heap.openSync(p);
    assert.deepEqual(h.check().errors, []);
    return h;
  };

  it("pmem types - a PString survives close and reopen", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    heap.setRoot("s", PString.create(heap, "héllo, NVMM ✓"));
    heap = reopen(heap);
    const s = heap.root<PString>("s")!;
    assert.equal(s.toString(), "héllo, NVMM ✓");
    assert.equal(s.byteLength, Buffer.byteLength("héllo, NVMM ✓"));
    heap.close();
  });

  it("pmem types - a PFloat64Array is read in place as a Float64Array and survives reopen", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const arr = PFloat64Array.create(heap, Float64Array.from({ length: 1000 }, (_, i) => i / 4));
    heap.setRoot("a", arr);
    const view = arr.view();
    assert.equal(view.buffer, heap.u8.buffer, "the view shares the mapping: no copy");
    heap.atomic(() => arr.set(3, -1));
    heap = reopen(heap);
    const b = heap.root<PFloat64Array>("a")!;
    assert.equal(b.length, 1000);
    assert.equal(b.get(999), 999 / 4);
    assert.equal(b.view()[3], -1);
    heap.close();
  });

  it("pmem types - a PFloat64Matrix keeps its shape and rows in place across reopen", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const m = PFloat64Matrix.create(heap, 3, 4, Float64Array.from({ length: 12 }, (_, i) => i));
    heap.setRoot("m", m);
    m.row(1).fill(7);
    m.touch();
    heap.flush();
    heap = reopen(heap);
    const b = heap.root<PFloat64Matrix>("m")!;
    assert.deepEqual([b.rows, b.cols, b.get(2, 3)], [3, 4, 11]);
    assert.deepEqual([...b.row(1)], [7, 7, 7, 7]);
    heap.close();
  });

  it("pmem types - PBytes blobs survive reopen and write failure-atomically", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const b = PBytes.create(heap, new Uint8Array([1, 2, 3, 4]));
    heap.setRoot("b", b);
    assert.throws(() => heap.atomic(() => {
      b.write(1, new Uint8Array([9, 9]));
      throw new Error("abort");
    }));
    heap.atomic(() => b.write(2, new Uint8Array([8, 8])));
    heap = reopen(heap);
    assert.deepEqual([...heap.root<PBytes>("b")!.view()], [1, 2, 8, 8]);
    heap.close();
  });

  it("pmem types - a PHashMap holds numbers, strings, bytes and references across resizes and reopen", () => {
    let heap = Heap.openSync(fresh(), { size: 16 << 20 });
    const m = PHashMap.create(heap);
    heap.setRoot("m", m);
    for (let i = 0; i < 2000; i++) m.put(`k${i}`, i);
    for (let i = 0; i < 2000; i += 2) m.delete(`k${i}`);
    for (let i = 1; i < 2000; i += 4) m.put(`k${i}`, `s${i}`);
    m.put("blob", new Uint8Array([5, 6, 7]));
    m.put("box", Box.create(heap, { v: 2.5 }));
    m.put("k3", 33);
    heap = reopen(heap);
    const b = heap.root<PHashMap>("m")!;
    assert.equal(b.size, 1002);
    assert.equal(b.get("k0"), undefined);
    assert.equal(b.get("k1"), "s1");
    assert.equal(b.get("k3"), 33);
    assert.deepEqual([...b.getBytes("blob")!], [5, 6, 7]);
    assert.equal((b.get("box") as ReturnType<(typeof Box)["create"]>).v, 2.5);
    assert.equal([...b.keys()].length, 1002);
    heap.close();
  });

  it("pmem types - a PHashMap.put outside atomic pays one msync (new key, replaced key); a number stored in place right after it pays two", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const m = PHashMap.create(heap, 64);
    heap.setRoot("m", m);
    const syncs = (fn: () => void): number => {
      const s = heap.region.syncs;
      fn();
      return heap.region.syncs - s;
    };
    assert.equal(syncs(() => m.put("a", new Uint8Array(40).fill(1))), 1);
    assert.equal(syncs(() => m.put("a", "two")), 1);
    assert.equal(syncs(() => m.put("n", 1)), 1);
    // The entry just linked may still be checked against its seal at recovery: flushed first.
    assert.equal(syncs(() => m.put("n", 2)), 2);
    assert.equal(syncs(() => m.put("n", 3)), 1);
    assert.equal(syncs(() => m.delete("a")), 1);
    heap = reopen(heap);
    const r = heap.root<PHashMap>("m")!;
    assert.deepEqual([...r.entries()], [["n", 3]]);
    heap.close();
  });

  it("pmem types - PHashMap writes inside an aborted atomic block are undone", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const m = PHashMap.create(heap);
    heap.setRoot("m", m);
    m.put("a", 1);
    const live = heap.check().liveBlocks;
    assert.throws(() => heap.atomic(() => {
      m.put("a", "x");
      for (let i = 0; i < 50; i++) m.put(`n${i}`, i);
      m.delete("a");
      throw new Error("abort");
    }));
    assert.equal(m.size, 1);
    assert.equal(m.get("a"), 1);
    assert.equal(m.get("n1"), undefined);
    assert.equal(heap.check().liveBlocks, live);
    heap.close();
  });

  it("pmem types - a PSortedMap returns keys in order after reopen", () => {
    let heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const m = PSortedMap.create(heap);
    heap.setRoot("s", m);
    for (const k of ["m", "c", "x", "a", "q"]) m.put(k, k.charCodeAt(0));
    m.delete("q");
    heap = reopen(heap);
    const b = heap.root<PSortedMap>("s")!;
    assert.ok(b instanceof PSortedMap);
    assert.deepEqual(b.sortedKeys(), ["a", "c", "m", "x"]);
    assert.deepEqual([b.firstKey(), b.lastKey(), b.floorKey("d"), b.ceilingKey("d")], ["a", "x", "c", "m"]);
    assert.deepEqual([...b.range("b", "n")].map(([k]) => k), ["c", "m"]);
    assert.deepEqual(b.tail(2).map(([k, v]) => [k, v]), [["x", 120], ["m", 109]]);
    heap.close();
  });

  it("pmem types - freeing a map frees its slots and entries", () => {
    const heap = Heap.openSync(fresh(), { size: 4 << 20 });
    const m = PHashMap.create(heap);
    for (let i = 0; i < 100; i++) m.put(`k${i}`, "v");
    heap.free(m);
    assert.equal(heap.check().liveBlocks, 0);
    assert.deepEqual(heap.check().errors, []);
    heap.close();
  });
});
