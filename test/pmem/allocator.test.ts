import assert from "node:assert/strict";
import { Heap, PBytes, PmemError } from "../../pmem/index.ts";
import { tempDir } from "./helpers.ts";

describe("pmem allocator", () => {
  const tmp = tempDir();
  let heap: Heap;
  beforeEach(() => {
    heap = Heap.openSync(tmp.file(`alloc-${Math.random()}.pmem`), { size: 4 << 20, flush: "none" });
  });
  afterEach(() => heap.close());
  after(() => tmp.cleanup());

  it("pmem allocator - a freed block is reused by the next allocation of its size class", () => {
    const a = PBytes.create(heap, new Uint8Array(100));
    const addr = a.addr;
    PBytes.create(heap, new Uint8Array(100));
    heap.free(a);
    const b = PBytes.create(heap, new Uint8Array(90));
    assert.equal(b.addr, addr);
    assert.deepEqual([...b.view()], new Array(90).fill(0));
  });

  it("pmem allocator - free lists stay sound through mixed allocations and frees", () => {
    const live: PBytes[] = [];
    let seed = 42;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      if (live.length > 0 && seed % 3 === 0) heap.free(live.splice(seed % live.length, 1)[0]!);
      else live.push(PBytes.create(heap, new Uint8Array(seed % 2000)));
    }
    const c = heap.check();
    assert.deepEqual(c.errors, []);
    assert.equal(c.liveBlocks, live.length);
    assert.ok(c.freeBlocks > 0);
  });

  it("pmem allocator - freeing twice raises ERR_PMEM_FREED and a freed proxy cannot be read", () => {
    const a = PBytes.create(heap, new Uint8Array(8));
    const alias = heap.deref(a.addr)!;
    heap.free(a);
    assert.throws(() => heap.free(alias), (e: PmemError) => e.code === "ERR_PMEM_FREED");
    assert.throws(() => a.view(), (e: PmemError) => e.code === "ERR_PMEM_FREED");
    assert.throws(() => heap.deref(alias.addr), (e: PmemError) => e.code === "ERR_PMEM_FREED");
  });

  it("pmem allocator - a full heap raises ERR_PMEM_OUT_OF_MEMORY", () => {
    assert.throws(() => {
      for (;;) PBytes.create(heap, new Uint8Array(64 << 10));
    }, (e: PmemError) => e.code === "ERR_PMEM_OUT_OF_MEMORY" && e.name === "PmemOutOfMemoryError");
    assert.deepEqual(heap.check().errors, []);
  });

  it("pmem allocator - recovery frees what is unreachable from the roots and keeps free lists sound", () => {
    const path = heap.region.path;
    const kept = PBytes.create(heap, new Uint8Array([1, 2, 3]));
    heap.setRoot("kept", kept);
    for (let i = 0; i < 10; i++) PBytes.create(heap, new Uint8Array(50));
    heap.close();
    heap = Heap.openSync(path, { flush: "none" });
    assert.equal(heap.recovery.reclaimedBlocks, 10);
    assert.equal(heap.recovery.liveBlocks, 1);
    assert.deepEqual([...heap.root<PBytes>("kept")!.view()], [1, 2, 3]);
    assert.deepEqual(heap.check().errors, []);
  });
});
