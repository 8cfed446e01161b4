/**
 * How a fit runs its cloud threads (shared by k-means and logistic regression): every partition's
 * task at once on an executor with retries (a retried task rejoins the shared state at its current
 * iteration), the shared state aborted when a task fails for good so no other task stays parked
 * on the node, and the node object removed once the fit has read its result.
 */
import { ServerlessExecutorService, type Task } from '../../core/threads/executor.ts';
import { BadArgumentError, CrucialError, IllegalStateError, TaskFailedError } from '../../core/protocol/errors.ts';
import { SYSTEM_TYPE } from '../../core/protocol/wire/protocol.ts';
import { defaultConnectionAsync } from '../../core/client/context.ts';
import type { ProgressEvent } from '../progress.ts';

/** Progress of a fit, as the contract's `onProgress` gets it (ml/progress.ts's event). */
export type FitProgress = ProgressEvent;

/** The contract's training options (ML-CONTRACT.md, "Training"). */
export interface FitOptions {
  /** Partitions = cloud threads at most; default 2 (fewer when the data is small: see `minRowsPerPartition`). */
  workers?: number;
  /**
   * Rows a partition must have at least for the fit to split the data: the fit runs
   * min(workers, ⌊rows / minRowsPerPartition⌋) partitions, at least one. Default
   * 100,000. 0 = always `workers` partitions (the seed's layout
   * whatever the size). A one-partition fit runs as one cloud thread whose iterations run in that
   * thread, with no per-iteration barrier through the node.
   */
  minRowsPerPartition?: number;
  /** Aborting it cancels the fit: the cloud threads stop at their next iteration (or tree), and the fit rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Publish the model to the ModelStore under this name. */
  modelName?: string;
  /** Show a progress bar. */
  progress?: boolean;
  /** Called after each iteration. */
  onProgress?: (p: FitProgress) => void;
}

/** Retries of a partition's task when the fit makes its own executor. */
export const DEFAULT_RETRIES = 2;

/** Fit options this owner's algorithms take besides the contract's. */
export interface RunOptions {
  /** Executor to run the partitions on (default: a new one on the default runner, with 2 retries per partition). */
  executor?: ServerlessExecutorService;
  /**
   * @internal Tests only: replaces each partition's task before it is submitted (fault injection:
   * a task that fails once at a chosen step, to check that its retry rejoins the shared state).
   */
  mapTask?: (task: object, part: number) => object;
}

/** Checks the contract's `workers` option (partitions = cloud threads, default 2). */
export function workersOf(opts: FitOptions): number {
  const w = opts.workers ?? 2;
  if (!Number.isSafeInteger(w) || w <= 0) throw new BadArgumentError(`opts.workers must be a positive integer, got ${String(w)}`);
  return w;
}

/**
 * Default of `minRowsPerPartition`. Splitting pays when a partition's pass costs more than what a
 * partition adds per iteration: a barrier round through the node for every thread (~0.3-1 ms on an
 * idle 2-core machine, several ms under load), a second thread's start and its own read of the
 * file. A k-means pass (k = 8, 16 features) or a logistic-regression evaluation takes ~0.04 µs per
 * row and feature in the SIMD kernels, so at 100,000 rows × 16 a partition's pass is ~3-6 ms, about
 * what a round costs; below that one thread wins (bench/RESULTS.md, "ml fits on small data").
 */
export const DEFAULT_MIN_ROWS_PER_PARTITION = 100_000;

/**
 * Partitions (cloud threads) of a fit over `nRows` rows: `workers`, fewer when the data is small
 * (`minRowsPerPartition`), at least one.
 * @throws {BadArgumentError} if `workers` or `minRowsPerPartition` is malformed
 */
export function partitionCount(nRows: number, opts: FitOptions): number {
  const workers = workersOf(opts);
  const min = opts.minRowsPerPartition ?? DEFAULT_MIN_ROWS_PER_PARTITION;
  if (!Number.isSafeInteger(min) || min < 0) throw new BadArgumentError(`opts.minRowsPerPartition must be an integer >= 0, got ${String(min)}`);
  if (min === 0) return workers;
  return Math.max(1, Math.min(workers, Math.floor(nRows / min)));
}

/**
 * The error a cancelled fit rejects with: the signal's reason when it is an Error (a `$jobs`
 * cancel gives an IllegalStateError naming the job), an {@link IllegalStateError} otherwise.
 */
export function cancelled(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error && r.name !== 'AbortError' ? r : new IllegalStateError('the fit was cancelled');
}

/** Whether anyone follows the fit's progress or can cancel it (a one-thread fit then reports to the node). */
export function watched(opts: FitOptions): boolean {
  return opts.progress === true || opts.onProgress !== undefined || opts.signal !== undefined;
}

/** Throws the cancellation error if `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal);
}

/**
 * Runs `tasks` in parallel; on a task's final failure, or when `opts.signal` aborts, calls `abort`
 * (which fails every parked call of the shared state, so every thread stops at its next call),
 * waits for the others to end, and throws: the cancellation's error, the task's own
 * {@link BadArgumentError} (bad data) as is, anything else as the {@link TaskFailedError}.
 * A task that fails is retried ({@link DEFAULT_RETRIES} times, unless the caller gave its own
 * executor), but not once the fit is failing or cancelled.
 */
export async function runPartitions<R>(tasks: Task<R>[], abort: (reason: string) => Promise<unknown>, opts: RunOptions & { signal?: AbortSignal; retries?: number }): Promise<R[]> {
  const se = opts.executor ?? new ServerlessExecutorService({ retries: 0 });
  const retries = opts.executor ? 0 : opts.retries ?? DEFAULT_RETRIES;
  const mapped = opts.mapTask ? tasks.map((t, i) => opts.mapTask!(t as object, i) as Task<R>) : tasks;
  const signal = opts.signal;
  let first: unknown;
  const fail = async (err: unknown): Promise<void> => {
    if (first !== undefined) return;
    first = err;
    await abort(err instanceof Error ? err.message : String(err)).catch(() => undefined);
  };
  const onAbort = (): void => { void fail(cancelled(signal!)); };
  if (signal?.aborted) throw cancelled(signal);
  signal?.addEventListener('abort', onAbort, { once: true });
  const run = async (t: Task<R>): Promise<R> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await se.submit<R>(t).get();
      } catch (err) {
        if (attempt >= retries || first !== undefined) {
          await fail(err);
          throw err;
        }
      }
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      if (first !== undefined) throw first;
    }
  };
  let settled: PromiseSettledResult<R>[];
  try {
    settled = await Promise.allSettled(mapped.map(run));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!opts.executor) se.shutdown();
  }
  if (signal?.aborted) throw cancelled(signal);
  if (first !== undefined) {
    const cause = first instanceof TaskFailedError ? first.cause : undefined;
    if (cause instanceof BadArgumentError) throw cause;
    throw first;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** Removes a fit's shared state from the node (best effort: an error here must not lose a trained model). */
export async function dropObject(type: string, key: string): Promise<void> {
  try {
    const conn = await defaultConnectionAsync();
    await conn.call(SYSTEM_TYPE, '', 'delete', [type, key]);
  } catch (err) {
    if (!(err instanceof CrucialError)) throw err;
  }
}

/**
 * Publishes `model` to the ModelStore when `name` is given; returns the model as published (with
 * its name and version), or as is.
 */
export async function publishIfNamed<M extends { name?: string; version?: number }>(model: M, name: string | undefined): Promise<M> {
  if (name === undefined) return model;
  if (typeof name !== 'string' || name.length === 0) throw new BadArgumentError('opts.modelName must be a non-empty string');
  const { ModelStore } = await import('../model/store.ts');
  const version = await new ModelStore().publish(name, model as never);
  return { ...model, name, version };
}

/**
 * Follows a fit's progress until `poll` says done: `poll(after)` parks on the node until a step
 * after `after` is over. Errors end the loop quietly (the fit itself reports them).
 */
export async function followProgress(
  poll: (after: number) => Promise<{ iteration: number; metric: number; done: boolean }>,
  report: (p: FitProgress) => void, total: number, label: string,
): Promise<void> {
  let after = 0;
  try {
    for (;;) {
      const p = await poll(after);
      if (p.iteration > after) report({ step: p.iteration, total, metric: p.metric, label });
      if (p.done) return;
      after = p.iteration;
    }
  } catch {
    // The fit failed or ended: it reports that itself.
  }
}
