/**
 * Body of a local pool worker thread: runs tasks with the shared executor logic. Over the libzmq
 * transport the worker closes its DSO connection when it has no task left: zeromq.js aborts the
 * whole process if a worker thread is terminated with a socket open (zeromq.js issue 411), and the
 * pool may terminate idle workers at any time. The default transport is plain `node:net`, which a
 * terminated thread closes cleanly, so there the connection is kept for the next task.
 */
import { executeTask } from './execute.ts';
import { shutdown } from '../../core/client/context.ts';
import { resolveTransport } from '../../core/protocol/transport/socket.ts';
import type { TaskRequest, TaskResponse } from '../runner.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { registerProgramTsx } from './ts-loader.ts';
import { WORKER_LOADED } from './messages.ts';

// A worker thread's env is its own copy: this marks the thread, not the program, as a worker, so
// it never embeds a node of its own (core/client/context.ts).
process.env.CRUCIAL_WORKER = '1';

// Task modules in TypeScript load here as they do in the program (workers/local/ts-loader.ts).
await registerProgramTsx((workerData as { tsxApi?: string | null } | null)?.tsxApi);
// Modules loaded: the pool holds tasks until every worker says so (LocalPool.loaded).
parentPort?.postMessage(WORKER_LOADED);

let active = 0;

export default async function (request: TaskRequest): Promise<TaskResponse> {
  active++;
  try {
    return await executeTask(request);
  } finally {
    if (--active === 0 && resolveTransport() === 'libzmq') await shutdown();
  }
}
