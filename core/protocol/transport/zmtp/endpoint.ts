import { connect as tcpConnect } from 'node:net';
import { InvalidOptionError } from '../../errors.ts';
import { GREETING_BYTES, ZmtpProtocolError, checkGreeting, greeting, preview } from './wire.ts';

/** `tcp://host:port` split; `*` as host means every interface, as in ZeroMQ. */
export function parseTcpEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(endpoint);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidOptionError(`${JSON.stringify(endpoint)} is not a tcp://host:port or ipc://path address`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '*' ? '0.0.0.0' : host, port };
}

export function formatTcpEndpoint(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The longest Unix socket path Linux takes (sun_path, 108 bytes with its NUL). */
const MAX_IPC_PATH_BYTES = 107;

/** An endpoint a ZMTP link can use: TCP, or a Unix domain socket on this host (`ipc://path`, as libzmq names it). */
export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'ipc'; path: string };

/**
 * `tcp://host:port` or `ipc://path` split. An ipc path is a file path (absolute, or relative to the
 * working directory); Linux's abstract namespace (`ipc://@name`) is refused: it has no file
 * permissions, so any local user could connect.
 * @throws {InvalidOptionError} for anything else
 */
export function parseEndpoint(endpoint: string): Endpoint {
  if (!endpoint.startsWith('ipc://')) return { kind: 'tcp', ...parseTcpEndpoint(endpoint) };
  const path = endpoint.slice('ipc://'.length);
  if (path === '' || path.includes('\0')) throw new InvalidOptionError(`${JSON.stringify(endpoint)} is not an ipc://path address`);
  if (path.startsWith('@')) throw new InvalidOptionError(`${JSON.stringify(endpoint)}: abstract Unix sockets are not supported (no file permissions guard them); give a file path`);
  if (Buffer.byteLength(path) > MAX_IPC_PATH_BYTES) throw new InvalidOptionError(`${JSON.stringify(endpoint)}: a Unix socket path is at most ${MAX_IPC_PATH_BYTES} bytes`);
  return { kind: 'ipc', path };
}

/**
 * Tries a plain TCP connect and a ZMTP greeting to learn why a link cannot be made (libzmq
 * retries without saying): resolves to the connect error (ECONNREFUSED, ...), a ZmtpProtocolError
 * naming what a non-ZMTP peer sent, or an Error saying the port accepts but sends no greeting;
 * null when a ZMTP 3 peer answers, whatever its security mechanism (a refusal is the handshake's to report).
 */
export function probeTcp(host: string, port: number, timeoutMs = 250): Promise<Error | null> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    let got = Buffer.alloc(0);
    const done = (err: Error | null) => { clearTimeout(timer); s.destroy(); resolve(err); };
    const timer = setTimeout(() => done(s.connecting
      ? new Error(`TCP connect to ${host}:${port} did not complete within ${timeoutMs} ms`)
      : new Error(`${formatTcpEndpoint(host, port)} accepts TCP connections but sent no ZMTP greeting within ${timeoutMs} ms (a frozen or busy node, or another protocol)`)), timeoutMs).unref();
    s.once('connect', () => { s.write(greeting()); s.end(); });
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got[0] !== 0xff) return done(new ZmtpProtocolError(`not a ZMTP peer: it sent ${preview(got)}`));
      if (got.length < GREETING_BYTES) return;
      try {
        checkGreeting(got.subarray(0, GREETING_BYTES));
        done(null);
      } catch (err) {
        done(err as Error);
      }
    });
    s.once('error', (err) => done(err));
  });
}
