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
