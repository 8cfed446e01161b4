/**
 * CloudThread: a task run like a Thread (start, then join), on a cloud thread of the executor's
 * runner. `join()` rejects with the task's error if it failed.
 */
import { InvalidOptionError, IllegalStateError } from '../protocol/errors.ts';
import { ServerlessExecutorService, type Task, type TaskFuture } from './executor.ts';

/** Options of a {@link CloudThread}. */
export interface CloudThreadOptions {
  /** Executor to run on; default: one shared by all CloudThreads of the process. */
  executor?: ServerlessExecutorService;
  /** Outside values a function task uses (functions travel as source). */
  captures?: Record<string, unknown>;
}

let shared: ServerlessExecutorService | null = null;

/**
 * A task run like a Java Thread (`start`, then `join`) on a cloud thread of an executor's runner.
 * @throws {InvalidOptionError} from the constructor if `task` is not an object or a function
 */
export class CloudThread {
  private future: TaskFuture<unknown> | null = null;

  constructor(private readonly task: Task, private readonly options: CloudThreadOptions = {}) {
    if (task === null || (typeof task !== 'function' && typeof task !== 'object')) throw new InvalidOptionError('CloudThread needs a Runnable, Callable or function');
  }

  /**
   * Starts the task; a thread starts once.
   * @throws {IllegalStateError} if the thread was already started
   */
  start(): this {
    if (this.future) throw new IllegalStateError('thread already started');
    const executor = this.options.executor ?? (shared ??= new ServerlessExecutorService());
    this.future = executor.submit(this.task, { captures: this.options.captures });
    this.future.then(undefined, () => undefined); // failures surface through join()
    return this;
  }

  /**
   * Waits for the task to end.
   * @throws {IllegalStateError} if the thread was not started
   * @throws {TaskFailedError} if the task threw (the remote error, with its stack, as `cause`)
   * @throws {TimeoutError} if `timeoutMs` elapsed first (the task keeps running)
   * @throws {RejectedError} if the executor was shut down before the task started
   */
  async join(timeoutMs?: number): Promise<void> {
    if (!this.future) throw new IllegalStateError('thread not started');
    await this.future.get(timeoutMs);
  }

  /** Whether the thread was started and its task has not ended yet. */
  isAlive(): boolean {
    return this.future !== null && !this.future.isDone();
  }
}
