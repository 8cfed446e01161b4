/**
 * `ml.KMeansState`, node side: the seed's Listing 5 state (global centroids, global delta, iteration
 * counter, a barrier per iteration) as one object, so a partition's whole contribution to an
 * iteration is one call. Each cloud thread reports its per-cluster sums and counts; the call parks
 * until every partition has reported that iteration, then the node computes the new centroids and
 * the centre shift, and every parked caller gets the next round at once.
 *
 * Restarts: a report names its (iteration, partition). A partition that reports twice for the same
 * iteration (a retried cloud thread whose first attempt reported, then died) is merged once; a
 * report for an iteration already closed answers the current round at once. So a restarted worker
 * calls `init` again, gets the current iteration and centroids, and rejoins there.
 *
 * Initialisation: every partition sends its share of a uniform sample of the data and its feature
 * statistics (`init`, which parks); the fit's driver takes the whole sample (`sample`), runs
 * k-means++ on it and hands the centroids back (`start`), which releases the partitions into
 * iteration 0. k-means++ is the costly part (k · trials · rows · d), so it runs in the driver, not
 * on the node's single thread. Several initialisations (`nInit`) run in lock step: one pass over a
 * partition serves every run, and a run that has converged is left out of later passes. Helpers start with `_`: the
 * node calls only the other methods.
 */
import { BadArgumentError, IllegalStateError } from '../../../core/protocol/errors.ts';
import { arg } from '../../../dso/registry.ts';
import { chargeBytes } from '../../../dso/limits.ts';
import { vector } from '../../../dso/objects/values.ts';
import { WaitQueue } from '../../../dso/objects/waiters.ts';
import { FAR_ENTRY_HEAD, relocateEmpty, updateCentroids } from '../lloyd.ts';

/** Run status in a round: assign and update, assign only (the final E-step), finished. */
export const RUN_LLOYD = 0;
export const RUN_FINAL = 1;
export const RUN_DONE = 2;

/** What a cloud thread gets back from `init` and `report`: the iteration to compute next. */
export interface KMeansRound {
  /** Iteration index (0-based) the caller computes next. */
  iteration: number;
  /** nInit·k·d centroids, row-major per run. */
  centroids: Float64Array;
  /** Per run: RUN_LLOYD, RUN_FINAL or RUN_DONE. */
  status: Float64Array;
  /** Every run has finished: the caller stops. */
  done: boolean;
}

/** The whole init sample, for the driver's k-means++. */
export interface KMeansSample {
  /** rows·d values, the partitions' shares in partition order. */
  sample: Float64Array;
  rows: number;
  /** The absolute tolerance: tol · mean feature variance over the whole data. */
  tolerance: number;
}

/** Progress of the fit: the last closed iteration. */
export interface KMeansProgress {
  /** Iterations closed so far. */
  iteration: number;
  /** Best inertia reported in the last closed iteration (NaN before the first). */
  inertia: number;
  done: boolean;
}

/** The outcome, once done: the best run. */
export interface KMeansResult {
  centroids: Float64Array;
  inertia: number;
  nIter: number;
  /** Final inertia of every run. */
  inertias: Float64Array;
  /** Iterations of every run. */
  nIters: Float64Array;
  bestRun: number;
  /** The absolute tolerance used: tol · mean feature variance. */
  tolerance: number;
}

export class KMeansState {
  private readonly k: number;
  private readonly d: number;
  private readonly parts: number;
  private readonly nInit: number;
  private readonly maxIter: number;
  private readonly tol: number;

  private readonly samples: (Float64Array | null)[];
  /** Per partition [n, mean(d), M2(d)], merged at the end of init (Chan et al.'s pairwise formula). */
  private readonly stats: (Float64Array | null)[];
  /** Partitions whose init share is in (a retried partition's second share is not taken). */
  private readonly joined = new Set<number>();
  private tolerance = 0;
  private whole: KMeansSample | null = null;

  private iteration = 0;
  private centroids: Float64Array = new Float64Array(0);
  private status: Float64Array;
  private readonly nIters: Float64Array;
  private readonly finalInertia: Float64Array;
  private sums: Float64Array;
  private counts: Float64Array;
  private inertia: Float64Array;
  /**
   * This iteration's reports by partition, added up in partition order when the last one arrives:
   * floating-point sums then do not depend on arrival order, so a fit is reproducible bit for bit
   * (a retried partition included).
   */
  private readonly reports: ({ sums: Float64Array; counts: Float64Array; inertia: Float64Array; far: Float64Array | null } | null)[];
  private readonly reported = new Set<number>();
  /** Per run, this iteration's far rows of every partition (partition order), for empty clusters. */
  private far: Float64Array[][] = [];
  private lastInertia = NaN;
  private round: KMeansRound | null = null;
  private aborted: string | null = null;
  /** A one-partition fit's thread said it is done (`tick`). */
  private mirroredDone = false;

  private readonly sampleWaiters = new WaitQueue<KMeansSample>();
  private readonly roundWaiters = new WaitQueue<KMeansRound>();
  private readonly progressWaiters = new WaitQueue<KMeansProgress>();

  /**
   * @param k clusters; @param d features; @param parts partitions (cloud threads);
   * @param nInit k-means++ initialisations run in lock step; @param maxIter Lloyd iterations per run;
   * @param tol relative tolerance (× mean feature variance) on the squared centre shift
   */
  constructor(k: unknown, d: unknown, parts: unknown, nInit: unknown, maxIter: unknown, tol: unknown) {
    this.k = arg.positiveInt(k, 'ml.KMeansState(k)');
    this.d = arg.positiveInt(d, 'ml.KMeansState(d)');
    this.parts = arg.positiveInt(parts, 'ml.KMeansState(parts)');
    this.nInit = arg.positiveInt(nInit, 'ml.KMeansState(nInit)');
    this.maxIter = arg.positiveInt(maxIter, 'ml.KMeansState(maxIter)');
    this.tol = arg.number(tol, 'ml.KMeansState(tol)');
    if (!(this.tol >= 0)) throw new BadArgumentError('ml.KMeansState(tol) must be >= 0');
    // Centroids, next centroids, sums, and one report per partition.
    chargeBytes(8 * this.nInit * this.k * (this.d + 1) * (this.parts + 3), `ml.KMeansState(k=${this.k}, d=${this.d}, parts=${this.parts}, nInit=${this.nInit})`);
    this.samples = new Array(this.parts).fill(null);
    this.stats = new Array(this.parts).fill(null);
    this.status = new Float64Array(this.nInit);
    this.nIters = new Float64Array(this.nInit);
    this.finalInertia = new Float64Array(this.nInit).fill(NaN);
    this.sums = new Float64Array(this.nInit * this.k * this.d);
    this.counts = new Float64Array(this.nInit * this.k);
    this.inertia = new Float64Array(this.nInit);
    this.reports = new Array(this.parts).fill(null);
  }

  /**
   * A partition's init contribution: its share of the k-means++ sample (rows, row-major) and its
   * feature statistics `[n, mean(d), M2(d)]`. Parks until the driver has started the iterations;
   * answers the current round at once after that (a restarted worker rejoining).
   */
  init(part: unknown, sample: unknown, stats: unknown): KMeansRound | Promise<KMeansRound> {
    this._checkLive();
    const p = this._part(part, 'init(part)');
    if (this.round) return this.round;
    if (!this.joined.has(p)) {
      const s = vector(sample, 'init(sample)');
      if (s.length % this.d !== 0) throw new BadArgumentError(`init(sample) must hold whole rows of ${this.d} values, got ${s.length}`);
      const st = vector(stats, 'init(stats)', 1 + 2 * this.d);
      chargeBytes(8 * s.length, `ml.KMeansState.init(sample of ${s.length / this.d} rows)`);
      this.samples[p] = Float64Array.from(s);
      this.stats[p] = Float64Array.from(st);
      this.joined.add(p);
      if (this.joined.size === this.parts) this._gather();
    }
    return this.roundWaiters.wait(undefined, 'ml.KMeansState.init');
  }

  /** The whole init sample and the tolerance, once every partition has sent its share (parks until then). */
  sample(): KMeansSample | Promise<KMeansSample> {
    this._checkLive();
    if (this.round) throw new IllegalStateError('the iterations have started: the init sample is gone');
    return this.whole ?? this.sampleWaiters.wait(undefined, 'ml.KMeansState.sample');
  }

  /**
   * The driver's k-means++ centroids (nInit·k·d): iteration 0 starts, every parked partition gets
   * it. A second call (a retried driver call) answers the current round.
   */
  start(centroids: unknown): KMeansRound {
    this._checkLive();
    if (this.round) return this.round;
    if (!this.whole) throw new IllegalStateError('start before every partition has sent its sample');
    const c = vector(centroids, 'start(centroids)', this.nInit * this.k * this.d);
    this.centroids = Float64Array.from(c);
    this.whole = null;
    this._publish(false);
    return this.round!;
  }

  /**
   * A partition's pass for `iteration`: per-run sums (nInit·k·d), counts (nInit·k) and inertia
   * (nInit), zeros for runs it skipped; and, for runs where some cluster got none of its rows, its
   * rows farthest from their centroid (entries `[run, dist, cluster, x(d)]`, as many as it has
   * empty clusters: a cluster empty overall is empty in every partition), from which empty clusters
   * are refilled as scikit-learn does. Merged once per (iteration, partition); parks until the
   * iteration closes and answers the next round.
   */
  report(iteration: unknown, part: unknown, sums: unknown, counts: unknown, inertia: unknown, far?: unknown): KMeansRound | Promise<KMeansRound> {
    this._checkLive();
    const it = arg.int(iteration, 'report(iteration)');
    const p = this._part(part, 'report(part)');
    if (!this.round) throw new IllegalStateError('report before init has finished');
    if (this.round.done || it < this.iteration) return this.round;
    if (it > this.iteration) throw new BadArgumentError(`report(iteration) ${it} is ahead of the current iteration ${this.iteration}`);
    if (!this.reported.has(p)) {
      const s = vector(sums, 'report(sums)', this.sums.length);
      const c = vector(counts, 'report(counts)', this.counts.length);
      const e = vector(inertia, 'report(inertia)', this.nInit);
      const entry = FAR_ENTRY_HEAD + this.d;
      const fr = far === undefined || far === null ? null : vector(far, 'report(far)');
      if (fr && (fr.length % entry !== 0 || fr.length > this.nInit * this.k * entry)) {
        throw new BadArgumentError(`report(far) must hold at most nInit·k entries of ${entry} values, got ${fr.length} values`);
      }
      for (let i = 0; fr && i < fr.length; i += entry) {
        const run = fr[i]!, label = fr[i + 2]!;
        if (!Number.isInteger(run) || run < 0 || run >= this.nInit || !Number.isInteger(label) || label < 0 || label >= this.k) {
          throw new BadArgumentError(`report(far): entry ${i / entry} names run ${run} and cluster ${label}`);
        }
      }
      this.reports[p] = { sums: Float64Array.from(s), counts: Float64Array.from(c), inertia: Float64Array.from(e), far: fr && fr.length > 0 ? Float64Array.from(fr) : null };
      this.reported.add(p);
      if (this.reported.size === this.parts) {
        this._sumReports();
        this._advance();
        return this.round;
      }
    }
    return this.roundWaiters.wait(undefined, 'ml.KMeansState.report');
  }

  /** Parks until an iteration after `afterIteration` has closed (or the fit is done); for progress bars. */
  progress(afterIteration: unknown, timeoutMs?: unknown): KMeansProgress | Promise<KMeansProgress> {
    this._checkLive();
    const after = arg.int(afterIteration, 'progress(afterIteration)');
    const now = this._progressNow();
    if (now.done || now.iteration > after) return now;
    return this.progressWaiters.wait(arg.timeout(timeoutMs, 'progress(timeoutMs)'), 'ml.KMeansState.progress');
  }

  /**
   * Progress of a one-partition fit whose iterations run in its cloud thread (ml/kmeans/local.ts):
   * the thread reports here now and then so the driver's progress and a cancel (`abort`) meet it;
   * throws once aborted, which is how the thread learns it must stop.
   */
  tick(iteration: unknown, inertia: unknown, done: unknown): null {
    this._checkLive();
    const it = arg.int(iteration, 'tick(iteration)');
    const metric = arg.number(inertia, 'tick(inertia)');
    const isDone = arg.bool(done, 'tick(done)');
    if (this.round) throw new IllegalStateError('tick on a fit whose iterations run on the node');
    if (it > this.iteration) { this.iteration = it; this.lastInertia = metric; }
    if (isDone) this.mirroredDone = true;
    this.progressWaiters.wakeAll(this._progressNow());
    return null;
  }

  /** The best run's centroids, inertia and iterations, once every run is done. */
  result(): KMeansResult {
    this._checkLive();
    if (!this.round?.done) throw new IllegalStateError('k-means has not finished');
    let best = 0;
    for (let r = 1; r < this.nInit; r++) if (this.finalInertia[r]! < this.finalInertia[best]!) best = r;
    const size = this.k * this.d;
    return {
      centroids: this.centroids.slice(best * size, (best + 1) * size),
      inertia: this.finalInertia[best]!,
      nIter: this.nIters[best]!,
      inertias: this.finalInertia.slice(),
      nIters: this.nIters.slice(),
      bestRun: best,
      tolerance: this.tolerance,
    };
  }

  /** Ends the fit: every parked and later call fails (a cloud thread failed for good). */
  abort(reason: unknown): null {
    if (this.aborted === null) {
      this.aborted = typeof reason === 'string' && reason ? reason : 'aborted';
      const err = () => new IllegalStateError(`k-means aborted: ${this.aborted}`);
      this.sampleWaiters.failAll(err);
      this.roundWaiters.failAll(err);
      this.progressWaiters.failAll(err);
    }
    return null;
  }

  /** Every partition has sent its share: merge the statistics and the sample, wake the driver. */
  private _gather(): void {
    const d = this.d;
    // Feature variances over the whole data set, for scikit-learn's tolerance: tol · mean(var).
    let n = 0;
    const mean = new Float64Array(d);
    const m2 = new Float64Array(d);
    for (const st of this.stats) {
      const nb = st![0]!;
      if (nb === 0) continue;
      const tot = n + nb;
      for (let j = 0; j < d; j++) {
        const delta = st![1 + j]! - mean[j]!;
        mean[j]! += (delta * nb) / tot;
        m2[j]! += st![1 + d + j]! + (delta * delta * n * nb) / tot;
      }
      n = tot;
    }
    let meanVar = 0;
    for (let j = 0; j < d; j++) meanVar += n > 0 ? m2[j]! / n : 0;
    this.tolerance = (meanVar / d) * this.tol;

    let rows = 0;
    for (const s of this.samples) rows += s!.length / d;
    const sample = new Float64Array(rows * d);
    let off = 0;
    for (const s of this.samples) { sample.set(s!, off); off += s!.length; }
    this.samples.fill(null);
    this.whole = { sample, rows, tolerance: this.tolerance };
    this.sampleWaiters.wakeAll(this.whole);
  }

  private _sumReports(): void {
    const entry = FAR_ENTRY_HEAD + this.d;
    this.far = Array.from({ length: this.nInit }, () => []);
    for (let p = 0; p < this.parts; p++) {
      const r = this.reports[p]!;
      for (let i = 0; r.far && i < r.far.length; i += entry) this.far[r.far[i]!]!.push(r.far.subarray(i, i + entry));
      for (let i = 0; i < r.sums.length; i++) this.sums[i]! += r.sums[i]!;
      for (let i = 0; i < r.counts.length; i++) this.counts[i]! += r.counts[i]!;
      for (let i = 0; i < r.inertia.length; i++) this.inertia[i]! += r.inertia[i]!;
      this.reports[p] = null;
    }
  }

  /** Closes the current iteration: new centroids per run, shifts, run status; wakes every caller. */
  private _advance(): void {
    const size = this.k * this.d;
    const next = this.centroids.slice();
    const status = this.status.slice();
    let best = Infinity;
    for (let r = 0; r < this.nInit; r++) {
      if (status[r] === RUN_DONE) continue;
      const inertia = this.inertia[r]!;
      if (inertia < best) best = inertia;
      if (status[r] === RUN_FINAL) {
        this.finalInertia[r] = inertia;
        status[r] = RUN_DONE;
        continue;
      }
      const far = this.far[r] ?? [];
      if (far.length > 0) {
        // Farthest first; equal distances keep partition order (a stable sort), so the choice is reproducible.
        far.sort((a, b) => b[1]! - a[1]!);
        relocateEmpty(this.sums, r * size, this.counts, r * this.k, this.k, this.d, far);
      }
      const shift = updateCentroids(this.centroids, this.sums, r * size, this.counts, r * this.k, this.k, this.d, next);
      const iters = ++this.nIters[r]!;
      if (shift === 0) {
        // Centroids unchanged: this pass's inertia is the final one, no extra pass needed.
        this.finalInertia[r] = inertia;
        status[r] = RUN_DONE;
      } else if (shift <= this.tolerance || iters >= this.maxIter) {
        // As scikit-learn: one more assignment pass so the inertia belongs to the final centroids.
        status[r] = RUN_FINAL;
      }
    }
    this.lastInertia = best;
    this.centroids = next;
    this.status = status;
    this.iteration++;
    this.sums = new Float64Array(this.sums.length);
    this.counts = new Float64Array(this.counts.length);
    this.inertia = new Float64Array(this.nInit);
    this.reported.clear();
    this._publish(status.every((s) => s === RUN_DONE));
  }

  private _publish(done: boolean): void {
    this.round = { iteration: this.iteration, centroids: this.centroids, status: this.status, done };
    this.roundWaiters.wakeAll(this.round);
    this.progressWaiters.wakeAll(this._progressNow());
  }

  private _progressNow(): KMeansProgress {
    return { iteration: this.iteration, inertia: this.lastInertia, done: this.round?.done ?? this.mirroredDone };
  }

  private _part(v: unknown, what: string): number {
    const p = arg.int(v, what);
    if (p < 0 || p >= this.parts) throw new BadArgumentError(`${what} must be in [0, ${this.parts}), got ${p}`);
    return p;
  }

  private _checkLive(): void {
    if (this.aborted !== null) throw new IllegalStateError(`k-means aborted: ${this.aborted}`);
  }
}
