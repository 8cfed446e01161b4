/**
 * The embedded default runner: a piscina pool of worker threads, one per core, each able to host
 * many cloud threads at once. Cloud threads that wait (on a barrier, a future) yield their worker,
 * so a group larger than the number of cores still meets at a barrier instead of deadlocking.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { InvalidOptionError } from '../../core/protocol/errors.ts';
import type { TaskRequest, TaskResponse, TaskRunner } from '../runner.ts';
import { programTsxApi } from './ts-loader.ts';
import { WORKER_LOADED } from './messages.ts';

/**
 * Compiled (the package's dist/), workers load worker.js with plain node: no TypeScript compiler
 * at start. From the checkout's sources (under tsx) they load worker-entry.mjs, which registers tsx.
 */
const COMPILED = import.meta.url.endsWith('.js');

/** Options of {@link LocalPool}. */
export interface LocalPoolOptions {
  /** Worker threads; default: the number of cores. */
  threads?: number;
  /** Cloud threads a worker may host concurrently; default 256. */
  tasksPerThread?: number;
}

/**
 * Longest wait for every worker to load before tasks go to those that have: a worker that cannot
 * load is replaced by piscina (or its error surfaces as before), and tasks must not wait on it forever.
 */
const LOAD_WAIT_MS = 10_000;

/**
 * The embedded default {@link TaskRunner}: a piscina pool of worker threads, each hosting many
 * cloud threads at once.
 * @throws {InvalidOptionError} from the constructor if `threads` or `tasksPerThread` is not a positive integer
 */
export class LocalPool implements TaskRunner {
  private readonly pool: Piscina;
  /**
   * Resolves once every initial worker has loaded its modules. Tasks wait for it, so tasks submitted
   * together start together: otherwise the worker that loads first starts its share while the
   * others still load, and a group meant to run side by side runs in turns.
   */
  private readonly loaded: Promise<void>;
  private endLoadWait: () => void = () => undefined;

  constructor(options: LocalPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads <= 0) throw new InvalidOptionError('options.threads must be a positive integer');
    const perThread = options.tasksPerThread ?? 256;
    if (!Number.isInteger(perThread) || perThread <= 0) throw new InvalidOptionError('options.tasksPerThread must be a positive integer');
    this.pool = new Piscina({
      filename: new URL(COMPILED ? './worker.js' : './worker-entry.mjs', import.meta.url).href,
      workerData: { tsxApi: COMPILED ? programTsxApi() : null },
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: perThread,
      idleTimeout: 30_000,
      maxQueue: 'auto',
    });
    this.loaded = new Promise<void>((resolve) => {
      let count = 0;
      // Not unref'd: tasks waiting on it must keep the program alive; close() ends the wait.
      const timer = setTimeout(done, LOAD_WAIT_MS);
      const onMessage = (m: unknown) => { if (m === WORKER_LOADED && ++count >= threads) done(); };
      const pool = this.pool;
      function done() {
        clearTimeout(timer);
        pool.off('message', onMessage);
        resolve();
      }
      pool.on('message', onMessage);
      this.endLoadWait = done;
    });
  }

  /** The number of worker threads running now. */
  get threads(): number { return this.pool.threads.length; }

  async run(request: TaskRequest): Promise<TaskResponse> {
    await this.loaded;
    return this.pool.run(request);
  }

  async close(): Promise<void> {
    this.endLoadWait();
    await this.pool.close();
  }
}
