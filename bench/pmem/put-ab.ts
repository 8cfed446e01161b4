/**
 * Durable `PHashMap.put` (msync), A/B in one process: the pmem of another checkout (`--base`, e.g.
 * a `git worktree` of an older commit) against this one, alternating batches of puts so a loaded
 * disk weighs on both alike. Fresh keys, then the same keys replaced.
 *   npx tsx bench/pmem/put-ab.ts --base /tmp/base [--batches 8] [--batch 50] [--value 64]
 */
import { Command } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer (got ${v})`);
  return n;
};
const opts = new Command("put-ab")
  .requiredOption("--base <dir>", "checkout whose pmem/ is side A")
  .option("--batches <n>", "batches per side and phase", int, 8)
  .option("--batch <n>", "puts per batch", int, 50)
  .option("--value <bytes>", "value size", int, 64)
  .parse()
  .opts<{ base: string; batches: number; batch: number; value: number }>();

type Pmem = typeof import("../../pmem/index.ts");
const sides: { name: string; mod: Pmem }[] = [
  { name: "A (base)", mod: (await import(pathToFileURL(join(resolve(opts.base), "pmem", "index.ts")).href)) as Pmem },
  { name: "B (this)", mod: await import("../../pmem/index.ts") },
];
const dir = mkdtempSync(join(tmpdir(), "crucial-put-ab-"));
const value = new Uint8Array(opts.value).fill(7);
const state = sides.map((s, i) => {
  const heap = s.mod.Heap.openSync(join(dir, `${i}.pmem`), { size: 64 << 20, flush: "msync" });
  const map = s.mod.PHashMap.create(heap, 16);
  heap.setRoot("m", map);
  return { ...s, heap, map, ns: { insert: 0, replace: 0 }, syncs: { insert: 0, replace: 0 } };
});
for (const phase of ["insert", "replace"] as const) {
  for (let b = 0; b < opts.batches; b++) {
    // Alternate which side goes first so neither always follows the other's write-back.
    const order = b % 2 === 0 ? state : [...state].reverse();
    for (const s of order) {
      const s0 = s.heap.region.syncs;
      const t = process.hrtime.bigint();
      for (let i = 0; i < opts.batch; i++) s.map.put(`key-${b * opts.batch + i}`, value);
      s.ns[phase] += Number(process.hrtime.bigint() - t);
      s.syncs[phase] += s.heap.region.syncs - s0;
    }
  }
}
const n = opts.batches * opts.batch;
for (const phase of ["insert", "replace"] as const) {
  const [a, b] = state;
  for (const s of state) {
    console.log(`${phase.padEnd(7)} ${s.name}: ${(1e9 / (s.ns[phase] / n)).toFixed(0)} puts/s, ${(s.ns[phase] / n / 1e3).toFixed(0)} µs/put, ${(s.syncs[phase] / n).toFixed(2)} msyncs/put`);
  }
  console.log(`${phase.padEnd(7)} B/A throughput: ${(a!.ns[phase] / b!.ns[phase]).toFixed(2)}x`);
}
for (const s of state) s.heap.close();
rmSync(dir, { recursive: true, force: true });
