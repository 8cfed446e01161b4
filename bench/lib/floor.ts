/**
 * Floor clients of the hot-path bench (issue 13): a request/answer of given sizes over a bare
 * node:net socket and over crucial's bare ZMTP DEALER, against bench/lib/floor-server.ts in its own
 * process. What a crucial call costs above these is codec, dispatch and bookkeeping.
 */
import { spawn } from 'node:child_process';
import { connect as tcpConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ZmtpDealer } from '../../core/protocol/transport/zmtp/dealer.ts';
import { pinProcess } from './servers.ts';

export interface FloorServer {
  tcpPort: number;
  zmtp: string;
  stop(): Promise<void>;
}

/** Starts floor-server.ts in a child (pinned to `cpus` when given). */
export async function startFloorServer(cpus?: string): Promise<FloorServer> {
  const entry = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill('SIGKILL'));
  const addr = await new Promise<{ tcp: number; zmtp: string }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('floor server did not start within 20 s')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\{.*\})/.exec(buf);
      if (m) { clearTimeout(timer); resolve(JSON.parse(m[1]!)); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`floor server exited with code ${code}`)); });
  });
  if (cpus !== undefined) pinProcess(child.pid!, cpus);
  return {
    tcpPort: addr.tcp,
    zmtp: addr.zmtp,
    stop: () => new Promise<void>((r) => { if (child.exitCode !== null) return r(); child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

/** A round trip of `up` bytes out and `down` bytes back; requests are built once. */
export type Echo = (up: number, down: number) => Promise<void>;

/** Bare node:net echo: one length-prefixed write, answer read whole. */
export async function tcpEcho(port: number): Promise<{ echo: Echo; close(): void }> {
  const s: Socket = tcpConnect(port, '127.0.0.1');
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const requests = new Map<string, Buffer>();
  let want = 0;
  let got = 0;
  let done: () => void = () => undefined;
  s.on('data', (d: Buffer) => { got += d.length; if (got >= want) done(); });
  const echo: Echo = (up, down) => {
    const k = `${up}/${down}`;
    let req = requests.get(k);
    if (!req) {
      req = Buffer.alloc(4 + Math.max(4, up), 1);
      req.writeUInt32BE(req.length - 4, 0);
      req.writeUInt32BE(down, 4);
      requests.set(k, req);
    }
    want = 4 + down;
    got = 0;
    return new Promise<void>((r) => { done = r; s.write(req); });
  };
  return { echo, close: () => s.destroy() };
}

/** Bare ZMTP echo: crucial's own DEALER, one frame each way, no codec. */
export async function zmtpEcho(endpoint: string): Promise<{ echo: Echo; close(): void }> {
  let done: () => void = () => undefined;
  let up: () => void = () => undefined;
  const ready = new Promise<void>((r) => { up = r; });
  const dealer = new ZmtpDealer(endpoint, () => done(), { onStatus: (s) => { if (s.type === 'connect') up(); } });
  await ready;
  const requests = new Map<string, Buffer>();
  const echo: Echo = (n, down) => {
    const k = `${n}/${down}`;
    let req = requests.get(k);
    if (!req) {
      req = Buffer.alloc(Math.max(4, n), 1);
      req.writeUInt32BE(down, 0);
      requests.set(k, req);
    }
    return new Promise<void>((r) => { done = r; dealer.send([req]); });
  };
  return { echo, close: () => dealer.close() };
}
