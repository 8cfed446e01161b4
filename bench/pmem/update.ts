/**
 * The update path alone: `PHashMap.patchBytes` of a 100-byte field (redo-logged, failure-atomic)
 * against the same store into a volatile Map's Uint8Array, and msyncs per update.
 *   npx tsx bench/pmem/update.ts [none|msync] [ops]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Heap, PHashMap } from "../../pmem/index.ts";

const mode = process.argv[2] === "msync" ? "msync" : "none";
const ops = Number(process.argv[3] ?? (mode === "msync" ? 3000 : 2_000_000));
const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), "crucial-update-"));
const path = join(dir, "u.pmem");
let heap = Heap.openSync(path, { size: N * 1400 + (64 << 20), flush: "none" });
let map = PHashMap.create(heap, N);
heap.setRoot("t", map);
const rec = new Uint8Array(1000).fill(97);
for (let i = 0; i < N; i++) map.put(`user${i}`, rec);
heap.close();
heap = Heap.openSync(path, { flush: mode });
map = heap.root<PHashMap>("t")!;
const keys = Array.from({ length: 4096 }, (_, i) => `user${(i * 7919) % N}`);
const v = new Uint8Array(100).fill(122);
const volatile = new Map<string, Uint8Array>(keys.map((k) => [k, rec.slice()]));
for (let round = 0; round < 3; round++) {
  const s0 = heap.region.syncs;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) map.patchBytes(keys[i & 4095]!, (i % 10) * 100, v);
  const ns = Number(process.hrtime.bigint() - t0) / ops;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) volatile.get(keys[i & 4095]!)!.set(v, (i % 10) * 100);
  const mns = Number(process.hrtime.bigint() - t1) / ops;
  console.log(`flush=${mode} round ${round}: patchBytes ${ns.toFixed(0)} ns/op, Map ${mns.toFixed(0)} ns/op, ${(heap.region.syncs - s0) / ops} msyncs/op`);
}
heap.close();
rmSync(dir, { recursive: true, force: true });
