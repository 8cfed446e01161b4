/**
 * Power failure at any instant, by crash images (pmem/testing/crash-images.ts): every ordering
 * point of a workload is recorded on an in-memory model of page cache and media, and the images a
 * crash there could leave (media + subsets of the dirty pages + a prefix of the pending metadata)
 * must each open, hold the state before or after the operation in flight, and have sound free
 * lists. The seed is random unless CRUCIAL_CRASH_SEED is set, and is printed with any failure.
 * CI runs a few hundred operations; `npx tsx bench/pmem/crash-images.ts` runs the full campaign.
 */
import assert from "node:assert/strict";
import { crashSeed, runCrashImages, type CrashImageReport } from "../../pmem/testing/crash-images.ts";
import { dsoWorkload } from "./crash-images/dso-workload.ts";
import { heapWorkload } from "./crash-images/heap-workload.ts";

const CI = process.env.CI === "true";

describe("pmem crash images", function () {
  this.timeout(120_000);
  const seed = crashSeed();
  const reports: CrashImageReport[] = [];
  after(() => {
    const images = reports.reduce((n, r) => n + r.images, 0);
    console.log(`      crash images: ${images} checked over ${reports.length} workloads (seed ${seed}; replay with CRUCIAL_CRASH_SEED=${seed})`);
  });

  it("crash images - creating a heap and rooting its first objects: every image opens empty or holds the roots made so far", async () => {
    const r = await runCrashImages(heapWorkload(0), { seed, exhaustive: 64 });
    reports.push(r);
    assert.ok(r.images >= 50, `only ${r.images} images`);
  });

  it("crash images - heap operations (maps, atomic blocks, arrays, objects, frees, reopen, power failures and recovery): every image recovers to the state before or after the operation", async () => {
    const r = await runCrashImages(heapWorkload(CI ? 60 : 120), { seed });
    reports.push(r);
    assert.ok(r.images >= 300, `only ${r.images} images`);
    assert.ok(r.imagesAfter > 0 && r.imagesAfter < r.images, "images hold both the state before and after operations");
    assert.ok(r.powerFailures >= 1, "the run restarted from a power failure (recovery's own ordering points under crash images)");
  });

  it("crash images - DSO persistence strategies (scalars, map/list entries, matrix in place, snapshots, modules, dedup records, restarts, power failures): every image restarts to the state before or after the call", async () => {
    const r = await runCrashImages(dsoWorkload(CI ? 40 : 80), { seed });
    reports.push(r);
    assert.ok(r.images >= 300, `only ${r.images} images`);
    assert.ok(r.imagesAfter > 0 && r.imagesAfter < r.images, "images hold both the state before and after calls");
    assert.ok(r.powerFailures >= 1, "the node restarted from a power failure");
  });

  it("crash images - together at least 500 images", () => {
    const images = reports.reduce((n, r) => n + r.images, 0);
    assert.ok(images >= 500, `${images} images`);
  });
});
