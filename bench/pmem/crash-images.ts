/**
 * The full crash-image campaign (issue 9 §1, issue 14): the heap's operations and the DSO's
 * persistence strategies, every ordering point's crash images (media + subsets of the dirty pages,
 * each in its current or an earlier version, + a prefix of the pending metadata) opened and checked. The mocha test runs ~1,500 images; this
 * runs ≥ 10,000 by default and exits 1 at the first bad image, naming the seed.
 *
 *   npx tsx bench/pmem/crash-images.ts [--heap-ops 900] [--dso-ops 300] [--seed N] [--exhaustive 32] [--samples 12] [--min-images 10000]
 */
import { Command } from "commander";
import { createRequire } from "node:module";
import {
  type CrashImageReport, CrashImageFailure, crashSeed, runCrashImages, SEED_ENV, type Workload,
} from "../../pmem/testing/crash-images.ts";
import { dsoWorkload } from "../../test/pmem/crash-images/dso-workload.ts";
import { heapWorkload } from "../../test/pmem/crash-images/heap-workload.ts";

// cli-progress ships no types (and @types/cli-progress is not installed): the part used here.
interface Bar { start(total: number, value: number, payload?: object): void; update(value: number, payload?: object): void; stop(): void }
const { SingleBar, Presets } = createRequire(import.meta.url)("cli-progress") as {
  SingleBar: new (options: object, preset: object) => Bar;
  Presets: { shades_classic: object };
};

const count = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got ${v})`);
  return n;
};
const opts = new Command("crash-images")
  .description("crash images of heap operations and DSO persistence strategies: each must open and hold the state before or after the operation in flight")
  .option("--heap-ops <n>", "random heap operations (after creating the heap and its roots)", count("heap-ops"), 900)
  .option("--dso-ops <n>", "random DSO calls, creations, removals and restarts", count("dso-ops"), 300)
  .option("--seed <n>", `seed of operations and image choices; default ${SEED_ENV} or random`, count("seed"))
  .option("--exhaustive <n>", "an ordering point with at most this many images gets all of them", count("exhaustive"), 32)
  .option("--samples <n>", "images drawn at an ordering point with more", count("samples"), 12)
  .option("--min-images <n>", "fail when fewer images were checked", count("min-images"), 10_000)
  .parse()
  .opts<{ heapOps: number; dsoOps: number; seed?: number; exhaustive: number; samples: number; minImages: number }>();

const seed = opts.seed ?? crashSeed();
console.log(`seed ${seed} (replay with --seed ${seed} or ${SEED_ENV}=${seed})`);
const workloads: Array<[Workload, number]> = [[heapWorkload(opts.heapOps), opts.heapOps + 9], [dsoWorkload(opts.dsoOps), opts.dsoOps + 3]];
const reports: CrashImageReport[] = [];
const t0 = performance.now();
let failed = false;
for (const [w, ops] of workloads) {
  const bar = new SingleBar({ format: `${w.name.padEnd(4)} {bar} {value}/{total} operations, {images} images | {duration_formatted}` }, Presets.shades_classic);
  bar.start(ops, 0, { images: 0 });
  try {
    const r = await runCrashImages(w, {
      seed, exhaustive: opts.exhaustive, samples: opts.samples,
      onOperation: (p) => bar.update(p.operations, { images: p.images }),
    });
    bar.update(r.operations, { images: r.images });
    bar.stop();
    reports.push(r);
  } catch (err) {
    bar.stop();
    if (!(err instanceof CrashImageFailure)) throw err;
    console.log(`FAIL ${err.message}`);
    failed = true;
    break;
  }
}
const secs = (performance.now() - t0) / 1000;
for (const r of reports) {
  console.log(`${r.workload}: ${r.operations} operations, ${r.orderingPoints} ordering points (${r.exhaustivePoints} enumerated exhaustively), ` +
    `${r.images} images (${r.imagesAfter} with the in-flight operation applied, ${r.images - r.imagesAfter} without; ` +
    `${r.imagesWithEarlierVersions} with a page in an earlier version), ${r.powerFailures} power failures restarted from, 0 failures`);
}
const images = reports.reduce((n, r) => n + r.images, 0);
console.log(`total: ${images} crash images checked in ${secs.toFixed(1)} s, seed ${seed}${failed ? ", FAILED" : ""}`);
if (!failed && images < opts.minImages) {
  console.log(`FAIL only ${images} images, fewer than --min-images ${opts.minImages}`);
  failed = true;
}
process.exitCode = failed ? 1 : 0;
