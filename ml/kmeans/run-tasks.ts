/**
 * How a fit runs its cloud threads (shared by k-means and logistic regression): every partition's
 * task at once on an executor with retries (a retried task rejoins the shared state at its current
 * iteration), the shared state aborted when a task fails for good so no other task stays parked
 * on the node, and the node object removed once the fit has read its result.
 */
import { ServerlessExecutorService, type Task } from '../../core/threads/executor.ts';
import { BadArgumentError, CrucialError, TaskFailedError } from '../../core/protocol/errors.ts';
import { SYSTEM_TYPE } from '../../core/protocol/wire/protocol.ts';
import { defaultConnectionAsync } from '../../core/client/context.ts';
import type { ProgressEvent } from '../progress.ts';

/** Progress of a fit, as the contract's `onProgress` gets it (ml/progress.ts's event). */
export type FitProgress = ProgressEvent;

/** The contract's training options (ML-CONTRACT.md, "Training"). */
export interface FitOptions {
  /** Partitions = cloud threads; default 2. */
  workers?: number;
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
 * Runs `tasks` in parallel; on a task's final failure calls `abort` (which fails every parked call
 * of the shared state), waits for the others to end, and throws: the task's own
 * {@link BadArgumentError} (bad data) as is, anything else as the {@link TaskFailedError}.
 */
export async function runPartitions<R>(tasks: Task<R>[], abort: (reason: string) => Promise<unknown>, opts: RunOptions): Promise<R[]> {
  const se = opts.executor ?? new ServerlessExecutorService({ retries: DEFAULT_RETRIES, backoffMs: 50 });
  const mapped = opts.mapTask ? tasks.map((t, i) => opts.mapTask!(t as object, i) as Task<R>) : tasks;
  let first: unknown;
  const settled = await Promise.allSettled(mapped.map((t) => se.submit<R>(t).get().catch(async (err: unknown) => {
    if (first === undefined) {
      first = err;
      await abort(err instanceof Error ? err.message : String(err)).catch(() => undefined);
    }
    throw err;
  })));
  if (!opts.executor) se.shutdown();
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
