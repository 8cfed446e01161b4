/**
 * MLServer (Seldon's Open Inference Protocol server) with its scikit-learn runtime, the serving bench's
 * peer: the same protocol as `crucial ml serve`, so one client and one request body measure both.
 * Runs from `.venv-bench/mlserver` (bench/ml/venv.ts); models are laid out by bench/ml/sklearn_model.py.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** A running MLServer. */
export interface MlServer {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** A free loopback TCP port (bound and released: MLServer takes ports, not port 0). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mlserver exited ${child.exitCode}: ${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`mlserver not ready at ${url} after ${timeoutMs} ms: ${log()}`);
}

/**
 * Starts MLServer on the model folders under `repo` (each with its model-settings.json) and waits
 * until every one of `models` answers ready.
 * @param python the mlserver venv's python (its `mlserver` script sits beside it)
 * @param parallelWorkers MLServer's inference worker processes (its default is 1)
 */
export async function startMlServer(python: string, repo: string, models: string[], parallelWorkers = 1): Promise<MlServer> {
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(repo, 'settings.json'), JSON.stringify({
    host: '127.0.0.1', http_port: http, grpc_port: grpc, metrics_port: metrics, parallel_workers: parallelWorkers, debug: false,
  }, null, 2));
  const child = spawn(join(dirname(python), 'mlserver'), ['start', repo], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${http}`;
  try {
    for (const m of models) await waitReady(`${url}/v2/models/${m}/ready`, child, () => out, 180_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url,
    child,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
