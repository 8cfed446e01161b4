// Floor workers of bench/hot-path-empty-task.ts. Loaded by piscina as its handler (the default
// export answers what LocalPool's worker answers for an empty task) or started as a bare
// worker_threads Worker (workerData.pingPong: echo every message on parentPort).
import { parentPort, workerData } from 'node:worker_threads';

if (workerData?.pingPong) parentPort.on('message', (m) => parentPort.postMessage(m));

const reply = { ok: true, frames: [new Uint8Array([0x91, 0xc0])] };
export default function emptyTask() { return reply; }
