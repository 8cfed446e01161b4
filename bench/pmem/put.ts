/**
 * What a durable `PHashMap.put` costs and where it goes: N puts of small values (fresh keys, then
 * the same keys replaced) with `flush: "msync"`, each msync counted and timed and the pages each put
 * dirtied counted (/proc/self/io write_bytes, which Linux charges when a page becomes dirty; msync
 * writes back only dirty pages), against a bare device flush (pwrite of 64 B
 * into an allocated page + fdatasync) timed in the same rounds, interleaved, so a loaded disk moves
 * both alike.
 *   npx tsx bench/pmem/put.ts [--puts 400] [--value 64] [--rounds 3]
 * Under strace, `strace -c -f -e trace=msync,fsync,fdatasync npx tsx bench/pmem/put.ts` counts the syscalls.
 */
import { Command } from "commander";
import { closeSync, fdatasyncSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Heap, PHashMap } from "../../pmem/index.ts";
import { type Medium, medium, useMedium } from "../../pmem/medium.ts";

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer (got ${v})`);
  return n;
};
const opts = new Command("put")
  .option("--puts <n>", "puts per phase per round", int, 400)
  .option("--value <bytes>", "value size", int, 64)
  .option("--rounds <n>", "rounds", int, 3)
  .parse()
  .opts<{ puts: number; value: number; rounds: number }>();

/** Bytes of pages this process has dirtied (Linux charges write_bytes when a page becomes dirty). */
function writeBytes(): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
  return m ? Number(m[1]) : NaN;
}

// Count and time every msync the region makes, through the medium seam the crash tests use.
const real = medium();
let msyncs = 0;
let msyncNs = 0;
const timed: Medium = {
  ...real,
  msync(buffer, off, len) {
    const t = process.hrtime.bigint();
    real.msync(buffer, off, len);
    msyncNs += Number(process.hrtime.bigint() - t);
    msyncs++;
  },
};

const dir = mkdtempSync(join(tmpdir(), "crucial-put-"));
const flushFile = join(dir, "flush");
const fd = openSync(flushFile, "w+");
writeSync(fd, Buffer.alloc(1 << 20), 0, 1 << 20, 0);
fsyncSync(fd);
const tiny = Buffer.alloc(64, 1);
let flushNs = 0;
let flushes = 0;
/** One bare device flush: what an msync of one dirty page costs at best on this disk. */
function bareFlush(i: number): void {
  const t = process.hrtime.bigint();
  writeSync(fd, tiny, 0, 64, (i % 256) * 4096);
  fdatasyncSync(fd);
  flushNs += Number(process.hrtime.bigint() - t);
  flushes++;
}

useMedium(timed);
const heap = Heap.openSync(join(dir, "p.pmem"), { size: 64 << 20, flush: "msync" });
useMedium(null);
const value = new Uint8Array(opts.value).fill(7);
let key = 0;
for (let round = 0; round < opts.rounds; round++) {
  const map = PHashMap.create(heap, 16);
  heap.setRoot("m", map);
  for (const phase of ["insert", "replace"] as const) {
    const first = key;
    const m0 = msyncs;
    const n0 = msyncNs;
    let written = 0;
    flushNs = 0;
    flushes = 0;
    let putNs = 0;
    for (let i = 0; i < opts.puts; i++) {
      const k = phase === "insert" ? key++ : first - opts.puts + i;
      const w = writeBytes();
      const t = process.hrtime.bigint();
      map.put(`key-${k}`, value);
      putNs += Number(process.hrtime.bigint() - t);
      written += writeBytes() - w;
      if (i % 4 === 0) bareFlush(i);
    }
    const n = msyncs - m0;
    console.log(
      `round ${round} ${phase.padEnd(7)}: ${(1e9 / (putNs / opts.puts)).toFixed(0)} puts/s, ` +
        `${(putNs / opts.puts / 1e3).toFixed(0)} µs/put, ${(n / opts.puts).toFixed(2)} msyncs/put, ` +
        `${((msyncNs - n0) / n / 1e3).toFixed(0)} µs/msync, ` +
        `${(written / 4096 / opts.puts).toFixed(1)} pages dirtied/put, ` +
        `bare flush ${(flushNs / flushes / 1e3).toFixed(0)} µs → put = ${(putNs / opts.puts / (flushNs / flushes)).toFixed(2)} flushes`,
    );
  }
}
heap.close();
closeSync(fd);
rmSync(dir, { recursive: true, force: true });
