/**
 * CloudThread: a task run like a Thread (start, then join), on a cloud thread of the executor's
 * runner. `join()` rejects with the task's error if it failed.
 */
import { InvalidOptionError, IllegalStateError } from '../protocol/errors.ts';
import { ServerlessExecutorService, type Task, type TaskFuture } from './executor.ts';

export interface CloudThreadOptions {
  /** Executor to run on; default: one shared by all CloudThreads of the process. */
  executor?: ServerlessExecutorService;
  /** Outside values a function task uses (functions travel as source). */
  captures?: Record<string, unknown>;
}

let shared: ServerlessExecutorService | null = null;

export class CloudThread {
  private future: TaskFuture<unknown> | null = null;

  constructor(private readonly task: Task, private readonly options: CloudThreadOptions = {}) {
    if (task === null || (typeof task !== 'function' && typeof task !== 'object')) throw new InvalidOptionError('CloudThread needs a Runnable, Callable or function');
  }

  /** Starts the task; a thread starts once. */
  start(): this {
    if (this.future) throw new IllegalStateError('thread already started');
    const executor = this.options.executor ?? (shared ??= new ServerlessExecutorService());
    this.future = executor.submit(this.task, { captures: this.options.captures });
    this.future.then(undefined, () => undefined); // failures surface through join()
    return this;
  }

  /** Waits for the task to end; rejects with ERR_TASK_FAILED (remote error as cause) if it threw. */
  async join(timeoutMs?: number): Promise<void> {
    if (!this.future) throw new IllegalStateError('thread not started');
    await this.future.get(timeoutMs);
  }

  isAlive(): boolean {
    return this.future !== null && !this.future.isDone();
  }
}
