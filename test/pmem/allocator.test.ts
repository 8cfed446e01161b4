import assert from "node:assert/strict";
import { openSync, readSync, closeSync, writeSync } from "node:fs";
import { Heap, PBytes, PmemCorruptError, PmemError } from "../../pmem/index.ts";
import { M_SEALED, M_TOP } from "../../pmem/layout.ts";
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

  /** Rewrites u32 fields of a closed region file in place. */
  const poke = (path: string, fields: Array<[number, number]>): void => {
    const fd = openSync(path, "r+");
    try {
      for (const [at, v] of fields) {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(v >>> 0);
        writeSync(fd, b, 0, 4, at);
      }
    } finally {
      closeSync(fd);
    }
  };
  const peek = (path: string, at: number): number => {
    const fd = openSync(path, "r");
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, at);
    closeSync(fd);
    return b.readUInt32LE();
  };

  it("pmem allocator - a top on media past headers that are not (a torn tail above sealed) is cut back at open, and the heap stays usable", () => {
    const path = heap.region.path;
    heap.setRoot("kept", PBytes.create(heap, new Uint8Array([4, 5, 6])));
    heap.close();
    const top = peek(path, M_TOP);
    assert.equal(peek(path, M_SEALED), top);
    // What a crash leaves when the meta page reached media and the new blocks' headers did not.
    poke(path, [[M_TOP, top + 4096]]);
    heap = Heap.openSync(path, { flush: "none" });
    assert.equal(heap.recovery.tornTailBytes, 4096);
    assert.equal(heap.allocator.top, top);
    assert.deepEqual([...heap.root<PBytes>("kept")!.view()], [4, 5, 6]);
    const fresh = PBytes.create(heap, new Uint8Array(64));
    assert.equal(fresh.addr, top);
    assert.deepEqual(heap.check().errors, []);
  });

  it("pmem allocator - a bad header below sealed is corruption, not a torn tail", () => {
    const path = heap.region.path;
    const a = PBytes.create(heap, new Uint8Array(100));
    heap.setRoot("a", a);
    const addr = a.addr;
    heap.close();
    poke(path, [[addr, 0]]);
    assert.throws(() => Heap.openSync(path, { flush: "none" }), PmemCorruptError);
    // afterEach closes `heap`.
    heap = Heap.openSync(path.replace(/\.pmem$/, "-2.pmem"), { size: 4 << 20, flush: "none" });
  });
});
