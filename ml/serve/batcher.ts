/**
 * Micro-batching: rows of concurrent requests to one model version are stacked into one predict
 * call, and each caller gets its own slice of the result back. A batch runs when it holds
 * `maxBatchSize` rows or `maxWaitUs` after its first request, whichever comes first.
 */

/** What a model's predict returns (ml/model/predict.ts's Prediction). */
export interface BatchPrediction {
  /** One label per row: a class value, or the cluster index for k-means. */
  labels: Float64Array;
  /** nRows × nClasses, row-major. */
  proba?: Float64Array;
}

/** Runs the model on `nRows` row-major rows. Pure and synchronous. */
export type PredictRows = (X: Float64Array, nRows: number) => BatchPrediction;

/** Micro-batching settings. */
export interface BatchOptions {
  /** Rows per predict call at most; 1 turns batching off (each request runs alone, at once). */
  maxBatchSize: number;
  /**
   * How long the first request of a batch waits for others, in microseconds. 0 means "the requests
   * that arrived in the same event-loop turn" (setImmediate); above 0 a timer runs, and Node's timers
   * have millisecond granularity, so waits round up to whole milliseconds.
   */
  maxWaitUs: number;
}

/** Counters, for tests and the bench. */
export interface BatchStats {
  /** predict calls made. */
  batches: number;
  /** Rows predicted. */
  rows: number;
  /** Requests answered. */
  requests: number;
  /** Largest number of requests served by one predict call. */
  maxRequestsPerBatch: number;
}

interface Pending {
  X: Float64Array;
  nRows: number;
  resolve: (p: BatchPrediction) => void;
  reject: (e: unknown) => void;
}

/** One model version's batcher. */
export class MicroBatcher {
  readonly stats: BatchStats = { batches: 0, rows: 0, requests: 0, maxRequestsPerBatch: 0 };
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;

  constructor(private readonly predict: PredictRows, private readonly opts: BatchOptions) {}

  /** Predicts `nRows` rows, possibly together with other callers' rows. */
  submit(X: Float64Array, nRows: number): Promise<BatchPrediction> {
    const max = this.opts.maxBatchSize;
    // Large requests are batches already: delaying them would only add latency.
    if (max <= 1 || nRows >= max || nRows === 0) {
      try {
        return Promise.resolve(this.runAlone(X, nRows));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<BatchPrediction>((resolve, reject) => {
      if (this.queuedRows + nRows > max) this.flush();
      this.queue.push({ X, nRows, resolve, reject });
      this.queuedRows += nRows;
      if (this.queuedRows >= max) this.flush();
      else if (!this.timer) this.schedule();
    });
  }

  /** Runs whatever is queued now (close uses it so nobody waits on a timer that will not fire). */
  flush(): void {
    if (this.timer) {
      if (this.opts.maxWaitUs > 0) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    const batch = this.queue;
    const rows = this.queuedRows;
    this.queue = [];
    this.queuedRows = 0;
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const p = batch[0]!;
      try { p.resolve(this.runAlone(p.X, p.nRows)); } catch (e) { p.reject(e); }
      return;
    }
    const width = batch[0]!.X.length / batch[0]!.nRows;
    const X = new Float64Array(rows * width);
    let off = 0;
    for (const p of batch) { X.set(p.X, off); off += p.X.length; }
    let out: BatchPrediction;
    try {
      out = this.predict(X, rows);
    } catch {
      // One caller's rows may be what failed: run each alone so only that caller gets the error.
      for (const p of batch) {
        try { p.resolve(this.runAlone(p.X, p.nRows)); } catch (e) { p.reject(e); }
      }
      return;
    }
    this.count(batch.length, rows);
    const k = out.proba ? out.proba.length / rows : 0;
    let row = 0;
    for (const p of batch) {
      p.resolve({
        labels: out.labels.subarray(row, row + p.nRows),
        ...(out.proba ? { proba: out.proba.subarray(row * k, (row + p.nRows) * k) } : {}),
      });
      row += p.nRows;
    }
  }

  private schedule(): void {
    const run = () => { this.timer = null; this.flush(); };
    this.timer = this.opts.maxWaitUs > 0 ? setTimeout(run, this.opts.maxWaitUs / 1000) : setImmediate(run);
  }

  private runAlone(X: Float64Array, nRows: number): BatchPrediction {
    const out = this.predict(X, nRows);
    this.count(1, nRows);
    return out;
  }

  private count(requests: number, rows: number): void {
    this.stats.batches++;
    this.stats.rows += rows;
    this.stats.requests += requests;
    if (requests > this.stats.maxRequestsPerBatch) this.stats.maxRequestsPerBatch = requests;
  }
}
