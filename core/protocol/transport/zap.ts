/**
 * The ZAP handler (RFC 27) of the libzmq transport: libzmq runs the PLAIN or CURVE handshake and
 * asks `inproc://zeromq.zap.01` whether to let each peer in. One handler serves the process (the
 * inproc name is per context, and zeromq.js uses one context); each node's ROUTER gets its own ZAP
 * domain, which picks the `authenticate` of that node. Requests are answered one at a time, as ZAP
 * asks; `authenticate` is synchronous and cheap (a hash lookup), so nothing waits long.
 */
import type { Reply } from 'zeromq';
import type { ServerSecurity } from './security.ts';
import { z85Encode } from './zmtp/z85.ts';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
const domains = new Map<string, ServerSecurity>();
let handler: Promise<Reply> | null = null;
let nextDomain = 0;

/**
 * Registers a node's security under a fresh ZAP domain (to set as the ROUTER's `zapDomain`),
 * binding the process's handler first if none is up. `release` when the ROUTER is closed.
 */
export async function registerZap(zmq: typeof import('zeromq'), security: ServerSecurity): Promise<{ domain: string; release(): void }> {
  const domain = `crucial-${process.pid}-${++nextDomain}`;
  domains.set(domain, security);
  handler ??= (async () => {
    const socket = new zmq.Reply({ linger: 0 });
    await socket.bind(ZAP_ENDPOINT);
    void serve(socket);
    return socket;
  })();
  try {
    await handler;
  } catch (err) {
    domains.delete(domain);
    handler = null;
    throw err;
  }
  return {
    domain,
    release: () => {
      if (!domains.delete(domain) || domains.size > 0 || !handler) return;
      const closing = handler;
      handler = null;
      void closing.then((s) => s.close(), () => undefined);
    },
  };
}

async function serve(socket: Reply): Promise<void> {
  try {
    for await (const frames of socket) {
      const [, requestId, domain, , , mechanism, ...credentials] = frames;
      const user = decide(domain?.toString('latin1') ?? '', mechanism?.toString('latin1') ?? '', credentials);
      // version, request id, status code, status text, user id, metadata
      await socket.send(['1.0', requestId ?? '', user === null ? '400' : '200', user === null ? 'credentials refused' : 'OK', user ?? '', '']);
    }
  } catch {
    // The handler socket was closed (the last node using it stopped).
  }
}

function decide(domain: string, mechanism: string, credentials: Buffer[]): string | null {
  const security = domains.get(domain);
  if (!security || security.mechanism !== mechanism) return null;
  if (security.mechanism === 'PLAIN') return security.authenticate(credentials[0]?.toString('utf8') ?? '', credentials[1]?.toString('utf8') ?? '');
  const key = credentials[0];
  return key && key.length === 32 ? security.authenticate(z85Encode(key)) : null;
}
