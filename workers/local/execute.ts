/**
 * Runs one decoded task in the current thread: a Runnable (`run()`), a Callable (`call()`), a
 * function, or an iteration range of an iterative task. Shared between the local pool's workers and
 * any other runtime that hosts cloud threads.
 */
import { decodeTaskSpec, encodeResult } from '../../core/threads/task-codec.ts';
import { errorToData } from '../../core/protocol/errors.ts';
import { useDso } from '../../core/client/context.ts';
// Every proxy type must be registered before a task's references are revived.
import '../../core/index.ts';
import type { TaskRequest, TaskResponse } from '../runner.ts';

/** The shape the executor sends. */
export interface TaskSpec {
  /** 'task': run/call/function once; 'range': call `fn(i)` / `task.run(i)` for i in [from, to). */
  mode: 'task' | 'range';
  task: unknown;
  from?: number;
  to?: number;
}

export async function executeTask(request: TaskRequest): Promise<TaskResponse> {
  try {
    // The parent's node, whenever it was started: this worker may predate it, or have used another.
    await useDso(request.dso, request.security);
    const spec = (await decodeTaskSpec(request.frames)) as TaskSpec;
    const result = spec.mode === 'range' ? await runRange(spec) : await runOnce(spec.task);
    return { ok: true, frames: await encodeResult(result) };
  } catch (err) {
    return { ok: false, error: errorToData(err) };
  }
}

async function runOnce(task: any): Promise<unknown> {
  if (typeof task === 'function') return task();
  if (task && typeof task.call === 'function') return task.call();
  if (task && typeof task.run === 'function') { await task.run(); return null; }
  throw new TypeError('a task must be a function or an object with run() or call()');
}

async function runRange(spec: TaskSpec): Promise<null> {
  const body = spec.task as any;
  const step = typeof body === 'function' ? body : body && typeof body.run === 'function' ? (i: number) => body.run(i) : null;
  if (!step) throw new TypeError('an iterative task must be a function of the index or an object with run(index)');
  for (let i = spec.from!; i < spec.to!; i++) await step(i);
  return null;
}
