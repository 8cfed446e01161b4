import { connect as tcpConnect } from 'node:net';
import { InvalidOptionError } from '../../errors.ts';

/** `tcp://host:port` split; `*` as host means every interface, as in ZeroMQ. */
export function parseTcpEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(endpoint);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidOptionError(`${JSON.stringify(endpoint)} is not a tcp://host:port address`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '*' ? '0.0.0.0' : host, port };
}

export function formatTcpEndpoint(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Tries a plain TCP connect to learn why a link cannot be made (libzmq retries without saying):
 * resolves to the connect error (ECONNREFUSED, EHOSTUNREACH, ...), or null when the port accepts.
 */
export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<Error | null> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const done = (err: Error | null) => { clearTimeout(timer); s.destroy(); resolve(err); };
    const timer = setTimeout(() => done(new Error(`TCP connect to ${host}:${port} did not complete within ${timeoutMs} ms`)), timeoutMs).unref();
    s.once('connect', () => done(null));
    s.once('error', (err) => done(err));
  });
}
