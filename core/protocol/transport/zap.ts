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
/** Settles once the last handler closed: libzmq frees its inproc name a moment after the close. */
let closing: Promise<void> = Promise.resolve();
let nextDomain = 0;

/**
 * Registers a node's security under a fresh ZAP domain (to set as the ROUTER's `zapDomain`),
 * binding the process's handler first if none is up. `release` when the ROUTER is closed.
 */
export async function registerZap(zmq: typeof import('zeromq'), security: ServerSecurity): Promise<{ domain: string; release(): void }> {
  const domain = `crucial-${process.pid}-${++nextDomain}`;
  domains.set(domain, security);
  if (!handler) {
    const previous = closing;
    handler = (async () => {
      await previous;
      const socket = new zmq.Reply({ linger: 0 });
      for (let attempt = 0; ; attempt++) {
        try {
          await socket.bind(ZAP_ENDPOINT);
          break;
        } catch (err) {
          // The previous handler's socket is closed, but libzmq's reaper may not have released the name yet.
          if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 40) { socket.close(); throw err; }
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      void serve(socket);
      return socket;
    })();
  }
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
      const last = handler;
      handler = null;
      closing = last.then((s) => s.close(), () => undefined);
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
