/**
 * ServerlessExecutorService: java.util.concurrent.ExecutorService for cloud threads, plus the seed's
 * distributed parallel for (`invokeIterativeTask`). Tasks are encoded once and handed to a runner
 * (the local worker pool by default); a failed task is retried with exponential backoff, then
 * rejects with ERR_TASK_FAILED carrying the remote error and stack as `cause`.
 */
import type { TaskRunner, TaskResponse } from '../../workers/runner.ts';
import { dsoAddress, dsoCredentials, onShutdown } from '../client/context.ts';
import { InvalidOptionError, RejectedError, TaskFailedError, TimeoutError, errorFromData } from '../protocol/errors.ts';
import { decodeResult, encodeFunctionTask, encodeTask, materializeProxies, toWire, type Captured } from './task-codec.ts';

/**
 * A task: an object with `run()` (Runnable) or `call()` (Callable), a function, or a function with
 * its own captured values (`withCaptures`).
 */
export type Task<T = unknown> =
  | {
    /** A Runnable's body; its result is ignored. */
    run(): unknown;
  }
  | {
    /** A Callable's body; its (awaited) result is the task's result. */
    call(): T | Promise<T>;
  }
  | (() => T | Promise<T>)
  | Captured<() => T | Promise<T>>;
/** The body of an iterative task: a function of the index (alone or `withCaptures`), or an object with `run(index)`. */
export type IterativeTask =
  | ((index: number) => unknown)
  | {
    /** Runs iteration `index`. */
    run(index: number): unknown;
  }
  | Captured<(index: number) => unknown>;
/**
 * What a task resolves to: a function's or `call()`'s awaited result; null for a Runnable (`run()`).
 * An object with both runs `call()`, as the worker does.
 */
export type TaskResult<X> =
  X extends Captured<() => infer R> ? Awaited<R>
  : X extends () => infer R ? Awaited<R>
  : X extends {
    /** A Callable's body. */
    call(): infer R;
  } ? Awaited<R>
  : X extends {
    /** A Runnable's body. */
    run(): unknown;
  } ? null
  : unknown;

/** Options of a {@link ServerlessExecutorService}. */
export interface ExecutorOptions {
  /** Where tasks run; default: the process-wide local worker pool. */
  runner?: TaskRunner;
  /** Attempts after the first when a task fails; default 0. */
  retries?: number;
  /** Delay before the first retry, doubled each time (ms); default 100. */
  backoffMs?: number;
}

/** Options of one submission (`submit`, `invokeAll`, `invokeAny`). */
export interface SubmitOptions {
  /** Outside values a function task uses, passed to it by name (functions travel as source). */
  captures?: Record<string, unknown>;
}

/** Options of `invokeIterativeTask`. */
export interface IterativeOptions extends SubmitOptions {
  /** Runs in the caller once every iteration is done. */
  finalizer?: () => unknown;
}

let defaultRunner: Promise<TaskRunner> | null = null;

/** The process-wide local pool, created on first use and closed by `shutdown()`. */
export function defaultTaskRunner(): Promise<TaskRunner> {
  if (!defaultRunner) {
    defaultRunner = import('../../workers/local/pool.ts').then(({ LocalPool }) => new LocalPool());
    onShutdown(async () => {
      const r = defaultRunner;
      defaultRunner = null;
      await (await r)?.close();
    });
  }
  return defaultRunner;
}

/** The result of a submitted task; awaitable, like a completed Java Future's get(). */
export class TaskFuture<T> implements PromiseLike<T> {
  private done = false;
  constructor(private readonly promise: Promise<T>) {
    promise.then(() => { this.done = true; }, () => { this.done = true; });
  }
  /**
   * Waits for the result.
   * @throws {TimeoutError} if `timeoutMs` elapsed first (the task keeps running)
   * @throws {TaskFailedError} if the task threw (the remote error, with its stack, as `cause`)
   * @throws {RejectedError} if the executor was shut down before the task started
   */
  get(timeoutMs?: number): Promise<T> {
    if (timeoutMs === undefined) return this.promise;
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`task did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.promise, timeout]).finally(() => clearTimeout(timer));
  }
  /** Whether the task has finished (with a result or an error). */
  isDone(): boolean { return this.done; }
  then<A = T, B = never>(ok?: ((v: T) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.promise.then(ok, fail);
  }
}

/**
 * The seed's ExecutorService over cloud threads: tasks run on the executor's runner (the local
 * worker pool by default), failures are retried `retries` times with exponential backoff, and a
 * task that still fails rejects with {@link TaskFailedError} carrying the remote error as `cause`.
 * A task submitted after `shutdown()` rejects with {@link RejectedError}; a task whose value cannot
 * be encoded for the worker rejects with {@link NotSerializableError}.
 * @throws {InvalidOptionError} from the constructor if `retries` is not a non-negative integer or `backoffMs` is negative
 */
export class ServerlessExecutorService {
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly runner: Promise<TaskRunner>;
  private readonly running = new Set<Promise<unknown>>();
  private shut = false;
  private runnerReady = false;

  constructor(options: ExecutorOptions = {}) {
    this.retries = options.retries ?? 0;
    if (!Number.isInteger(this.retries) || this.retries < 0) throw new InvalidOptionError('options.retries must be a non-negative integer');
    this.backoffMs = options.backoffMs ?? 100;
    if (!(this.backoffMs >= 0)) throw new InvalidOptionError('options.backoffMs must be >= 0');
    this.runner = options.runner ? Promise.resolve(options.runner) : defaultTaskRunner();
  }

  /** Runs one task; its future resolves to `call()`'s / the function's result (null for `run()`). */
  submit<X extends Task<unknown>>(task: X, options?: SubmitOptions): TaskFuture<TaskResult<X>>;
  /** With the result type given explicitly (`submit<number>(task)`). */
  submit<T>(task: Task<T>, options?: SubmitOptions): TaskFuture<T>;
  submit(task: Task<unknown>, options: SubmitOptions = {}): TaskFuture<unknown> {
    return new TaskFuture(this.track(this.execute({ mode: 'task' }, task, options.captures)));
  }

  /**
   * Runs every task in parallel; resolves to their results in order, rejects on the first failure.
   * `options.captures` go to every function task; `withCaptures` gives one task values of its own.
   * The result is typed per task: `invokeAll([() => 1, async () => 'a'])` is `Promise<[number, string]>`.
   */
  invokeAll<const Xs extends readonly Task<unknown>[]>(tasks: Xs, options?: SubmitOptions): Promise<{ -readonly [I in keyof Xs]: TaskResult<Xs[I]> }>;
  /** With the result type given explicitly (`invokeAll<number>(tasks)`). */
  invokeAll<T>(tasks: readonly Task<T>[], options?: SubmitOptions): Promise<T[]>;
  invokeAll(tasks: readonly Task<unknown>[], options: SubmitOptions = {}): Promise<unknown[]> {
    return Promise.all(tasks.map((t) => this.submit(t, options).get()));
  }

  /**
   * Runs every task; resolves to the first successful result (rejects if all fail).
   * @throws {InvalidOptionError} if `tasks` is empty
   */
  invokeAny<X extends Task<unknown>>(tasks: readonly X[], options?: SubmitOptions): Promise<TaskResult<X>>;
  /** With the result type given explicitly (`invokeAny<number>(tasks)`). */
  invokeAny<T>(tasks: readonly Task<T>[], options?: SubmitOptions): Promise<T>;
  async invokeAny(tasks: readonly Task<unknown>[], options: SubmitOptions = {}): Promise<unknown> {
    if (tasks.length === 0) throw new InvalidOptionError('invokeAny needs at least one task');
    try {
      return await Promise.any(tasks.map((t) => this.submit(t, options).get()));
    } catch (err) {
      throw err instanceof AggregateError ? err.errors[0] : err;
    }
  }

  /**
   * Distributed parallel for: runs `body(i)` for every i in [from, to), split into `nTasks`
   * contiguous ranges, one cloud thread each (static scheduling, as in the seed).
   * @throws {InvalidOptionError} if `nTasks` is not a positive integer, or `from`/`to` are not integers with `from <= to`
   * @throws {TaskFailedError} if an iteration's task failed (after its retries)
   */
  async invokeIterativeTask(body: IterativeTask, nTasks: number, from: number, to: number, options: IterativeOptions = {}): Promise<void> {
    if (!Number.isInteger(nTasks) || nTasks <= 0) throw new InvalidOptionError('nTasks must be a positive integer');
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) throw new InvalidOptionError('from and to must be integers with from <= to');
    const total = to - from;
    const chunks: Promise<unknown>[] = [];
    for (let t = 0; t < nTasks; t++) {
      const lo = from + Math.floor((total * t) / nTasks);
      const hi = from + Math.floor((total * (t + 1)) / nTasks);
      if (hi > lo) chunks.push(this.track(this.execute({ mode: 'range', from: lo, to: hi }, body, options.captures)));
    }
    await Promise.all(chunks);
    await options.finalizer?.();
  }

  /** Refuses new tasks; running ones finish. */
  shutdown(): void { this.shut = true; }
  /** Whether `shutdown()` was called. */
  isShutdown(): boolean { return this.shut; }
  /** Whether `shutdown()` was called and every running task has finished. */
  isTerminated(): boolean { return this.shut && this.running.size === 0; }

  /** Waits for running tasks after `shutdown()`; true if all finished within `timeoutMs`. */
  async awaitTermination(timeoutMs = Infinity): Promise<boolean> {
    const all = Promise.allSettled([...this.running]).then(() => true);
    if (!Number.isFinite(timeoutMs)) return all;
    let timer: NodeJS.Timeout;
    const late = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); });
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const drop = () => { this.running.delete(p); };
    p.then(drop, drop);
    return p;
  }

  private async execute<T>(spec: { mode: 'task' | 'range'; from?: number; to?: number }, task: unknown, captures?: Record<string, unknown>): Promise<T> {
    if (this.shut) throw new RejectedError('executor is shut down');
    // A function without captures has nothing to walk or materialize: its bytes are kept by source.
    const bare = spec.mode === 'task' && typeof task === 'function' && (captures === undefined || Object.keys(captures).length === 0);
    const wire = bare ? null : toWire(task, captures);
    // A cold start's longest chain is the pool's workers booting: have them spawned before this
    // thread starts the embedded node for the task's proxies, so the node starts while they boot
    // (issue 10; before, the node's modules loaded first and the workers waited for them).
    if (!this.runnerReady) { await this.runner; this.runnerReady = true; }
    let frames: Uint8Array[];
    // The nodes the task's proxies are bound to: a worker reaches only the program's (CRUCIAL_DSO).
    const bound = new Set<string>();
    if (bare) frames = await encodeFunctionTask(task as Function);
    else {
      const seen = new Set<object>();
      await materializeProxies(task, seen, bound);
      if (captures) await materializeProxies(captures, seen, bound);
      frames = await encodeTask({ ...spec, task: wire });
    }
    const [runner, dso] = await Promise.all([this.runner, dsoAddress()]);
    for (const address of bound) {
      if (address !== dso) {
        throw new InvalidOptionError(`a shared object of this task is bound to the node at ${address}, but workers use the program's node at ${dso}: `
          + 'in the task it would name an object there, not this one. Use the default connection for objects tasks share, and point it at that node (CRUCIAL_DSO)');
      }
    }
    for (let attempt = 0; ; attempt++) {
      let response: TaskResponse;
      try {
        response = await runner.run({ frames, dso, security: dsoCredentials(dso) });
      } catch (err) {
        response = { ok: false, error: { code: 'ERR_TASK_FAILED', name: (err as Error)?.name ?? 'Error', message: `worker failed: ${(err as Error)?.message ?? String(err)}`, stack: (err as Error)?.stack ?? '' } };
      }
      if (response.ok) return (await decodeResult(response.frames)) as T;
      if (attempt >= this.retries) {
        const cause = errorFromData(response.error);
        const err = new TaskFailedError(`cloud thread failed: ${response.error.name}: ${response.error.message}`, { cause });
        err.remoteName = response.error.name;
        err.remoteStack = response.error.stack;
        throw err;
      }
      await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** attempt));
    }
  }
}
