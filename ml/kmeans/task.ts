/**
 * The k-means cloud thread (the seed's Listing 5): load its partition once, send its k-means++
 * sample, then each iteration assign its rows to the round's centroids and report per-cluster sums
 * and counts in one call, which parks until the iteration closes on the node and answers the next
 * round. It holds no state across iterations besides its rows, so a retried thread simply rejoins
 * at the node's current iteration.
 */
import { Serializable } from '../../core/threads/serializable.ts';
import { loadKernelPartition } from '../kernels/load.ts';
import type { Rows } from '../kernels/rows.ts';
import { FarRows } from './lloyd.ts';
import { createRng } from './random.ts';
import type { PartitionSource } from './source.ts';
import type { KMeansRounds } from './local.ts';
import { KMeansState, RUN_STATUS, type KMeansResult, type KMeansRound } from './state.ts';

/** Where a task is in an iteration, for {@link KMeansTask.checkpoint}: 'while-parked' = report sent, reply not in. */
export type KMeansStage = 'before-report' | 'while-parked' | 'after-report';

/** What a k-means cloud thread returns. */
export interface KMeansTaskResult {
  part: number;
  rows: number;
  /** Iteration index at which it stopped (the node's count when everything was done). */
  iteration: number;
  /** A one-partition fit's outcome (its iterations ran in the thread). */
  result?: KMeansResult;
}

/** One partition's k-means cloud thread. */
@Serializable()
export class KMeansTask {
  /**
   * @param stateKey key of the fit's `ml.KMeansState`
   * @param part partition index
   * @param source the partition's rows
   * @param d features
   * @param k clusters
   * @param nInit runs
   * @param sampleRows rows this partition contributes to the k-means++ sample
   * @param seed the fit's seed (the sample draws from stream 1000 + part)
   * @param local set for a one-partition fit: the iterations run in this thread (ml/kmeans/local.ts),
   *   with these limits; `shares` = the sample as `workers` partitions would have drawn it, one
   *   `[from, to, rows, stream]` per partition (so the seeding, and the fit, are those of a split fit)
   */
  constructor(
    public stateKey: string,
    public part: number,
    public source: PartitionSource,
    public d: number,
    public k: number,
    public nInit: number,
    public sampleRows: number,
    public seed: number,
    public local: { maxIter: number; tol: number; shares: Array<[number, number, number, number]> } | null = null,
  ) {}

  async call(): Promise<KMeansTaskResult> {
    // Straight into the kernels' layout (WebAssembly SIMD when available); every pass reads only these.
    const { rows, nRows } = await loadKernelPartition(this.source, this.d);
    const { d, k, nInit } = this;
    const localState = this.local ? new (await import('./local.ts')).LocalKMeans(this.stateKey, k, d, nInit, this.local.maxIter, this.local.tol, this.seed) : null;
    const state: KMeansRounds = localState ?? new KMeansState(this.stateKey);
    let round: KMeansRound = await state.init(this.part, this.sample(rows, nRows), rows.columnStats());
    const size = k * d;
    while (!round.done) {
      const sums = new Float64Array(nInit * size);
      const counts = new Float64Array(nInit * k);
      const inertia = new Float64Array(nInit);
      const far: number[] = [];
      const x = new Float64Array(d);
      for (let r = 0; r < nInit; r++) {
        const status = round.status[r];
        if (status === RUN_STATUS.DONE) continue;
        if (status === RUN_STATUS.FINAL) {
          inertia[r] = rows.assign(round.centroids, r * size, k, null, null);
          continue;
        }
        const runCounts = counts.subarray(r * k, (r + 1) * k);
        inertia[r] = rows.assign(round.centroids, r * size, k, sums.subarray(r * size, (r + 1) * size), runCounts);
        // A cluster empty overall is empty here too, so this partition's m farthest rows (m = its
        // empty clusters) include every row the node may need to refill the empty ones.
        const empty = runCounts.reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
        if (empty === 0) continue;
        const farRows = new FarRows(k);
        const dist = rows.dist, labels = rows.labels;
        for (let i = 0; i < nRows; i++) farRows.offer(dist[i]!, i, labels[i]!);
        for (let i = 0; i < Math.min(empty, farRows.size); i++) {
          const row = farRows.row[i]!;
          far.push(r, farRows.dist[i]!, farRows.label[i]!);
          rows.copyRow(row, x, 0);
          for (let j = 0; j < d; j++) far.push(x[j]!);
        }
      }
      await this.checkpoint('before-report', round.iteration);
      const iteration = round.iteration;
      const reply = state.report(iteration, this.part, sums, counts, inertia, far.length > 0 ? Float64Array.from(far) : null);
      reply.catch(() => undefined); // awaited below, unless a checkpoint throws first
      await this.checkpoint('while-parked', iteration);
      round = await reply;
      await this.checkpoint('after-report', iteration);
    }
    return { part: this.part, rows: nRows, iteration: round.iteration, ...(localState ? { result: localState.result() } : {}) };
  }

  /** A hook between the steps of an iteration; a no-op here (fault-injection tests override it). */
  protected checkpoint(_stage: KMeansStage, _iteration: number): void | Promise<void> {}

  /** This partition's share of the k-means++ sample (a one-partition fit: every share a split fit would draw, in partition order). */
  private sample(rows: Rows, nRows: number): Float64Array {
    const shares = this.local?.shares ?? [[0, nRows, this.sampleRows, 1000 + this.part]];
    const parts = shares.map(([from, to, m, stream]) => this.share(rows, from, to, m, stream));
    if (parts.length === 1) return parts[0]!;
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }

  /** `sampleRows` distinct rows of [from, to) drawn uniformly (a partial Fisher–Yates shuffle), seeded by `stream`. */
  private share(rows: Rows, from: number, to: number, sampleRows: number, stream: number): Float64Array {
    const d = this.d;
    const n = to - from;
    const m = Math.min(sampleRows, n);
    if (m === n) {
      const all = new Float64Array(n * d);
      for (let i = 0; i < n; i++) rows.copyRow(from + i, all, i * d);
      return all;
    }
    const rng = createRng(this.seed, stream);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const out = new Float64Array(m * d);
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i]!; idx[i] = idx[j]!; idx[j] = t;
      rows.copyRow(from + t, out, i * d);
    }
    return out;
  }
}
