/**
 * The k-means cloud thread (the seed's Listing 5): load its partition once, send its k-means++
 * sample, then each iteration assign its rows to the round's centroids and report per-cluster sums
 * and counts in one call, which parks until the iteration closes on the node and answers the next
 * round. It holds no state across iterations besides its rows, so a retried thread simply rejoins
 * at the node's current iteration.
 */
import { Serializable } from '../../core/threads/serializable.ts';
import { loadKernelPartitions } from '../kernels/load.ts';
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
   *   with these limits, over the partitions `sources` a split fit would have had (with their
   *   sample quotas), so the fit is the split fit's, bit for bit
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
    public local: { maxIter: number; tol: number; sources: PartitionSource[]; quotas: number[]; watch?: boolean } | null = null,
  ) {}

  async call(): Promise<KMeansTaskResult> {
    const { d, k, nInit } = this;
    // A one-partition fit computes every partition a split fit would have (same rows, same
    // kernels) and hands them to the node's logic in partition order: the same sums, bit for bit.
    const sources = this.local?.sources ?? [this.source];
    const ids = this.local ? sources.map((_, q) => q) : [this.part];
    // Straight into the kernels' layout (WebAssembly SIMD when available); every pass reads only these.
    const parts = await loadKernelPartitions(sources, d);
    const localState = this.local ? new (await localModule()).LocalKMeans(this.stateKey, k, d, sources.length, nInit, this.local.maxIter, this.local.tol, this.seed, this.local.watch !== false) : null;
    const state: KMeansRounds = localState ?? new KMeansState(this.stateKey);
    const quotas = this.local?.quotas ?? [this.sampleRows];
    // A sample of all the rows (up to INIT_SAMPLE_ROWS) is seeded on the rows where they lie.
    const whole = localState !== null && parts.every((p, q) => quotas[q]! >= p.nRows);
    let round: KMeansRound = whole
      ? await localState.initOnRows(parts.map((p) => p.rows), parts.map((p) => p.rows.columnStats()))
      : await first(parts.map((p, q) => state.init(ids[q]!, this.sample(p.rows, p.nRows, quotas[q]!, ids[q]!), p.rows.columnStats())));
    while (!round.done) {
      const iteration = round.iteration;
      const reports = parts.map((p) => this.pass(p.rows, p.nRows, round));
      await this.checkpoint('before-report', iteration);
      const reply = first(reports.map((r, q) => state.report(iteration, ids[q]!, r.sums, r.counts, r.inertia, r.far)));
      reply.catch(() => undefined); // awaited below, unless a checkpoint throws first
      await this.checkpoint('while-parked', iteration);
      round = await reply;
      await this.checkpoint('after-report', iteration);
    }
    const nRows = parts.reduce((n, p) => n + p.nRows, 0);
    for (const p of parts) p.rows.release();
    return { part: this.part, rows: nRows, iteration: round.iteration, ...(localState ? { result: localState.result() } : {}) };
  }

  /** One partition's pass for `round`: per-run sums, counts and inertia, and its far rows for runs with an empty cluster. */
  private pass(rows: Rows, nRows: number, round: KMeansRound): { sums: Float64Array; counts: Float64Array; inertia: Float64Array; far: Float64Array | null } {
    const { d, k, nInit } = this;
    const size = k * d;
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
    return { sums, counts, inertia, far: far.length > 0 ? Float64Array.from(far) : null };
  }

  /** A hook between the steps of an iteration; a no-op here (fault-injection tests override it). */
  protected checkpoint(_stage: KMeansStage, _iteration: number): void | Promise<void> {}

  /** `sampleRows` distinct rows of partition `part` drawn uniformly (a partial Fisher–Yates shuffle), seeded per partition. */
  private sample(rows: Rows, nRows: number, sampleRows: number, part: number): Float64Array {
    const d = this.d;
    const m = Math.min(sampleRows, nRows);
    if (m === nRows) {
      const all = new Float64Array(nRows * d);
      for (let i = 0; i < nRows; i++) rows.copyRow(i, all, i * d);
      return all;
    }
    const rng = createRng(this.seed, 1000 + part);
    const idx = new Int32Array(nRows);
    for (let i = 0; i < nRows; i++) idx[i] = i;
    const out = new Float64Array(m * d);
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(nRows - i);
      const t = idx[i]!; idx[i] = idx[j]!; idx[j] = t;
      rows.copyRow(t, out, i * d);
    }
    return out;
  }
}

let local: Promise<typeof import('./local.ts')> | undefined;
/** ml/kmeans/local.ts, imported once per thread (see ml/data/lazy.ts: a repeated dynamic import still costs a resolve). */
function localModule(): Promise<typeof import('./local.ts')> {
  local ??= import('./local.ts');
  return local;
}

/** The last partition's answer: the one that closes the step (the others resolve with the same round). */
async function first<T>(replies: Promise<T>[]): Promise<T> {
  replies.forEach((r) => r.catch(() => undefined));
  const all = await Promise.all(replies);
  return all[all.length - 1]!;
}
