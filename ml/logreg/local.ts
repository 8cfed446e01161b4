/**
 * A one-partition logistic-regression fit (ml/kmeans/run-tasks.ts `partitionCount`) runs the node's
 * `ml.LogRegState` logic (the L2 objective and L-BFGS) inside its one cloud thread, called directly
 * instead of through the node: no barrier round per evaluation. With one partition the node would
 * have added the same single report, so the points evaluated are the ones of a fit through the
 * node. The node object only mirrors the progress and carries a cancel (ml/kmeans/ticker.ts).
 */
import type { PartitionSource } from '../kmeans/source.ts';
import { Ticker } from '../kmeans/ticker.ts';
import { LogRegState as LogRegCore, type LogRegProgress, type LogRegResult, type LogRegRound } from './node/logreg-state.ts';
import { LogRegState } from './state.ts';

/** What the logistic-regression cloud thread needs of its shared state: the node's proxy, or this. */
export interface LogRegRounds {
  init(part: number, labels: Float64Array, rows: number): Promise<LogRegRound>;
  report(evaluation: number, part: number, loss: number, grad: Float64Array): Promise<LogRegRound>;
}

/** Hyper-parameters the thread needs to run the optimiser itself, and the partitions it evaluates. */
export interface LocalLogRegParams { C: number; maxIter: number; tol: number; multinomial: boolean; sources: PartitionSource[]; watch?: boolean }

/** The shared state of a one-partition fit, kept in the cloud thread. */
export class LocalLogReg implements LogRegRounds {
  private readonly core: LogRegCore;
  /** Null when nobody follows the fit or can cancel it: then the thread never calls the node. */
  private readonly ticker: Ticker | null;

  /** @param stateKey the fit's node object (progress and cancel only) */
  constructor(stateKey: string, d: number, fitIntercept: boolean, parts: number, p: LocalLogRegParams) {
    this.core = new LogRegCore(d, parts, p.C, p.maxIter, p.tol, p.multinomial, fitIntercept);
    const remote = new LogRegState(stateKey);
    this.ticker = p.watch === false ? null : new Ticker((it, loss, done) => remote.tick(it, loss, done));
  }

  /** Partition `part`'s labels; the last one starts the optimiser (or throws, e.g. a single class). */
  async init(part: number, labels: Float64Array, rows: number): Promise<LogRegRound> {
    return this.core.init(part, labels, rows);
  }

  /** Partition `part`'s loss and gradient; the last one closes the evaluation (progress to the node, which may say the fit was cancelled). */
  async report(evaluation: number, part: number, loss: number, grad: Float64Array): Promise<LogRegRound> {
    const answer = this.core.report(evaluation, part, loss, grad);
    if (answer instanceof Promise || !this.ticker) return answer;
    const round = answer;
    const p = this.core.progress(-1) as LogRegProgress;
    if (round.done) await this.ticker.finish(p.iteration, p.loss);
    else await this.ticker.tick(p.iteration, p.loss);
    return round;
  }

  /** The fitted parameters, once done. */
  result(): LogRegResult { return this.core.result(); }
}
