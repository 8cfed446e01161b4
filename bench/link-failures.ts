/**
 * Issue 9 §4: how long a pending call takes to fail with ERR_UNAVAILABLE when the link to the node
 * fails, and the cause its message gives, per failure and client (TS over crucial's ZMTP, TS over
 * zeromq.js, Python over pyzmq). Each failure is injected for real: nothing listening, a node
 * process killed (SIGKILL) or frozen (SIGSTOP) with a call in flight, an HTTP server or a silent
 * TCP server on the port. Times run from the injection (or from the first call, when the port was
 * bad from the start) to the rejection; the median of `--rounds` is printed.
 *
 *   npx tsx bench/link-failures.ts [--rounds 3] [--clients zmtp,libzmq,python] [--unavailable-ms 2000]
 */
import { Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Connection } from '../core/client/connection.ts';
import type { TransportKind } from '../core/protocol/transport/socket.ts';

const BIN = fileURLToPath(new URL('../core/cli/bin.js', import.meta.url));
const PYTHON_DIR = fileURLToPath(new URL('../bridges/python', import.meta.url));
const int = (v: string) => Number.parseInt(v, 10);
const opts = new Command('link-failures')
  .description('time from a link failure to ERR_UNAVAILABLE on a pending call, with the cause the message gives')
  .option('-r, --rounds <n>', 'measurements per failure and client (median printed)', int, 3)
  .option('-c, --clients <list>', 'clients to measure: zmtp, libzmq (TS transports), python', 'zmtp,libzmq,python')
  .option('-u, --unavailable-ms <ms>', 'CRUCIAL_UNAVAILABLE_MS given to every client', int, 2000)
  .parse()
  .opts<{ rounds: number; clients: string; unavailableMs: number }>();

type Client = 'zmtp' | 'libzmq' | 'python';
type Failure = 'refused' | 'killed' | 'frozen' | 'http' | 'silent';
const FAILURES: [Failure, string][] = [
  ['refused', 'refused connect (nothing listening)'],
  ['killed', 'node killed (SIGKILL), call in flight'],
  ['frozen', 'node frozen (SIGSTOP), call in flight'],
  ['http', 'wrong protocol: HTTP server on the port'],
  ['silent', 'wrong protocol: TCP server that never answers'],
];

/** One outcome: ms from the failure to the rejection, and what the rejection said. */
interface Outcome { ms: number; code: string; message: string }

interface Target {
  address: string;
  /** The node process, for failures a Python client injects itself. */
  pid?: number;
  inject(): void;
  close(): Promise<void>;
}

async function nodeProcess(): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { out += d; const m = /ready at (tcp:\/\/\S+)/.exec(out); if (m) resolve(m[1]!); });
    child.once('exit', (code) => reject(new Error(`node exited ${code}: ${out}`)));
  });
  return { child, address };
}

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Sets up the failure; `inject` starts it (a no-op when the port is bad from the start). */
async function target(failure: Failure): Promise<Target> {
  switch (failure) {
    case 'refused': {
      const probe = createServer();
      const address = await listening(probe);
      await new Promise((r) => probe.close(r)); // nothing listens there any more
      return { address, inject: () => undefined, close: async () => undefined };
    }
    case 'killed':
    case 'frozen': {
      const { child, address } = await nodeProcess();
      return {
        address,
        pid: child.pid,
        inject: () => { child.kill(failure === 'killed' ? 'SIGKILL' : 'SIGSTOP'); },
        close: async () => { const gone = once(child, 'exit'); child.kill('SIGKILL'); if (child.exitCode === null && child.signalCode === null) await gone; },
      };
    }
    case 'http': {
      const http = createHttpServer((_q, res) => res.end('hello'));
      const address = await listening(http);
      return { address, inject: () => undefined, close: async () => { http.closeAllConnections(); await new Promise((r) => http.close(r)); } };
    }
    case 'silent': {
      const sockets = new Set<import('node:net').Socket>();
      const server = createServer((s) => { sockets.add(s); s.on('error', () => undefined).on('data', () => undefined); });
      const address = await listening(server);
      return { address, inject: () => undefined, close: async () => { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); } };
    }
  }
}

async function measureTs(transport: TransportKind, failure: Failure): Promise<Outcome> {
  const t = await target(failure);
  const conn = new Connection(t.address, { transport, unavailableAfterMs: opts.unavailableMs });
  try {
    if (failure === 'killed' || failure === 'frozen') await conn.call('AtomicLong', 'bench', 'incrementAndGet', []);
    const start = performance.now();
    t.inject();
    const err = await conn.call('AtomicLong', 'bench', 'incrementAndGet', []).then(() => new Error('answered'), (e: unknown) => e as Error & { code?: string });
    return { ms: performance.now() - start, code: String((err as { code?: string }).code), message: err.message };
  } finally {
    await conn.close();
    await t.close();
  }
}

const PY = `
import json, os, signal, sys, time
from crucial.client.connection import Connection
address, failure, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Connection(address)
try:
    if failure in ("killed", "frozen"):
        c.call("AtomicLong", "bench", "incrementAndGet", [], timeout=10)
    start = time.monotonic()
    if pid:
        os.kill(pid, signal.SIGKILL if failure == "killed" else signal.SIGSTOP)
    try:
        c.call("AtomicLong", "bench", "incrementAndGet", [], timeout=60)
        out = {"code": "none", "message": "answered"}
    except Exception as e:
        out = {"code": getattr(e, "code", type(e).__name__), "message": str(e)}
    out["ms"] = (time.monotonic() - start) * 1000
    print(json.dumps(out))
finally:
    c.close()
`;

async function measurePython(failure: Failure): Promise<Outcome> {
  const t = await target(failure);
  try {
    // The Python process sends the signal itself, right before its call, so one clock times both.
    // Spawned asynchronously: the HTTP and silent servers live in this process's event loop.
    const py = spawn('python3', ['-c', PY, t.address, failure, String(t.pid ?? 0)], {
      cwd: PYTHON_DIR, env: { ...process.env, CRUCIAL_UNAVAILABLE_MS: String(opts.unavailableMs) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    py.stdout.on('data', (d: Buffer) => { out += d; });
    py.stderr.on('data', (d: Buffer) => { err += d; });
    const [status] = await once(py, 'exit') as [number | null];
    if (status !== 0) throw new Error(`python failed: ${err}`);
    return JSON.parse(out.trim().split('\n').at(-1)!) as Outcome;
  } finally {
    await t.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const clients = opts.clients.split(',').map((c) => c.trim()) as Client[];
console.log(`Time from the failure to ERR_UNAVAILABLE on a pending call (median of ${opts.rounds}; unavailable window ${opts.unavailableMs} ms, heartbeat 1 s / timeout 3 s)\n`);
console.log('| failure | client | time to ERR_UNAVAILABLE (ms) | code | cause the message gives |');
console.log('|---|---|---:|---|---|');
for (const [failure, label] of FAILURES) {
  for (const client of clients) {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      outcomes.push(client === 'python' ? await measurePython(failure) : await measureTs(client, failure));
    }
    const last = outcomes.at(-1)!;
    const cause = last.message.replace(/tcp:\/\/127\.0\.0\.1:\d+/g, 'tcp://127.0.0.1:PORT').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/\|/g, '\\|');
    const name = client === 'python' ? 'Python (pyzmq)' : `TS ${client}`;
    console.log(`| ${label} | ${name} | ${median(outcomes.map((o) => o.ms)).toFixed(0)} | ${last.code} | ${cause} |`);
  }
}
