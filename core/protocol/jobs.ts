/**
 * Wire shapes of the executor service (`$jobs`, PROTOCOL.md §11). No logic lives here: the node's
 * service (dso/services/executor), the TS client (core/jobs) and the Python client follow these.
 */
import type { ErrorData } from './errors.ts';

/** Type name of the node's executor service object; its key is always `""`. */
export const JOBS_TYPE = '$jobs';

/** Where a job is: queued behind the service's concurrency limit, running, or finished one of three ways. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The last progress a job reported (an ML fit: iteration, trees done, loss or inertia). */
export interface JobProgress {
  /** Steps done so far. */
  step: number;
  /** Steps in all, when known. */
  total?: number;
  /** The step's metric (loss, inertia, OOB error), when there is one. */
  metric?: number;
  /** What a step is ("iteration", "trees"). */
  label: string;
}

/** What `$jobs.status(id)` answers (and `list()` answers one of per job). */
export interface JobStatus {
  /** The job's id, as `submit` returned it. */
  id: string;
  /** The job kind it runs (`echo`, `sum`, `ml.fit`). */
  kind: string;
  /** Its state now. */
  state: JobState;
  /** The last progress it reported; null before the first. */
  progress: JobProgress | null;
  /** Epoch milliseconds of the submission. */
  submittedAt: number;
  /** Epoch milliseconds of the start; null while queued. */
  startedAt: number | null;
  /** Epoch milliseconds of the end; null until finished. */
  finishedAt: number | null;
  /** The failure, `{code, name, message, stack}`, once failed; null otherwise. */
  error: ErrorData | null;
}

/** Job kinds every node registers (PROTOCOL.md §11.2). */
export const JOB_KINDS = ['echo', 'sum', 'ml.fit'] as const;

/** Arguments of an `ml.fit` job. */
export interface FitJobArgs {
  /** Which trainer runs. */
  algorithm: 'kmeans' | 'logistic_regression' | 'random_forest';
  /** The trainer's hyper-parameters, as its fit function names them (camelCase: `k`, `maxIter`, `nEstimators`). */
  params?: Record<string, unknown>;
  /**
   * The training data: an Arrow table (an attachment: every numeric column but the label is a feature)
   * or the path of an Arrow IPC file on the node's machine.
   */
  data: unknown;
  /** Label column; default `y`. */
  label?: string;
  /** Publish the fitted model under this name (ModelStore); required. */
  modelName: string;
  /** Cloud threads (data partitions); default 2. */
  workers?: number;
  /** Below this many rows per partition (default 100,000) k-means and logistic regression run as one cloud thread, same result; 0 = always `workers`. */
  minRowsPerPartition?: number;
}

/** What an `ml.fit` job's result is. */
export interface FitJobResult {
  /** The name the model was published under. */
  modelName: string;
  /** Its version in the model store. */
  version: number;
  /** The model's metadata (nFeatures, classes, inertia, lossHistory, oobScore...). */
  meta: Record<string, unknown>;
}
