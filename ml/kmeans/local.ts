/**
 * A one-partition k-means fit (ml/kmeans/run-tasks.ts `partitionCount`: data too small to be worth
 * splitting) runs the node's `ml.KMeansState` logic inside its one cloud thread: the same
 * initialisation sample, the same k-means++ draws (done here instead of in the driver), the same
 * merge, update, tolerance, empty-cluster relocation and final pass, called directly instead of
 * through the node. So there is no barrier round per iteration; the node object only mirrors the
 * progress and carries a cancel ({@link Ticker}). With one partition the node would have merged the
 * same single report, so the rounds are the ones a one-worker fit through the node computes.
 */
import { KMeansState as KMeansCore, type KMeansProgress, type KMeansResult, type KMeansRound, type KMeansSample } from './node/kmeans-state.ts';
import { kmeansPlusPlus, kmeansPlusPlusRows } from './lloyd.ts';
import type { Rows } from '../kernels/rows.ts';
import { numpyRandomState } from './random.ts';
import { KMeansState } from './state.ts';
import { Ticker } from './ticker.ts';

/** What the k-means cloud thread needs of its shared state: the node's proxy, or this. */
export interface KMeansRounds {
  init(part: number, sample: Float64Array, stats: Float64Array): Promise<KMeansRound>;
  report(iteration: number, part: number, sums: Float64Array, counts: Float64Array, inertia: Float64Array, far: Float64Array | null): Promise<KMeansRound>;
}

/**
 * One k-means++ seeding per run (nInit·k·d), the runs one after the other from numpy's
 * `RandomState(seed)`, as scikit-learn's KMeans seeds its `n_init` runs: on the same rows (the
 * whole data up to INIT_SAMPLE_ROWS) the same initial centres as scikit-learn with that `random_state`.
 */
export function initialCentroids(sample: Float64Array, rows: number, d: number, k: number, nInit: number, seed: number): Float64Array {
  const size = k * d;
  const centroids = new Float64Array(nInit * size);
  const rng = numpyRandomState(seed);
  for (let r = 0; r < nInit; r++) centroids.set(kmeansPlusPlus(sample, rows, d, k, rng), r * size);
  return centroids;
}

/**
 * {@link initialCentroids} on the partitions' own kernel rows when the sample is the whole data
 * (partition order): the same centres bit for bit, without copying the rows out and back in.
 */
export function initialCentroidsOnRows(parts: readonly Rows[], d: number, k: number, nInit: number, seed: number): Float64Array {
  const size = k * d;
  const centroids = new Float64Array(nInit * size);
  const rng = numpyRandomState(seed);
  for (let r = 0; r < nInit; r++) centroids.set(kmeansPlusPlusRows(parts, d, k, rng), r * size);
  return centroids;
}

const NO_ROWS = new Float64Array(0);

/** The shared state of a one-partition fit, kept in the cloud thread. */
export class LocalKMeans implements KMeansRounds {
  private readonly core: KMeansCore;
  /** Null when nobody follows the fit or can cancel it: then the thread never calls the node. */
  private readonly ticker: Ticker | null;
  private inits = 0;

  /**
   * @param stateKey the fit's node object (progress and cancel only)
   * @param k clusters; @param d features; @param parts the partitions the thread computes (a split fit's);
   * @param nInit runs; @param maxIter; @param tol; @param seed the fit's seed; @param watch report to the node object
   */
  constructor(stateKey: string, private readonly k: number, private readonly d: number, private readonly parts: number, private readonly nInit: number, maxIter: number, tol: number, private readonly seed: number, watch = true) {
    this.core = new KMeansCore(k, d, parts, nInit, maxIter, tol);
    const remote = new KMeansState(stateKey);
    this.ticker = watch ? new Ticker((it, metric, done) => remote.tick(it, metric, done)) : null;
  }

  /** Partition `part`'s init share; the last one seeds the runs (k-means++ on the whole sample, here) and starts iteration 0. */
  async init(part: number, sample: Float64Array, stats: Float64Array): Promise<KMeansRound> {
    const parked = this.core.init(part, sample, stats) as Promise<KMeansRound>;
    if (++this.inits < this.parts) return parked;
    parked.catch(() => undefined); // start() answers it
    const whole = this.core.sample() as KMeansSample;
    return this.core.start(initialCentroids(whole.sample, whole.rows, this.d, this.k, this.nInit, this.seed));
  }

  /**
   * Every partition's init at once when each one's sample is all its rows: k-means++ runs on the
   * partitions' kernel rows in place ({@link initialCentroidsOnRows}), so no sample is copied out
   * of them, gathered and laid out again. Same round as {@link init} with the whole rows as samples.
   */
  async initOnRows(parts: readonly Rows[], stats: readonly Float64Array[]): Promise<KMeansRound> {
    if (parts.length !== this.parts || this.inits !== 0) throw new Error('initOnRows takes every partition, once');
    for (let q = 0; q < parts.length; q++) (this.core.init(q, NO_ROWS, stats[q]!) as Promise<KMeansRound>).catch(() => undefined); // start() answers them
    this.inits = this.parts;
    this.core.sample(); // the tolerance, from the statistics
    return this.core.start(initialCentroidsOnRows(parts, this.d, this.k, this.nInit, this.seed));
  }

  /** Partition `part`'s report; the last one closes the iteration (progress to the node, which may say the fit was cancelled). */
  async report(iteration: number, part: number, sums: Float64Array, counts: Float64Array, inertia: Float64Array, far: Float64Array | null): Promise<KMeansRound> {
    const answer = this.core.report(iteration, part, sums, counts, inertia, far);
    if (answer instanceof Promise || !this.ticker) return answer;
    const p = this.core.progress(-1) as KMeansProgress;
    if (answer.done) await this.ticker.finish(p.iteration, p.inertia);
    else await this.ticker.tick(p.iteration, p.inertia);
    return answer;
  }

  /** The best run, once done. */
  result(): KMeansResult { return this.core.result(); }
}
