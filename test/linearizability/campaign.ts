/**
 * Many histories in a row against one node, then checked by the Go checker in batches. Used by the
 * mocha test (50 histories) and by bench/linearizability.ts (1,000 and more). History i runs seed
 * `base + i`; CRUCIAL_LIN_SEED sets the base, so a failing history's seed replays its calls first.
 */
import { randomInt } from 'node:crypto';
import { runHistory, type HistoryOptions, type HistoryResult } from './history.ts';
import { runChecker, type CheckReport } from './checker.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';

export interface CampaignOptions extends Omit<HistoryOptions, 'seed'> {
  histories: number;
  baseSeed: number;
  /** The checker binary (buildChecker()). */
  checker: string;
  /** Histories per checker run (default 100). */
  batch?: number;
  /** Told after each history is recorded and after each batch is checked. */
  onProgress?(recorded: number, checked: number, failed: number): void;
}

export interface CampaignResult {
  histories: HistoryResult[];
  reports: CheckReport[];
  /** Reports of non-linearizable (or undecided) histories. */
  failures: CheckReport[];
  /** Checker exit codes other than 0 and 1 (bad input), with its stderr. */
  checkerErrors: string[];
  recordMs: number;
  checkMs: number;
}

/** The base seed: CRUCIAL_LIN_SEED if set, else a random one (print it). */
export function baseSeed(): number {
  const env = process.env.CRUCIAL_LIN_SEED;
  if (env === undefined || env === '') return randomInt(0, 2 ** 32);
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`CRUCIAL_LIN_SEED must be an integer in 0..2^32-1, got ${env}`);
  return n;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  // The raw clients encode AtomicMatrix rows (Float64Array) synchronously: apache-arrow must be loaded first,
  // which nothing else in a standalone run (this test alone, bench/linearizability.ts) does.
  await loadArrow();
  const out: CampaignResult = { histories: [], reports: [], failures: [], checkerErrors: [], recordMs: 0, checkMs: 0 };
  const batch = o.batch ?? 100;
  let pending: string[] = [];
  const check = async () => {
    const t = performance.now();
    const { code, reports, stderr } = await runChecker(o.checker, pending, o.dir);
    out.checkMs += performance.now() - t;
    if (code > 1 || reports.length !== pending.length) out.checkerErrors.push(`exit ${code}, ${reports.length}/${pending.length} reports: ${stderr.trim()}`);
    out.reports.push(...reports);
    out.failures.push(...reports.filter((r) => !r.ok));
    pending = [];
    o.onProgress?.(out.histories.length, out.reports.length, out.failures.length);
  };
  for (let i = 0; i < o.histories; i++) {
    const t = performance.now();
    const h = await runHistory({ ...o, seed: (o.baseSeed + i) % 2 ** 32 });
    out.recordMs += performance.now() - t;
    out.histories.push(h);
    pending.push(h.file);
    o.onProgress?.(out.histories.length, out.reports.length, out.failures.length);
    if (pending.length >= batch) await check();
  }
  if (pending.length > 0) await check();
  return out;
}

/** A failure as one paragraph: seed, why, the visualization and how to replay it. */
export function describeFailure(f: CheckReport): string {
  return `history seed ${f.seed}: ${f.failed} ${f.result}; visualization ${f.viz ?? '(none)'}; history ${f.file}; `
    + `replay its calls with CRUCIAL_LIN_SEED=${f.seed}`;
}
