/**
 * scikit-learn as the oracle of the random forest quality test: the datasets made by
 * scripts/ml/datasets.py in a fresh temp folder (the split both libraries use), scikit-learn's
 * forests on them from test/ml/fixtures/forest_reference.py, and average precision computed the
 * way `sklearn.metrics.average_precision_score` does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

/** One scikit-learn fit's figures (and, at the top of a case, their means over seeds). */
export interface ForestRun {
  accuracy: number;
  /** scikit-learn's `oob_score_` (rows never out of bag count as class 0). */
  oobScore: number;
  /** OOB accuracy over rows out of bag at least once (crucial's `meta.oobScore`). */
  oobVoted: number;
  oobRows: number;
  /** Average precision of the positive class on the test split (binary sets). */
  ap?: number;
  seconds: number;
}

/** A case's mean figures, the runs behind them, and seed 0's test probabilities (binary). */
export interface ForestCase extends ForestRun {
  runs: ForestRun[];
  proba0?: number[];
}

/** The temp folder with the datasets and scikit-learn's results; `cleanup` removes it. */
export interface ForestFixture {
  dir: string;
  sklearn: string;
  cases: Record<string, ForestCase>;
  cleanup(): Promise<void>;
}

/**
 * Makes breast_cancer, digits and imbalanced (`imbalancedRows` rows, 1 % positives) and fits
 * scikit-learn's forests for `cases` (`name:n_estimators:max_features:criterion:class_weight`).
 */
export async function forestFixture(opts: { cases: string[]; imbalancedRows: number; seeds: number }): Promise<ForestFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'crucial-ml-forest-'));
  const py = process.env.CRUCIAL_PYTHON ?? 'python3';
  try {
    await run(py, [join(ROOT, 'scripts/ml/datasets.py'), '--out', dir, '--datasets', 'breast_cancer,digits,imbalanced', '--imbalanced-rows', String(opts.imbalancedRows), '--json'], { timeout: 120_000 });
    const { stdout } = await run(py, [join(ROOT, 'test/ml/fixtures/forest_reference.py'), '--data', dir, '--cases', opts.cases.join(','), '--seeds', String(opts.seeds)], { timeout: 900_000, maxBuffer: 16 << 20 });
    const out = JSON.parse(stdout) as { sklearn: string; cases: Record<string, ForestCase> };
    return { dir, sklearn: out.sklearn, cases: out.cases, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Average precision as scikit-learn defines it: Σ (R_n − R_{n−1}) · P_n over the distinct score
 * thresholds taken in decreasing order (tied scores form one threshold).
 */
export function averagePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let P = 0;
  for (let i = 0; i < n; i++) if (positive[i]) P++;
  if (P === 0) throw new Error('average precision needs at least one positive');
  let tp = 0, fp = 0, prevRecall = 0, ap = 0;
  for (let i = 0; i < n; i++) {
    if (positive[order[i]!]) tp++;
    else fp++;
    if (i + 1 < n && scores[order[i + 1]!] === scores[order[i]!]) continue;
    const recall = tp / P;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}
