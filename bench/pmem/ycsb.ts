/**
 * YCSB workloads A, B, C, D, F over pmem, a marshalling file-system store, LMDB and a volatile Map,
 * single client. Prints ops/s per backend and workload, and the ratios pmem/FS, pmem/LMDB, pmem/Map.
 *   npx tsx bench/pmem/ycsb.ts --records 1000000 --ops 1000000
 * Each backend first runs every workload untimed (`--warmup` ops, another seed): the first writes to
 * a reopened mapping each take a page fault, and JIT tiering takes a few ms; both are start-up
 * costs, not throughput. `--warmup 0` measures the cold start instead.
 */
import { Command, Option } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Backend, type Durability, FIELD_SIZE, FIELDS, FsBackend, LmdbBackend, MapBackend, PmemBackend, RECORD,
} from "./backends.ts";
import { keyOf, rng, scramble, Zipfian } from "./zipfian.ts";

/** Operation mix of one workload, fractions summing to 1. */
interface Mix {
  read: number;
  update: number;
  insert: number;
  rmw: number;
  latest: boolean;
}

const WORKLOADS: Record<string, Mix> = {
  A: { read: 0.5, update: 0.5, insert: 0, rmw: 0, latest: false },
  B: { read: 0.95, update: 0.05, insert: 0, rmw: 0, latest: false },
  C: { read: 1, update: 0, insert: 0, rmw: 0, latest: false },
  D: { read: 0.95, update: 0, insert: 0.05, rmw: 0, latest: true },
  F: { read: 0.5, update: 0, insert: 0, rmw: 0.5, latest: false },
};

const program = new Command()
  .name("ycsb")
  .description("YCSB-style workloads over pmem, FS, LMDB and a volatile Map (single client)")
  .option("--records <n>", "records loaded before the workloads", (v) => parseInt(v, 10), 100_000)
  .option("--ops <n>", "operations per workload", (v) => parseInt(v, 10), 100_000)
  .option("--workloads <list>", "comma-separated workloads among A,B,C,D,F", "A,B,C,F,D")
  .option("--backends <list>", "comma-separated backends among pmem,fs,lmdb,map", "pmem,fs,lmdb,map")
  .addOption(new Option("--durability <mode>", "none: page cache (process crashes); sync: msync/fsync/LMDB sync per write").choices(["none", "sync"]).default("none"))
  .option("--fs-ops <n>", "cap on operations per workload for the slow FS backend (throughput is per op)", (v) => parseInt(v, 10))
  .option("--dir <path>", "where backend files go (default: a temp dir)")
  .option("--seed <n>", "seed of the operation sequence", (v) => parseInt(v, 10), 42)
  .option("--warmup <n>", "untimed operations per workload before the timed ones (default: --ops)", (v) => parseInt(v, 10))
  .option("--markdown", "print the tables as Markdown")
  .parse();

const opts = program.opts<{
  records: number; ops: number; workloads: string; backends: string; durability: Durability; fsOps?: number;
  dir?: string; seed: number; markdown?: boolean; warmup?: number;
}>();
const warmup = opts.warmup ?? opts.ops;

function record(i: number): Uint8Array {
  const r = new Uint8Array(RECORD);
  for (let f = 0; f < FIELDS; f++) r.fill(((i + f) % 26) + 97, f * FIELD_SIZE, (f + 1) * FIELD_SIZE);
  return r;
}

function make(name: string, dir: string): Backend {
  switch (name) {
    case "pmem": return new PmemBackend(dir, opts.records, opts.durability);
    case "fs": return new FsBackend(dir, opts.durability);
    case "lmdb": return new LmdbBackend(dir, opts.durability);
    case "map": return new MapBackend();
    default: throw new Error(`unknown backend ${name}; choose among pmem, fs, lmdb, map`);
  }
}

/** Runs one workload; every backend sees the same operation sequence for a given seed. */
function run(b: Backend, wl: string, ops: number, inserted: { n: number }, seed: number): number {
  const mix = WORKLOADS[wl]!;
  const rand = rng(seed + wl.charCodeAt(0));
  const zipf = new Zipfian(opts.records, rand);
  const value = new Uint8Array(FIELD_SIZE).fill(122);
  const ins = record(7);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const u = rand();
    const field = Math.floor(rand() * FIELDS);
    if (u < mix.insert) {
      b.insert(keyOf(inserted.n++), ins);
      continue;
    }
    // D reads the most recent records; the others spread Zipfian ranks over the key space.
    const k = mix.latest ? Math.max(0, inserted.n - 1 - zipf.next()) : scramble(zipf.next(), opts.records);
    const key = keyOf(k);
    if (u < mix.insert + mix.read) sink += b.read(key);
    else if (u < mix.insert + mix.read + mix.update) b.update(key, field, value);
    else sink += b.readModifyWrite(key, field, value);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) console.log(sink);
  return ops / s;
}

const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "crucial-ycsb-"));
const workloads = opts.workloads.split(",").map((w) => w.trim().toUpperCase());
for (const w of workloads) if (!(w in WORKLOADS)) throw new Error(`unknown workload ${w}; choose among A,B,C,D,F`);
const results = new Map<string, Map<string, number>>();
const loads = new Map<string, number>();

for (const name of opts.backends.split(",").map((s) => s.trim())) {
  const b = make(name, dir);
  const t0 = Date.now();
  for (let i = 0; i < opts.records; i++) b.load(keyOf(i), record(i));
  b.loaded();
  loads.set(name, Date.now() - t0);
  const per = new Map<string, number>();
  const inserted = { n: opts.records };
  const cap = (n: number): number => (name === "fs" && opts.fsOps !== undefined ? Math.min(n, opts.fsOps) : n);
  if (warmup > 0) for (const wl of workloads) run(b, wl, cap(warmup), inserted, opts.seed + 1_000_003);
  for (const wl of workloads) {
    const ops = cap(opts.ops);
    const s0 = b.syncs?.() ?? 0;
    const f0 = process.resourceUsage().minorPageFault;
    per.set(wl, run(b, wl, ops, inserted, opts.seed));
    const faults = (process.resourceUsage().minorPageFault - f0) / ops;
    const syncs = b.syncs === undefined ? "" : `, ${((b.syncs() - s0) / ops).toFixed(2)} msyncs/op`;
    process.stderr.write(`${name} ${wl}: ${Math.round(per.get(wl)!)} ops/s (${faults.toFixed(3)} page faults/op${syncs})\n`);
  }
  results.set(name, per);
  b.close();
}
if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });

const fmt = (n: number | undefined): string => (n === undefined ? "-" : Math.round(n).toLocaleString("en-US"));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? "-" : `${(a / b).toFixed(2)}x`);
const backends = [...results.keys()];
const rows: string[][] = [["workload", ...backends.map((b) => `${b} ops/s`), "pmem/fs", "pmem/lmdb", "pmem/map"]];
for (const wl of workloads) {
  const p = results.get("pmem")?.get(wl);
  rows.push([wl, ...backends.map((b) => fmt(results.get(b)!.get(wl))), ratio(p, results.get("fs")?.get(wl)), ratio(p, results.get("lmdb")?.get(wl)), ratio(p, results.get("map")?.get(wl))]);
}
console.log(`YCSB: ${opts.records} records x ${FIELDS} fields x ${FIELD_SIZE} B, ${opts.ops} ops/workload${opts.fsOps ? ` (fs: ${Math.min(opts.ops, opts.fsOps)})` : ""}, warmup ${warmup}, durability=${opts.durability}, Node ${process.version}`);
console.log(`load (ms): ${backends.map((b) => `${b} ${loads.get(b)}`).join(", ")}`);
if (opts.markdown) {
  console.log(`| ${rows[0]!.join(" | ")} |`);
  console.log(`|${rows[0]!.map(() => "---").join("|")}|`);
  for (const r of rows.slice(1)) console.log(`| ${r.join(" | ")} |`);
} else {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(w[i]!)).join("  "));
}
