/**
 * bench/hot-path-empty-task.ts --hops: the local pool's worker with a clock stamp
 * (performance.timeOrigin + performance.now(), the same clock in every thread) at each step of
 * workers/local/execute.ts's executeTask, buffered here and returned by a request with no frames.
 */
import { decodeTaskSpec, encodeResult } from '../../core/threads/task-codec.ts';
import { useDso } from '../../core/client/context.ts';
import '../../core/index.ts';
import { parentPort } from 'node:worker_threads';
import type { TaskRequest, TaskResponse } from '../../workers/runner.ts';
import { WORKER_LOADED } from '../../workers/local/messages.ts';

process.env.CRUCIAL_WORKER = '1';
parentPort?.postMessage(WORKER_LOADED);

const now = () => performance.timeOrigin + performance.now();
const stamps: number[][] = [];

export default async function (request: TaskRequest): Promise<TaskResponse> {
  if (request.frames.length === 0) {
    const out = JSON.stringify(stamps.splice(0));
    return { ok: false, error: { code: 'STAMPS', name: 'Stamps', message: out, stack: '' } };
  }
  const s = [now()];
  await useDso(request.dso, request.security);
  s.push(now());
  const spec = (await decodeTaskSpec(request.frames)) as { task: () => unknown };
  s.push(now());
  s.push(now());
  const result = await spec.task();
  s.push(now());
  const frames = await encodeResult(result);
  s.push(now());
  stamps.push(s);
  return { ok: true, frames };
}
