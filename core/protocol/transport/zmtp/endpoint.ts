import { connect as tcpConnect } from 'node:net';
import { InvalidOptionError } from '../../errors.ts';
import { GREETING_BYTES, ZmtpProtocolError, checkGreeting, greeting, preview } from './wire.ts';

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
