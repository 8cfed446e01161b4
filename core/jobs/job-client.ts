/**
 * The client of a node's executor service (`$jobs`, PROTOCOL.md §11): submit a named job, follow its
 * status and progress, wait for its result, cancel it. Jobs run on the node's side, so they outlive
 * the client that submitted them: any client that knows the id can read the result.
 */
import type { Connection } from '../client/connection.ts';
import { defaultConnectionAsync } from '../client/context.ts';
import { JOBS_TYPE, type FitJobArgs, type FitJobResult, type JobStatus } from '../protocol/jobs.ts';

/**
 * Calls a node's executor service. Every method is one call to the node; `result` parks on the node
 * until the job finishes.
 */
export class JobClient {
  /**
   * @param connection the node's connection; default: the process-wide one (`CRUCIAL_DSO`, or the
   * embedded node)
   */
  constructor(private readonly connection?: Connection) {}

  private async call(method: string, args: unknown[]): Promise<unknown> {
    const conn = this.connection ?? (await defaultConnectionAsync());
    return conn.call(JOBS_TYPE, '', method, args);
  }

  /**
   * Queues a job of a registered kind; resolves to its id.
   * @throws {BadArgumentError} if the node has no such kind or the arguments do not fit it
   */
  async submit(kind: 'ml.fit', args: FitJobArgs): Promise<string>;
  /** Any registered kind (`echo`, `sum`, ...). */
  async submit(kind: string, args?: Record<string, unknown>): Promise<string>;
  async submit(kind: string, args: object = {}): Promise<string> {
    return (await this.call('submit', [kind, args])) as string;
  }

  /**
   * The job's state, last progress, times and error.
   * @throws {BadArgumentError} if the node knows no job of that id
   */
  async status(id: string): Promise<JobStatus> {
    return (await this.call('status', [id])) as JobStatus;
  }

  /**
   * Waits for the job's result (the node holds the call until the job finishes).
   * @param timeoutMs give up after this long (the job keeps running); default: wait as long as it takes
   * @throws {TimeoutError} if `timeoutMs` passed first
   * @throws {CrucialError} the job's own error if it failed (its code kept: `ERR_BAD_ARGUMENT`,
   * `ERR_TASK_FAILED`...), `IllegalStateError` if it was cancelled
   */
  async result<T = unknown>(id: string, timeoutMs?: number): Promise<T> {
    return (await this.call('result', timeoutMs === undefined ? [id] : [id, timeoutMs])) as T;
  }

  /** Cancels a queued or running job; true if it had not finished. */
  async cancel(id: string): Promise<boolean> {
    return (await this.call('cancel', [id])) as boolean;
  }

  /** The status of every job the node still keeps. */
  async list(): Promise<JobStatus[]> {
    return (await this.call('list', [])) as JobStatus[];
  }

  /** The job kinds the node runs. */
  async kinds(): Promise<string[]> {
    return (await this.call('kinds', [])) as string[];
  }
}

/**
 * Submits a job and waits for its result: `await submitJob('ml.fit', {algorithm: 'kmeans', ...})`.
 * @throws {BadArgumentError} if the node has no such kind or the arguments do not fit it
 * @throws {CrucialError} the job's error if it failed
 */
export async function submitJob(kind: 'ml.fit', args: FitJobArgs, connection?: Connection): Promise<FitJobResult>;
/** Any registered kind. */
export async function submitJob<T = unknown>(kind: string, args?: Record<string, unknown>, connection?: Connection): Promise<T>;
export async function submitJob(kind: string, args: object = {}, connection?: Connection): Promise<unknown> {
  const client = new JobClient(connection);
  const id = await client.submit(kind, args as Record<string, unknown>);
  return client.result(id);
}
