/**
 * Body of a local pool worker thread: runs tasks with the shared executor logic. When the worker
 * has no task left it closes its DSO connection: zeromq.js aborts the whole process if a worker
 * thread is terminated with a socket open (zeromq.js issue 411), and the pool may terminate idle
 * workers at any time. The next task reconnects, which costs well under a millisecond on loopback.
 */
import { executeTask } from './execute.ts';
import { shutdown } from '../../core/client/context.ts';
import type { TaskRequest, TaskResponse } from '../runner.ts';

let active = 0;

export default async function (request: TaskRequest): Promise<TaskResponse> {
  active++;
  try {
    return await executeTask(request);
  } finally {
    if (--active === 0) await shutdown();
  }
}
