/**
 * The Santa Claus problem in three flavours, as in the seed's Table 3: entities as plain async
 * tasks with in-process objects ("threads"), the same tasks with the groups and gates on the DSO
 * node ("threads + DSO"), and every entity a cloud thread ("crucial"). Prints p50/p99 completion
 * time of each over `--runs` runs and the overhead against the first.
 *
 *   npx tsx examples/santa/main.ts --runs 5 --deliveries 15
 */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { ServerlessExecutorService, shutdown } from 'crucial';
import { DEFAULT_CONFIG, elf, reindeer, runCast, santa, type SantaConfig, type SantaReport } from './entities.ts';
import { dsoKit, localKit, type Kit } from './sync.ts';
import { SantaEntity } from './tasks.ts';
import { isMain, nonNegative, positiveInt } from '../lib/cli.ts';
import { percentile } from '../lib/stats.ts';

export const FLAVOURS = ['threads', 'threads+dso', 'crucial'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export interface FlavourResult {
  flavour: Flavour;
  /** Completion time of each timed run, seconds. */
  seconds: number[];
  p50: number;
  p99: number;
  /** p50 overhead against the plain-threads flavour, percent (0 for it). */
  overheadPct: number;
  /** Santa's report of each timed run. */
  reports: SantaReport[];
}

/** Runs the cast once in `flavour`; resolves to Santa's report and the completion time. */
export async function runOnce(flavour: Flavour, cfg: SantaConfig, executor?: ServerlessExecutorService): Promise<{ report: SantaReport; seconds: number }> {
  const prefix = `santa.${flavour}.${randomBytes(6).toString('hex')}`;
  const start = performance.now();
  let report: SantaReport;
  if (flavour === 'crucial') {
    const se = executor ?? new ServerlessExecutorService();
    report = await runCast(cfg, (role, id) => se.submit(new SantaEntity(role, id, prefix, cfg)).get());
  } else {
    const kit: Kit = flavour === 'threads' ? localKit() : dsoKit(prefix);
    report = await runCast(cfg, (role) => (role === 'santa' ? santa(kit, cfg) : role === 'elf' ? elf(kit, cfg) : reindeer(kit, cfg)));
  }
  return { report, seconds: (performance.now() - start) / 1000 };
}

/** Problems with a report: wrong number of deliveries, or a group of the wrong size. */
export function checkReport(report: SantaReport, cfg: SantaConfig): string[] {
  const errors: string[] = [];
  if (report.deliveries !== cfg.deliveries) errors.push(`${report.deliveries} deliveries, expected ${cfg.deliveries}`);
  const badR = report.reindeerGroups.filter((n) => n !== cfg.reindeer);
  if (badR.length) errors.push(`reindeer groups of sizes ${badR.join(',')}, expected ${cfg.reindeer}`);
  const badE = report.elfGroups.filter((n) => n !== cfg.elfGroup);
  if (badE.length) errors.push(`elf groups of sizes ${badE.join(',')}, expected ${cfg.elfGroup}`);
  return errors;
}

/** Runs each flavour `warmup` times untimed, then `runs` times timed. */
export async function compareFlavours(cfg: SantaConfig, runs: number, warmup = 1, flavours: readonly Flavour[] = FLAVOURS): Promise<FlavourResult[]> {
  const se = new ServerlessExecutorService();
  const results: FlavourResult[] = [];
  for (const flavour of flavours) {
    for (let i = 0; i < warmup; i++) await runOnce(flavour, cfg, se);
    const seconds: number[] = [];
    const reports: SantaReport[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await runOnce(flavour, cfg, se);
      const errors = checkReport(r.report, cfg);
      if (errors.length) throw new Error(`${flavour} run ${i}: ${errors.join('; ')}`);
      seconds.push(r.seconds);
      reports.push(r.report);
    }
    results.push({ flavour, seconds, p50: percentile(seconds, 50), p99: percentile(seconds, 99), overheadPct: 0, reports });
  }
  se.shutdown();
  const base = results[0]!.p50;
  for (const r of results) r.overheadPct = ((r.p50 - base) / base) * 100;
  return results;
}

/** The Table 3 layout: one column per flavour. */
export function formatTable(results: FlavourResult[]): string {
  const head = ['', ...results.map((r) => r.flavour)];
  const rows = [
    head,
    ['p50 (s)', ...results.map((r) => r.p50.toFixed(3))],
    ['p99 (s)', ...results.map((r) => r.p99.toFixed(3))],
    ['overhead', ...results.map((r, i) => (i === 0 ? '—' : `${r.overheadPct.toFixed(1)}%`))],
  ];
  const widths = head.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const d = DEFAULT_CONFIG;
  const opts = new Command('santa')
    .description('Santa Claus problem: plain threads vs threads + DSO objects vs cloud threads (seed §3.4.3, Table 3)')
    .option('-r, --runs <n>', 'timed runs per flavour', positiveInt, 5)
    .option('--warmup <n>', 'untimed runs per flavour first', (v) => Math.floor(nonNegative(v)), 1)
    .option('-d, --deliveries <n>', 'deliveries (epochs) per run', positiveInt, d.deliveries)
    .option('--elves <n>', 'number of elves', positiveInt, d.elves)
    .option('--reindeer <n>', 'number of reindeer', positiveInt, d.reindeer)
    .option('--elf-group <n>', 'elves per consultation', positiveInt, d.elfGroup)
    .option('--vacation-ms <ms>', 'max reindeer holiday between deliveries', nonNegative, d.vacationMs)
    .option('--elf-work-ms <ms>', 'max elf work before needing help', nonNegative, d.elfWorkMs)
    .option('--deliver-ms <ms>', 'duration of a delivery', nonNegative, d.deliverMs)
    .option('--consult-ms <ms>', 'duration of a consultation', nonNegative, d.consultMs)
    .parse()
    .opts<SantaConfig & { runs: number; warmup: number }>();
  const cfg: SantaConfig = {
    elves: opts.elves, reindeer: opts.reindeer, deliveries: opts.deliveries, elfGroup: opts.elfGroup,
    elfWorkMs: opts.elfWorkMs, vacationMs: opts.vacationMs, deliverMs: opts.deliverMs, consultMs: opts.consultMs,
  };
  if (cfg.elves < cfg.elfGroup) throw new Error(`--elves (${cfg.elves}) must be at least --elf-group (${cfg.elfGroup})`);
  try {
    console.log(`Santa Claus: ${cfg.elves} elves, ${cfg.reindeer} reindeer, ${cfg.deliveries} deliveries; ${opts.runs} timed runs per flavour after ${opts.warmup} warm-up`);
    const results = await compareFlavours(cfg, opts.runs, opts.warmup);
    console.log(formatTable(results));
    const consults = results.map((r) => r.reports.reduce((n, rep) => n + rep.elfGroups.length, 0) / r.reports.length);
    console.log(`every run: ${cfg.deliveries} deliveries by groups of ${cfg.reindeer} reindeer; elf consultations per run (mean): ${results.map((r, i) => `${r.flavour} ${consults[i]!.toFixed(1)}`).join(', ')}`);
  } finally {
    await shutdown();
  }
}

if (isMain(import.meta.url)) await main();
