import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { Heap, PBytes, PmemError } from "../../pmem/index.ts";
import { tempDir } from "./helpers.ts";

function openError(path: string): PmemError {
  try {
    Heap.openSync(path).close();
  } catch (err) {
    assert.ok(err instanceof PmemError, `expected a PmemError, got ${String(err)}`);
    return err;
  }
  assert.fail("open succeeded on a damaged file");
}

describe("pmem region", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("pmem region - a fresh file gets a header that reopens cleanly", async () => {
    const p = tmp.file("fresh.pmem");
    const heap = await Heap.open(p, { size: 4 << 20 });
    heap.close();
    const again = await Heap.open(p);
    assert.equal(again.region.size, 4 << 20);
    again.close();
  });

  it("pmem region - a flipped header byte is reported as ERR_PMEM_CORRUPT", () => {
    const p = tmp.file("corrupt.pmem");
    Heap.openSync(p, { size: 4 << 20 }).close();
    const fd = openSync(p, "r+");
    writeSync(fd, Buffer.from([0x7f]), 0, 1, 20);
    closeSync(fd);
    const err = openError(p);
    assert.equal(err.code, "ERR_PMEM_CORRUPT");
    assert.equal(err.name, "PmemCorruptError");
    assert.match(err.message, /checksum/);
  });

  it("pmem region - a file that is not a region is reported as ERR_PMEM_CORRUPT", () => {
    const p = tmp.file("junk.pmem");
    writeFileSync(p, Buffer.alloc(16384, 0x41));
    assert.equal(openError(p).code, "ERR_PMEM_CORRUPT");
  });

  it("pmem region - a truncated file is reported as ERR_PMEM_TRUNCATED", () => {
    const p = tmp.file("short.pmem");
    Heap.openSync(p, { size: 4 << 20 }).close();
    truncateSync(p, 1 << 20);
    const err = openError(p);
    assert.equal(err.code, "ERR_PMEM_TRUNCATED");
    assert.match(err.message, /truncated/);
  });

  it("pmem region - a file cut inside its header is reported as ERR_PMEM_TRUNCATED", () => {
    const p = tmp.file("tiny.pmem");
    Heap.openSync(p, { size: 4 << 20 }).close();
    writeFileSync(p, readFileSync(p).subarray(0, 20));
    assert.equal(openError(p).code, "ERR_PMEM_TRUNCATED");
  });

  it("pmem region - a block header overwritten with garbage is reported as ERR_PMEM_CORRUPT", () => {
    const p = tmp.file("badblock.pmem");
    const heap = Heap.openSync(p, { size: 4 << 20 });
    heap.setRoot("b", PBytes.create(heap, new Uint8Array(10)));
    const off = heap.region.heapOff;
    heap.close();
    const fd = openSync(p, "r+");
    writeSync(fd, Buffer.from([0x13, 0, 0, 0]), 0, 4, off);
    closeSync(fd);
    assert.equal(openError(p).code, "ERR_PMEM_CORRUPT");
  });

  it("pmem region - options are validated with a clear message", () => {
    assert.throws(() => Heap.openSync(tmp.file("small.pmem"), { size: 1000 }), (e: PmemError) => e.code === "ERR_PMEM_INVALID_ARGUMENT" && /options.size/.test(e.message));
    assert.throws(() => Heap.openSync(tmp.file("f.pmem"), { flush: "sometimes" as "none" }), /options.flush/);
    assert.throws(() => Heap.openSync(tmp.file("missing.pmem"), { create: false }), /does not exist/);
  });
});
