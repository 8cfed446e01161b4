/**
 * The logistic-regression cloud thread: load its partition once, send its labels, then evaluate
 * the loss and gradient at each point the node's L-BFGS asks for and report them in one call,
 * which parks until every partition has reported and answers the next point. No state across
 * evaluations besides its rows, so a retried thread rejoins at the node's current evaluation.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { Serializable } from '../../core/threads/serializable.ts';
import type { PartitionSource } from '../kmeans/source.ts';
import { loadKernelPartitions, type KernelPartition } from '../kernels/load.ts';
import { lossAndGradientRows, paramCount } from './loss.ts';
import type { LocalLogRegParams, LogRegRounds } from './local.ts';
import { LogRegState, type LogRegResult, type LogRegRound } from './state.ts';

/** Where a task is in an evaluation, for {@link LogRegTask.checkpoint}: 'while-parked' = report sent, reply not in. */
export type LogRegStage = 'before-report' | 'while-parked' | 'after-report';

/** What a logistic-regression cloud thread returns. */
export interface LogRegTaskResult {
  part: number;
  rows: number;
  /** Evaluations done. */
  evaluations: number;
  /** A one-partition fit's outcome (its optimiser ran in the thread). */
  result?: LogRegResult;
}

/** One partition's logistic-regression cloud thread. */
@Serializable()
export class LogRegTask {
  /**
   * @param stateKey key of the fit's `ml.LogRegState`
   * @param part partition index
   * @param source the partition's rows (with labels)
   * @param d features
   * @param fitIntercept whether the parameters end with intercepts
   * @param local set for a one-partition fit: the optimiser runs in this thread (ml/logreg/local.ts)
   *   with these parameters, over the partitions `local.sources` a split fit would have had
   */
  constructor(
    public stateKey: string,
    public part: number,
    public source: PartitionSource,
    public d: number,
    public fitIntercept: boolean,
    public local: LocalLogRegParams | null = null,
  ) {}

  async call(): Promise<LogRegTaskResult> {
    // A one-partition fit evaluates every partition a split fit would have (same rows, same
    // kernels) and hands them to the node's logic in partition order: the same sums, bit for bit.
    const sources = this.local?.sources ?? [this.source];
    const ids = this.local ? sources.map((_, q) => q) : [this.part];
    // Straight into the kernels' layout (WebAssembly SIMD when available); every evaluation reads only these.
    const parts: Array<KernelPartition & { y: Float64Array }> = [];
    for (const p of await loadKernelPartitions(sources, this.d)) {
      if (!p.y) throw new BadArgumentError('logistic regression needs labels: the data has no label column');
      parts.push(p as KernelPartition & { y: Float64Array });
    }
    const localState = this.local ? new (await localModule()).LocalLogReg(this.stateKey, this.d, this.fitIntercept, sources.length, this.local) : null;
    const state: LogRegRounds = localState ?? new LogRegState(this.stateKey);
    let round: LogRegRound = await last(parts.map((p, q) => state.init(ids[q]!, distinct(p.y, p.nRows), p.nRows)));
    const index = new Map<number, number>();
    round.classes.forEach((c, i) => index.set(c, i));
    const yIdxs = parts.map(({ y, nRows }) => {
      const yIdx = new Int32Array(nRows);
      for (let i = 0; i < nRows; i++) {
        const c = index.get(y[i]!)!;
        // Binary loss: 1 for the positive class (classes[1], scikit-learn's convention).
        yIdx[i] = round.r === 1 ? (c === 1 ? 1 : 0) : c;
      }
      return yIdx;
    });
    const layout = { d: this.d, r: round.r, fitIntercept: this.fitIntercept };
    while (!round.done) {
      const x = round.x;
      const evals = parts.map((p, q) => {
        const grad = new Float64Array(paramCount(layout));
        return { loss: lossAndGradientRows(p.rows, yIdxs[q]!, layout, x, grad), grad };
      });
      const evaluation = round.evaluation;
      await this.checkpoint('before-report', evaluation);
      const reply = last(evals.map((e, q) => state.report(evaluation, ids[q]!, e.loss, e.grad)));
      reply.catch(() => undefined); // awaited below, unless a checkpoint throws first
      await this.checkpoint('while-parked', evaluation);
      round = await reply;
      await this.checkpoint('after-report', evaluation);
    }
    const nRows = parts.reduce((n, p) => n + p.nRows, 0);
    return { part: this.part, rows: nRows, evaluations: round.evaluation, ...(localState ? { result: localState.result() } : {}) };
  }

  /** A hook between the steps of an evaluation; a no-op here (fault-injection tests override it). */
  protected checkpoint(_stage: LogRegStage, _evaluation: number): void | Promise<void> {}
}

/** The distinct values of y[0..n), as a Float64Array. */
function distinct(y: Float64Array, n: number): Float64Array {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new BadArgumentError(`labels must be finite numbers, got ${v}`);
    s.add(v);
  }
  return Float64Array.from(s);
}

let local: Promise<typeof import('./local.ts')> | undefined;
/** ml/logreg/local.ts, imported once per thread (see ml/data/lazy.ts: a repeated dynamic import still costs a resolve). */
function localModule(): Promise<typeof import('./local.ts')> {
  local ??= import('./local.ts');
  return local;
}

/** The last partition's answer: the one that closes the step (the others resolve with the same round). */
async function last<T>(replies: Promise<T>[]): Promise<T> {
  replies.forEach((r) => r.catch(() => undefined));
  const all = await Promise.all(replies);
  return all[all.length - 1]!;
}
