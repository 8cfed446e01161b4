import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { Heap, PHashMap } from "../../pmem/index.ts";
import { PAGE } from "../../pmem/layout.ts";
import { tempDir } from "./helpers.ts";

/**
 * A SIGKILL leaves the page cache intact; power loss leaves only what reached the media. This test
 * models the media: what each ordered msync wrote, plus any subset of the pages dirtied since (the
 * kernel may write any dirty page back at any moment, in any order). Just before each msync it
 * sometimes builds such a crash image, recovers it in another heap and checks that the map holds
 * exactly the state before, or exactly the state after, the operation in progress.
 */
describe("pmem power failure", function () {
  this.timeout(120_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("pmem power failure - every crash image between ordered flushes recovers to the state before or after the operation", () => {
    let seed = 0x2545f491;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const pick = (n: number): number => Math.floor(rand() * n);
    const KEYS = 6;
    const REC = 3000;
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => pick(256));
    const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

    const heap = Heap.openSync(tmp.file("live.pmem"), { size: 1 << 20, logSize: 16 << 10 });
    const map = PHashMap.create(heap, 8);
    heap.setRoot("m", map);
    let model = new Map<string, string>();
    for (let k = 0; k < KEYS; k++) {
      const v = bytes(REC);
      map.put(`k${k}`, v);
      model.set(`k${k}`, hex(v));
    }
    const r = heap.region;
    r.flushRange(0, r.size);
    const media = Buffer.from(heap.u8);

    let before = model;
    let afterOp = model;
    let checked = 0;
    let replayed = 0;
    const image = tmp.file("image.pmem");
    const crash = (): void => {
      const img = Buffer.from(media);
      const mem = Buffer.from(heap.u8.buffer, heap.u8.byteOffset, r.size);
      for (let p = 0; p < r.size; p += PAGE) {
        if (rand() < 0.5 && mem.compare(media, p, p + PAGE, p, p + PAGE) !== 0) mem.copy(img, p, p, p + PAGE);
      }
      writeFileSync(image, img);
      const h = Heap.openSync(image, { flush: "none" });
      try {
        const got = new Map<string, string>();
        for (const [k, v] of h.root<PHashMap>("m")!.entries()) got.set(k, hex(v as Uint8Array));
        const same = (m: Map<string, string>): boolean => m.size === got.size && [...m].every(([k, v]) => got.get(k) === v);
        assert.ok(same(before) || same(afterOp), `crash image ${checked} holds neither the state before nor after the operation`);
        assert.deepEqual(h.check().errors, []);
        if (h.recovery.replayedLog) replayed++;
        checked++;
      } finally {
        h.close();
      }
    };
    r.beforeSync = (start, len) => {
      if (rand() < 0.4) crash();
      media.set(heap.u8.subarray(start, start + len), start);
    };

    const patch = (m: Map<string, string>, key: string): void => {
      const cur = m.get(key);
      const off = pick(REC - 24);
      const data = bytes(8 + pick(17));
      if (cur !== undefined) {
        const b = Buffer.from(cur, "hex");
        b.set(data, off);
        m.set(key, b.toString("hex"));
      }
      assert.equal(map.patchBytes(key, off, data), cur !== undefined);
    };
    for (let i = 0; i < 300; i++) {
      before = model;
      const next = new Map(model);
      const key = `k${pick(KEYS)}`;
      const other = `k${pick(KEYS)}`;
      // The model is updated as the operation runs, before its first ordered flush can happen.
      afterOp = next;
      const u = rand();
      if (u < 0.35) patch(next, key);
      else if (u < 0.6) {
        const v = bytes(REC);
        next.set(key, hex(v));
        map.put(key, v);
      } else if (u < 0.7) {
        next.delete(key);
        map.delete(key);
      } else if (u < 0.85) {
        heap.atomic(() => {
          patch(next, key);
          patch(next, other);
        });
      } else {
        heap.atomic(() => {
          const v = bytes(REC);
          next.set(key, hex(v));
          map.put(key, v);
          patch(next, other);
        });
      }
      model = next;
    }
    r.beforeSync = null;
    heap.close();
    assert.ok(checked > 100, `only ${checked} crash images were checked`);
    assert.ok(replayed > 10, `only ${replayed} crash images replayed a redo log`);
  });
});
