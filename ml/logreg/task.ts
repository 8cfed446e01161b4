/**
 * The logistic-regression cloud thread: load its partition once, send its labels, then evaluate
 * the loss and gradient at each point the node's L-BFGS asks for and report them in one call,
 * which parks until every partition has reported and answers the next point. No state across
 * evaluations besides its rows, so a retried thread rejoins at the node's current evaluation.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { Serializable } from '../../core/threads/serializable.ts';
import type { PartitionSource } from '../kmeans/source.ts';
import { kernelRows, readPartitions, type PartitionData } from '../kernels/load.ts';
import { createLogisticRows, createLogisticRowsFromMatrix, type LogisticRows } from '../kernels/logistic.ts';
import type { Rows } from '../kernels/rows.ts';
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
    const parts: Array<PartitionData & { y: Float64Array }> = [];
    for (const p of await readPartitions(sources, this.d)) {
      if (!p.y) throw new BadArgumentError('logistic regression needs labels: the data has no label column');
      parts.push(p as PartitionData & { y: Float64Array });
    }
    const localState = this.local ? new (await localModule()).LocalLogReg(this.stateKey, this.d, this.fitIntercept, sources.length, this.local) : null;
    const state: LogRegRounds = localState ?? new LogRegState(this.stateKey);
    let round: LogRegRound = await last(parts.map((p, q) => state.init(ids[q]!, distinct(p.y, p.nRows), p.nRows)));
    const d = this.d, fitIntercept = this.fitIntercept;
    const layout = { d, r: round.r, fitIntercept };
    // Straight into the kernels' layout (WebAssembly SIMD when available); every evaluation reads only
    // these. Binary: one pass for the margins, loss and gradient (ml/kernels/logistic.ts).
    // Their memory serves the next fit of this thread once released (ml/kernels: Rows.release).
    const held: Array<{ release(): void }> = [];
    const evaluators = parts.map((p): ((x: Float64Array, grad: Float64Array) => number) => {
      if (round.r === 1) {
        // 1 for the positive class (classes[1], scikit-learn's convention).
        const pos = round.classes[1]!, y01 = new Float64Array(p.nRows);
        for (let i = 0; i < p.nRows; i++) y01[i] = p.y[i] === pos ? 1 : 0;
        const rows: LogisticRows = p.slices ? createLogisticRows(p.slices, p.nRows, d, y01) : createLogisticRowsFromMatrix(p.X!, p.nRows, d, y01);
        held.push(rows);
        return (x, grad) => rows.pass(x, fitIntercept ? x[d]! : 0, grad, fitIntercept);
      }
      const yIdx = classIndexes(p.y, p.nRows, round.classes);
      const rows: Rows = kernelRows(p, d);
      held.push(rows);
      return (x, grad) => lossAndGradientRows(rows, yIdx, layout, x, grad);
    });
    const rowCount = parts.reduce((n, p) => n + p.nRows, 0);
    parts.length = 0; // the read batches are no longer needed
    try {
      while (!round.done) {
        const x = round.x;
        const evals = evaluators.map((run) => {
          const grad = new Float64Array(paramCount(layout));
          return { loss: run(x, grad), grad };
        });
        const evaluation = round.evaluation;
        await this.checkpoint('before-report', evaluation);
        const reply = last(evals.map((e, q) => state.report(evaluation, ids[q]!, e.loss, e.grad)));
        reply.catch(() => undefined); // awaited below, unless a checkpoint throws first
        await this.checkpoint('while-parked', evaluation);
        round = await reply;
        await this.checkpoint('after-report', evaluation);
      }
    } finally {
      for (const r of held) r.release();
    }
    return { part: this.part, rows: rowCount, evaluations: round.evaluation, ...(localState ? { result: localState.result() } : {}) };
  }

  /** A hook between the steps of an evaluation; a no-op here (fault-injection tests override it). */
  protected checkpoint(_stage: LogRegStage, _evaluation: number): void | Promise<void> {}
}

/** The distinct values of y[0..n), as a Float64Array (a few classes: a short list, not a Set per row). */
function distinct(y: Float64Array, n: number): Float64Array {
  const seen: number[] = [];
  // The last two distinct values seen: with two classes every row is one of them.
  let a = NaN, b = NaN;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v === a || v === b) continue;
    if (!Number.isFinite(v)) throw new BadArgumentError(`labels must be finite numbers, got ${v}`);
    if (!seen.includes(v)) {
      seen.push(v);
      if (seen.length > 64) return distinctMany(y, n);
    }
    b = a; a = v;
  }
  return Float64Array.from(seen);
}

function distinctMany(y: Float64Array, n: number): Float64Array {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new BadArgumentError(`labels must be finite numbers, got ${v}`);
    s.add(v);
  }
  return Float64Array.from(s);
}

/** Each row's index in the sorted `classes` (every label is one of them: the node made them from the labels). */
function classIndexes(y: Float64Array, n: number, classes: Float64Array): Int32Array {
  const index = new Map<number, number>();
  classes.forEach((c, i) => index.set(c, i));
  const out = new Int32Array(n);
  let last = NaN, at = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v !== last) { last = v; at = index.get(v)!; }
    out[i] = at;
  }
  return out;
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
