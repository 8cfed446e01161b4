/**
 * The embedded default runner: a piscina pool of worker threads, one per core, each able to host
 * many cloud threads at once. Cloud threads that wait (on a barrier, a future) yield their worker,
 * so a group larger than the number of cores still meets at a barrier instead of deadlocking.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { InvalidOptionError } from '../../core/errors.ts';
import type { TaskRequest, TaskResponse, TaskRunner } from '../runner.ts';

export interface LocalPoolOptions {
  /** Worker threads; default: the number of cores. */
  threads?: number;
  /** Cloud threads a worker may host concurrently; default 256. */
  tasksPerThread?: number;
}

export class LocalPool implements TaskRunner {
  private readonly pool: Piscina;

  constructor(options: LocalPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads <= 0) throw new InvalidOptionError('options.threads must be a positive integer');
    const perThread = options.tasksPerThread ?? 256;
    if (!Number.isInteger(perThread) || perThread <= 0) throw new InvalidOptionError('options.tasksPerThread must be a positive integer');
    this.pool = new Piscina({
      filename: new URL('./worker-entry.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: perThread,
      idleTimeout: 30_000,
      maxQueue: 'auto',
    });
  }

  get threads(): number { return this.pool.threads.length; }

  run(request: TaskRequest): Promise<TaskResponse> {
    return this.pool.run(request);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
