/**
 * The two servers under test, each in its own process on loopback: redis-server (persistence off)
 * and a DSO node. Both are stopped by `stop()` and on process exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { GcStats } from './gc.ts';
import { PLAIN_USERNAME, registerCredentials } from '../../core/protocol/transport/credentials.ts';

export interface Server {
  address: string;
  /** A DSO node started with `ipc`: its Unix socket address. */
  ipcAddress?: string;
  port: number;
  version: string;
  stop(): Promise<void>;
  /** The server's GC pauses since the last call (a DSO node only). */
  gc?(): Promise<GcStats>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const children = new Set<ChildProcess>();
process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { children.delete(child); resolve(); return; }
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => { clearTimeout(timer); children.delete(child); resolve(); });
    child.kill('SIGTERM');
  });
}

/**
 * Pins a process, all its threads, to a CPU list (`taskset`). On a VM a wake-up across CPUs costs
 * ~50 µs more than one on the same CPU (a bare TCP echo: ~23 µs on one CPU, ~75 µs across two), and
 * the scheduler decides that placement differently for a light single-threaded redis-server and a
 * Node process; without pinning the comparison measures the scheduler. Returns false when the
 * machine cannot pin (no taskset, one CPU).
 */
export function pinProcess(pid: number, cpus: string): boolean {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface StartOptions {
  /** CPU list to pin the server to (`taskset` syntax, e.g. "1"). */
  cpus?: string;
  /** DSO node: also listen on a Unix socket in a fresh temporary directory (`Server.ipcAddress`). */
  ipc?: boolean;
}

export class MissingRedisError extends Error {
  override name = 'MissingRedisError';
}

/** Starts `redis-server` on a free loopback port, without persistence; fails clearly if it is not installed. */
export async function startRedis(opts: StartOptions = {}): Promise<Server> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new MissingRedisError('redis-server is not installed (Debian/Ubuntu: sudo apt-get install -y redis-server); the benchmark compares against it in the same run');
  }
  const version = /v=(\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim();
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // refused while the server boots: retried below
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      client.disconnect();
      if (child.exitCode !== null || Date.now() > deadline) { await stopChild(child); throw new Error(`redis-server did not start on port ${port}: ${(err as Error).message}`); }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.disconnect();
  // Pinned once up, so the threads it started are pinned too.
  if (opts.cpus !== undefined) pinProcess(child.pid!, opts.cpus);
  return { address: `127.0.0.1:${port}`, port, version, stop: () => stopChild(child) };
}

/** Starts a DSO node in a child process (so it does not share the clients' event loop). */
export async function startDsoProcess(opts: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  const entry = fileURLToPath(new URL('./dso-child.ts', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DSO_PORT: String(port) };
  delete env.CRUCIAL_DSO;
  const ipcDir = opts.ipc ? mkdtempSync(join(tmpdir(), 'crucial-bench-')) : undefined;
  const ipcAddress = ipcDir ? `ipc://${join(ipcDir, 'dso.sock')}` : undefined;
  if (ipcAddress) env.BENCH_DSO_IPC = ipcAddress.slice('ipc://'.length);
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'inherit'], env });
  children.add(child);
  const address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('DSO node did not start within 20 s')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\S+) (\S*)\n/.exec(buf);
      if (m) {
        clearTimeout(timer);
        // The node demands PLAIN credentials: this process's clients find its token by its address.
        for (const a of [m[1]!, ipcAddress]) if (m[2] && a) registerCredentials(a, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: m[2] });
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`DSO node exited with code ${code}`)); });
  });
  if (opts.cpus !== undefined) pinProcess(child.pid!, opts.cpus);
  const gc = () => new Promise<GcStats>((resolve) => {
    let line = '';
    const on = (d: Buffer) => {
      line += d.toString();
      const m = /GC (\{.*\})\n/.exec(line);
      if (m) { child.stdout!.off('data', on); resolve(JSON.parse(m[1]!) as GcStats); }
    };
    child.stdout!.on('data', on);
    child.kill('SIGUSR2');
  });
  const stop = async () => { await stopChild(child); if (ipcDir) rmSync(ipcDir, { recursive: true, force: true }); };
  return { address, ipcAddress, port, version: 'crucial (this checkout)', stop, gc };
}
