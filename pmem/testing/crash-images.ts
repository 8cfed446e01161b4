/**
 * A crash-image generator in the spirit of ALICE and CrashMonkey. A workload runs its operations on
 * a heap whose file system is a `MemoryFs`; every ordering point (msync, fsync, directory fsync) is
 * recorded with what was on media and what was dirty at that instant. After each operation, for
 * every recorded point, images are built from media plus subsets of the dirty pages, each in its
 * current or an earlier version (all combinations when few, a seeded random sample otherwise) and
 * a prefix of the pending metadata; each image is
 * opened as a fresh heap and must hold the state before or after the operation that was in flight,
 * with no error and with a sound allocator. Every random choice comes from one seed, printed on
 * failure and replayed with CRUCIAL_CRASH_SEED.
 */
import { randomInt } from "node:crypto";
import { useMedium } from "../medium.ts";
import { type CrashState, type ImageChoice, MemoryFs } from "./memory-fs.ts";

/** Environment variable that fixes the seed of every crash test. */
export const SEED_ENV = "CRUCIAL_CRASH_SEED";

/** The seed from CRUCIAL_CRASH_SEED, else a fresh random one. */
export function crashSeed(): number {
  const v = process.env[SEED_ENV];
  if (v !== undefined && v !== "") {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`${SEED_ENV} must be an integer in [0, 2^32) (got ${v})`);
    return n;
  }
  return randomInt(0x1_0000_0000 - 1);
}

/** mulberry32: small, fast and good enough to pick pages and operations reproducibly. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** The state a workload reports for an image whose region file does not exist. */
export const ABSENT = "<no region>";

/**
 * Runs one operation; the harness then checks every crash image of its ordering points. `expected`
 * is the canonical state once it is done, or a function giving it after `fn` ran (images are
 * checked after the operation, so a workload may read back what it cannot predict, such as the
 * dedup records a DSO call leaves).
 */
export type Step = (label: string, expected: string | (() => string), fn: () => void | Promise<void>) => Promise<void>;

/**
 * Cuts the power, for an operation that then restarts: the live file system becomes one crash
 * image (seeded) of this instant (`"now"`), or of one of the previous operation's ordering points
 * (`"last operation"`), and recovery will run on it with its own ordering points checked. Call it
 * first in a step's function; it resolves to which state of the previous operation the image
 * holds. The caller drops every heap and proxy it had and reopens.
 */
export type PowerFail = (from: "now" | "last operation") => Promise<"before" | "after">;

/** A sequence of operations on a heap, with an independent model of the state each one leaves. */
export interface Workload {
  readonly name: string;
  /** Path of the region file inside the memory file system. */
  readonly path: string;
  /** Runs the operations through `step`, each with the canonical state expected once it is done. */
  run(step: Step, rng: Rng, powerFail: PowerFail): Promise<void>;
  /**
   * Opens the region at `path` (the current medium is the crash image), checks the invariants
   * (free lists sound, recovered heap still usable), returns the canonical state. Throws on a violation.
   */
  observe(path: string): Promise<string>;
}

/** Limits of image generation. */
export interface CrashImageOptions {
  seed: number;
  /** An ordering point with at most this many possible images gets all of them. Default 32. */
  exhaustive?: number;
  /** Images sampled at a point with more. Default 12. */
  samples?: number;
  /** Called after each image is checked (progress bars). */
  onImage?: (checked: number) => void;
  /** Called after each operation and its images (progress bars). */
  onOperation?: (report: CrashImageReport) => void;
}

/** What a run checked. */
export interface CrashImageReport {
  workload: string;
  seed: number;
  operations: number;
  orderingPoints: number;
  images: number;
  /** Points whose every image was enumerated. */
  exhaustivePoints: number;
  /** Images that held the state after the in-flight operation (the others held the state before it). */
  imagesAfter: number;
  /** Images with at least one page in a version older than its content at the ordering point. */
  imagesWithEarlierVersions: number;
  /** Power failures the workload went through (and restarted from). */
  powerFailures: number;
}

/** Thrown at the first image that does not open or holds a state it must not. */
export class CrashImageFailure extends Error {
  override name = "CrashImageFailure";
}

/** Runs `w` and checks every crash image of every ordering point; throws `CrashImageFailure` at the first bad one. */
export async function runCrashImages(w: Workload, o: CrashImageOptions): Promise<CrashImageReport> {
  const exhaustive = o.exhaustive ?? 32;
  const samples = o.samples ?? 12;
  const rng = new Rng(o.seed);
  const pick = new Rng((o.seed ^ 0x9e37_79b9) >>> 0);
  const report: CrashImageReport = {
    workload: w.name, seed: o.seed, operations: 0, orderingPoints: 0, images: 0, exhaustivePoints: 0, imagesAfter: 0, imagesWithEarlierVersions: 0,
    powerFailures: 0,
  };
  type Point = { kind: string; state: CrashState };
  let points: Point[] = [];
  const record = (kind: string): void => {
    points.push({ kind, state: fs.crashState() });
  };
  let fs = new MemoryFs();
  fs.onSync = record;
  /** The state the last operation started from, the state it left, and its ordering points. */
  let lastBefore = ABSENT;
  let before = ABSENT;
  let lastPoints: Point[] = [];

  const fail = (label: string, where: string, msg: string): never => {
    throw new CrashImageFailure(
      `${w.name}: operation #${report.operations} "${label}", ${where}: ${msg}\n` +
        `  seed ${o.seed}; replay with ${SEED_ENV}=${o.seed}`,
    );
  };

  const checkPoints = async (label: string, after: string): Promise<void> => {
    const batch = points;
    points = [];
    lastPoints = batch;
    for (const [j, p] of batch.entries()) {
      report.orderingPoints++;
      const choices = imageChoices(p.state, exhaustive, samples, pick);
      if (choices.all) report.exhaustivePoints++;
      for (const c of choices.list) {
        const where = `ordering point ${j + 1}/${batch.length} (before ${p.kind}), image ${describe(p.state, c)}`;
        const image = MemoryFs.fromCrash(p.state, c);
        useMedium(image);
        let got: string;
        try {
          got = image.exists(w.path) ? await w.observe(w.path) : ABSENT;
        } catch (err) {
          const e = err as Error & { code?: string };
          return fail(label, where, `the image does not recover: ${e.code ? `${e.code} ` : ""}${e.message}`);
        } finally {
          useMedium(fs);
        }
        if (got !== before && got !== after) {
          const at = Math.min(firstDiff(got, before), firstDiff(got, after));
          fail(label, where, `the image holds neither the state before nor the state after the operation (compare at character ${at})\n` +
            `  before:    ${clip(before, at)}\n  after:     ${clip(after, at)}\n  recovered: ${clip(got, at)}`);
        }
        if (got === after && after !== before) report.imagesAfter++;
        if (usesEarlierVersion(p.state, c)) report.imagesWithEarlierVersions++;
        report.images++;
        o.onImage?.(report.images);
      }
    }
  };

  let label = "";
  const powerFail: PowerFail = async (from) => {
    const source = from === "last operation" && lastPoints.length > 0 ? pick.pick(lastPoints).state : fs.crashState();
    const c = pick.pick(imageChoices(source, exhaustive, samples, pick).list);
    const copy = MemoryFs.fromCrash(source, c);
    useMedium(copy);
    let got: string;
    try {
      got = copy.exists(w.path) ? await w.observe(w.path) : ABSENT;
    } finally {
      useMedium(fs);
    }
    const which = got === before ? "after" : got === lastBefore && from === "last operation" ? "before" : undefined;
    if (which === undefined) fail(label, `power failure (${from}), image ${describe(source, c)}`, "the image holds a state no operation left");
    fs = MemoryFs.fromCrash(source, c, true);
    fs.onSync = record;
    useMedium(fs);
    points = [];
    before = got;
    report.powerFailures++;
    return which!;
  };

  useMedium(fs);
  try {
    await w.run(async (l, expected, fn) => {
      label = l;
      await fn();
      report.operations++;
      const after = typeof expected === "string" ? expected : expected();
      // `before` now: the state the operation started from (after a power failure, the image's).
      await checkPoints(l, after);
      lastBefore = before;
      before = after;
      o.onOperation?.(report);
    }, rng, powerFail);
    // A crash after the last operation returned: everything it did must be there.
    points.push({ kind: "end of run", state: fs.crashState() });
    await checkPoints("(after the last operation)", before);
  } catch (err) {
    if (err instanceof CrashImageFailure) throw err;
    const e = err as Error;
    throw new CrashImageFailure(`${w.name}: operation "${label}" failed on the live heap: ${e.stack ?? e.message}\n  seed ${o.seed}; replay with ${SEED_ENV}=${o.seed}`);
  } finally {
    useMedium(null);
  }
  return report;
}

/**
 * The images of one ordering point: a prefix of the pending metadata, and for each dirty page
 * either media's content or one of the versions it had since it became dirty. All of them when
 * there are at most `exhaustive`; otherwise the two extremes (nothing written back, every page in
 * its current version) and random draws: each page written back with probability 1/2, half of
 * those in its current version, the rest in an earlier one.
 */
export function imageChoices(s: CrashState, exhaustive: number, samples: number, rng: Rng): { all: boolean; list: ImageChoice[] } {
  const pages: Array<[string, number]> = [];
  for (const [id, ino] of s.inodes) for (const [p, versions] of ino.dirty) pages.push([`${id}:${p}`, versions.length]);
  const metas = s.pending.length + 1;
  let total = metas;
  for (const [, n] of pages) total *= n + 1;
  const list: ImageChoice[] = [];
  if (total <= exhaustive) {
    // Mixed radix: digit i is 0 (not written back) or 1 + the version of page i.
    for (let m = 0; m < metas; m++) {
      const digits = pages.map(() => 0);
      for (;;) {
        list.push({ metaPrefix: m, pages: new Map(pages.flatMap(([k], i) => (digits[i]! > 0 ? [[k, digits[i]! - 1] as [string, number]] : []))) });
        let i = 0;
        while (i < pages.length && ++digits[i]! > pages[i]![1]) digits[i++] = 0;
        if (i === pages.length) break;
      }
    }
    return { all: true, list };
  }
  list.push({ metaPrefix: 0, pages: new Map() }, { metaPrefix: s.pending.length, pages: new Map(pages.map(([k, n]) => [k, n - 1])) });
  for (let k = 2; k < samples; k++) {
    const chosen = new Map<string, number>();
    for (const [key, n] of pages) if (rng.next() < 0.5) chosen.set(key, rng.next() < 0.5 ? n - 1 : rng.int(n));
    list.push({ metaPrefix: rng.int(metas), pages: chosen });
  }
  return { all: false, list };
}

function usesEarlierVersion(s: CrashState, c: ImageChoice): boolean {
  for (const [key, v] of c.pages) {
    const [id, p] = key.split(":");
    if (v < s.inodes.get(Number(id))!.dirty.get(Number(p))!.length - 1) return true;
  }
  return false;
}

function describe(s: CrashState, c: ImageChoice): string {
  let dirty = 0;
  for (const ino of s.inodes.values()) dirty += ino.dirty.size;
  const shown: string[] = [];
  let early = 0;
  for (const [key, v] of c.pages) {
    const [id, p] = key.split(":");
    const last = s.inodes.get(Number(id))!.dirty.get(Number(p))!.length - 1;
    if (v < last) early++;
    if (shown.length < 12) shown.push(v < last ? `${p}@v${v}` : p!);
  }
  return `{${c.pages.size}/${dirty} dirty pages written back [${shown.join(",")}${c.pages.size > 12 ? ",…" : ""}]` +
    `${early > 0 ? `, ${early} of them in an earlier version` : ""}, ${c.metaPrefix}/${s.pending.length} metadata ops}`;
}

/** Index of the first character where `a` and `b` differ. */
function firstDiff(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** At most ~400 characters of `s`, around `at`. */
function clip(s: string, at: number): string {
  if (s.length <= 400) return s;
  const from = Math.max(0, at - 150);
  return `${from > 0 ? "…" : ""}${s.slice(from, from + 400)}${from + 400 < s.length ? "…" : ""} (${s.length} chars)`;
}
