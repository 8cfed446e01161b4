/**
 * `ml.LogRegState`, node side: full-batch L-BFGS for L2 logistic regression whose loss and gradient
 * are summed on the node. Each cloud thread evaluates its partition at the round's point and
 * reports (loss sum, gradient sum) in one call, which parks until every partition has reported that
 * evaluation; the node then adds the L2 term, advances the optimiser (ml/logreg/lbfgs.ts, driven
 * as a generator) and answers every caller with the next point to evaluate.
 *
 * The objective is scikit-learn's (lbfgs solver), scaled by 1/n as it does:
 * (1/n) Σ logloss + ‖coef‖² / (2·C·n), the intercept not penalised — the optimum of C·Σ logloss +
 * ½‖coef‖². Classes come from the partitions at init (the sorted union of their labels).
 *
 * Restarts: reports are merged once per (evaluation, partition), and a report for a closed
 * evaluation answers the current round, so a retried cloud thread rejoins where the fit is.
 * Helpers start with `_`: the node calls only the other methods.
 */
import { BadArgumentError, IllegalStateError } from '../../../core/protocol/errors.ts';
import { arg } from '../../../dso/registry.ts';
import { chargeBytes } from '../../../dso/limits.ts';
import { vector } from '../../../dso/objects/values.ts';
import { WaitQueue } from '../../../dso/objects/waiters.ts';
import { lbfgs, type Evaluation, type LbfgsResult } from '../lbfgs.ts';
import { paramCount, type ParamLayout } from '../loss.ts';

/** What a cloud thread gets back: the point to evaluate next. */
export interface LogRegRound {
  /** Evaluation index (0-based). */
  evaluation: number;
  /** Parameters: coef (r·d) then intercept (r, with fitIntercept). */
  x: Float64Array;
  /** The sorted class values. */
  classes: Float64Array;
  /** Rows of coef: 1 (binary) or the number of classes. */
  r: number;
  done: boolean;
}

/** Progress: L-BFGS iterations done and the objective. */
export interface LogRegProgress {
  iteration: number;
  loss: number;
  done: boolean;
}

/** The outcome. */
export interface LogRegResult {
  x: Float64Array;
  classes: Float64Array;
  r: number;
  /** Objective after each iteration, the starting point first. */
  lossHistory: number[];
  nIter: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

export class LogRegState {
  private readonly d: number;
  private readonly parts: number;
  private readonly C: number;
  private readonly maxIter: number;
  private readonly tol: number;
  private readonly multinomial: boolean;
  private readonly fitIntercept: boolean;

  private readonly labels: (Float64Array | null)[];
  private inited = 0;
  private nRows = 0;
  private layout: ParamLayout | null = null;
  private classes = new Float64Array(0);
  private opt: Generator<Float64Array, LbfgsResult, Evaluation> | null = null;
  private point: Float64Array = new Float64Array(0);
  private evaluation = 0;
  private loss = 0;
  private grad = new Float64Array(0);
  /** This evaluation's reports by partition, added in partition order (reproducible sums, see ml.KMeansState). */
  private readonly reports: ({ loss: number; grad: Float64Array } | null)[];
  private readonly reported = new Set<number>();
  private readonly lossHistory: number[] = [];
  private outcome: LbfgsResult | null = null;
  private round: LogRegRound | null = null;
  private aborted: Error | null = null;
  /** A one-partition fit's progress, as its thread reported it (`tick`). */
  private mirror: LogRegProgress | null = null;

  private readonly roundWaiters = new WaitQueue<LogRegRound>();
  private readonly progressWaiters = new WaitQueue<LogRegProgress>();

  /**
   * @param d features; @param parts partitions; @param C inverse regularisation strength;
   * @param maxIter L-BFGS iterations; @param tol gradient tolerance (max |g|);
   * @param multinomial softmax even for two classes; @param fitIntercept learn an intercept
   */
  constructor(d: unknown, parts: unknown, C: unknown, maxIter: unknown, tol: unknown, multinomial: unknown, fitIntercept: unknown) {
    this.d = arg.positiveInt(d, 'ml.LogRegState(d)');
    this.parts = arg.positiveInt(parts, 'ml.LogRegState(parts)');
    this.C = arg.number(C, 'ml.LogRegState(C)');
    if (!(this.C > 0) || !Number.isFinite(this.C)) throw new BadArgumentError('ml.LogRegState(C) must be a finite number > 0');
    this.maxIter = arg.positiveInt(maxIter, 'ml.LogRegState(maxIter)');
    this.tol = arg.number(tol, 'ml.LogRegState(tol)');
    if (!(this.tol >= 0)) throw new BadArgumentError('ml.LogRegState(tol) must be >= 0');
    this.multinomial = arg.bool(multinomial, 'ml.LogRegState(multinomial)');
    this.fitIntercept = arg.bool(fitIntercept, 'ml.LogRegState(fitIntercept)');
    this.labels = new Array(this.parts).fill(null);
    this.reports = new Array(this.parts).fill(null);
  }

  /**
   * A partition's distinct labels and row count; parks until every partition has sent its own and
   * answers the first round (at once, with the current round, after init).
   */
  init(part: unknown, labels: unknown, rows: unknown): LogRegRound | Promise<LogRegRound> {
    this._checkLive();
    const p = this._part(part, 'init(part)');
    if (this.round) return this.round;
    if (this.labels[p] === null) {
      const l = vector(labels, 'init(labels)');
      this.labels[p] = Float64Array.from(l);
      this.nRows += arg.int(rows, 'init(rows)');
      if (++this.inited === this.parts) this._start();
      this._checkLive();
      if (this.round) return this.round;
    }
    return this.roundWaiters.wait(undefined, 'ml.LogRegState.init');
  }

  /** A partition's Σ loss and Σ gradient at round `evaluation`'s point; parks until the next round. */
  report(evaluation: unknown, part: unknown, loss: unknown, grad: unknown): LogRegRound | Promise<LogRegRound> {
    this._checkLive();
    const ev = arg.int(evaluation, 'report(evaluation)');
    const p = this._part(part, 'report(part)');
    if (!this.round) throw new IllegalStateError('report before init has finished');
    if (this.round.done || ev < this.evaluation) return this.round;
    if (ev > this.evaluation) throw new BadArgumentError(`report(evaluation) ${ev} is ahead of the current evaluation ${this.evaluation}`);
    if (!this.reported.has(p)) {
      const g = vector(grad, 'report(grad)', this.grad.length);
      this.reports[p] = { loss: arg.number(loss, 'report(loss)'), grad: Float64Array.from(g) };
      this.reported.add(p);
      if (this.reported.size === this.parts) {
        for (let q = 0; q < this.parts; q++) {
          const r = this.reports[q]!;
          this.loss += r.loss;
          for (let i = 0; i < r.grad.length; i++) this.grad[i]! += r.grad[i]!;
          this.reports[q] = null;
        }
        this._advance();
        return this.round;
      }
    }
    return this.roundWaiters.wait(undefined, 'ml.LogRegState.report');
  }

  /** Parks until an iteration after `afterIteration` is done (or the fit is). */
  progress(afterIteration: unknown, timeoutMs?: unknown): LogRegProgress | Promise<LogRegProgress> {
    this._checkLive();
    const after = arg.int(afterIteration, 'progress(afterIteration)');
    const now = this._progressNow();
    if (now.done || now.iteration > after) return now;
    return this.progressWaiters.wait(arg.timeout(timeoutMs, 'progress(timeoutMs)'), 'ml.LogRegState.progress');
  }

  /**
   * Progress of a one-partition fit whose L-BFGS runs in its cloud thread (ml/logreg/task.ts): the
   * thread reports here now and then so the driver's progress and a cancel (`abort`) meet it;
   * throws once aborted, which is how the thread learns it must stop.
   */
  tick(iteration: unknown, loss: unknown, done: unknown): null {
    this._checkLive();
    const it = arg.int(iteration, 'tick(iteration)');
    const f = arg.number(loss, 'tick(loss)');
    const isDone = arg.bool(done, 'tick(done)');
    if (this.round) throw new IllegalStateError('tick on a fit whose iterations run on the node');
    const m = this.mirror;
    if (!m || it > m.iteration || isDone) this.mirror = { iteration: Math.max(it, m?.iteration ?? 0), loss: f, done: isDone || (m?.done ?? false) };
    this.progressWaiters.wakeAll(this._progressNow());
    return null;
  }

  /** The fitted parameters, once done. */
  result(): LogRegResult {
    this._checkLive();
    const o = this.outcome;
    if (!o || !this.layout) throw new IllegalStateError('logistic regression has not finished');
    return {
      x: o.x, classes: this.classes, r: this.layout.r, lossHistory: this.lossHistory.slice(),
      nIter: o.iterations, evaluations: o.evaluations, converged: o.converged, message: o.message,
    };
  }

  /** Ends the fit: every parked and later call fails. */
  abort(reason: unknown): null {
    this._fail(new IllegalStateError(`logistic regression aborted: ${typeof reason === 'string' && reason ? reason : 'aborted'}`));
    return null;
  }

  private _start(): void {
    const all = new Set<number>();
    for (const l of this.labels) for (const v of l!) all.add(v);
    this.classes = Float64Array.from([...all].sort((a, b) => a - b));
    if (this.classes.length < 2) {
      const only = this.classes.length === 1 ? `only class ${this.classes[0]}` : 'no rows';
      this._fail(new BadArgumentError(`logistic regression needs at least 2 classes in y, the data has ${only}`));
      return;
    }
    const r = this.classes.length === 2 && !this.multinomial ? 1 : this.classes.length;
    const layout = { d: this.d, r, fitIntercept: this.fitIntercept };
    const n = paramCount(layout);
    try {
      // A report per partition, the sums, and L-BFGS's 10 correction pairs and working vectors.
      chargeBytes(8 * n * (this.parts + 30), `ml.LogRegState(${this.classes.length} classes × ${this.d} features, ${this.parts} partitions)`);
    } catch (err) {
      this._fail(err as Error);
      return;
    }
    this.layout = layout;
    this.grad = new Float64Array(n);
    this.opt = lbfgs(new Float64Array(n), {
      maxIter: this.maxIter,
      gtol: this.tol,
      onIteration: (_i, f) => { this.lossHistory.push(f); },
    });
    const first = this.opt.next();
    this._publish(first.done ? null : first.value, first.done ? first.value : null);
  }

  /** All partitions reported: the objective at the point, then the optimiser's next point. */
  private _advance(): void {
    const { d, r } = this.layout!;
    const n = this.nRows;
    const w = this.point;
    const scale = 1 / n;
    const l2 = 1 / (this.C * n);
    let f = this.loss * scale;
    const g = new Float64Array(this.grad.length);
    for (let i = 0; i < g.length; i++) g[i] = this.grad[i]! * scale;
    for (let i = 0; i < r * d; i++) { f += 0.5 * l2 * w[i]! * w[i]!; g[i]! += l2 * w[i]!; }
    if (this.evaluation === 0) this.lossHistory.push(f);
    this.evaluation++;
    this.loss = 0;
    this.grad = new Float64Array(this.grad.length);
    this.reported.clear();
    const next = this.opt!.next({ f, g });
    this._publish(next.done ? null : next.value, next.done ? next.value : null);
  }

  private _publish(point: Float64Array | null, outcome: LbfgsResult | null): void {
    if (outcome) this.outcome = outcome;
    if (point) this.point = point;
    this.round = { evaluation: this.evaluation, x: outcome ? outcome.x : this.point, classes: this.classes, r: this.layout!.r, done: outcome !== null };
    this.roundWaiters.wakeAll(this.round);
    this.progressWaiters.wakeAll(this._progressNow());
  }

  private _progressNow(): LogRegProgress {
    if (this.mirror) return this.mirror;
    const h = this.lossHistory;
    return { iteration: Math.max(0, h.length - 1), loss: h.length ? h[h.length - 1]! : NaN, done: this.outcome !== null };
  }

  private _fail(err: Error): void {
    if (this.aborted) return;
    this.aborted = err;
    this.roundWaiters.failAll(() => err);
    this.progressWaiters.failAll(() => err);
  }

  private _part(v: unknown, what: string): number {
    const p = arg.int(v, what);
    if (p < 0 || p >= this.parts) throw new BadArgumentError(`${what} must be in [0, ${this.parts}), got ${p}`);
    return p;
  }

  private _checkLive(): void {
    if (this.aborted) throw this.aborted;
  }
}
