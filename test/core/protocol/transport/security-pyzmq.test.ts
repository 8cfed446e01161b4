/**
 * CURVE and PLAIN against pyzmq (libzmq 4.3 built into pyzmq, another build than zeromq.js's), both
 * ways: a pyzmq DEALER logs in to crucial's ZMTP ROUTER, and crucial's ZMTP DEALER logs in to a
 * pyzmq ROUTER whose ZAP handler (zmq.auth) admits one client key / one password.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { bindServer, openClient, type ServerSocket } from '../../../../core/protocol/transport/socket.ts';
import type { ClientSecurity, ServerSecurity } from '../../../../core/protocol/transport/security.ts';
import { curveKeyPair } from '../../../../core/protocol/transport/zmtp/curve.ts';
import { UnauthorizedError } from '../../../../core/protocol/errors.ts';

/** Runs a Python script; resolves with its stdout lines as they come. */
function python(script: string, env: Record<string, string>): { lines: AsyncIterableIterator<string>; done: Promise<number | null>; kill(): void } {
  const child = spawn('python3', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { queue.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    wake?.();
  });
  const done = once(child, 'exit').then(([code]) => code as number | null);
  const lines = (async function* () {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (child.exitCode !== null) throw new Error(`python exited ${child.exitCode}: ${err}`);
      await Promise.race([new Promise<void>((r) => { wake = r; }), done]);
    }
  })();
  return { lines, done, kill: () => child.kill('SIGKILL') };
}

async function next(it: AsyncIterableIterator<string>): Promise<string> {
  const r = await it.next();
  if (r.done) throw new Error('python ended early');
  return r.value;
}

const DEALER = `
import os, zmq, sys
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.linger = 0
mech = os.environ["MECH"]
if mech == "CURVE":
    s.curve_serverkey = os.environ["SERVER_KEY"].encode()
    s.curve_publickey = os.environ["PUBLIC_KEY"].encode()
    s.curve_secretkey = os.environ["SECRET_KEY"].encode()
else:
    s.plain_username = b"crucial"
    s.plain_password = os.environ["TOKEN"].encode()
s.rcvtimeo = 2500
s.connect(os.environ["ADDRESS"])
s.send_multipart([b"hello from pyzmq", b"x" * 70000])
try:
    print("reply", s.recv_multipart()[0].decode(), flush=True)
except zmq.Again:
    print("no reply", flush=True)
`;

const ROUTER = `
import os, zmq
from zmq.auth.thread import ThreadAuthenticator
ctx = zmq.Context()
auth = ThreadAuthenticator(ctx)
auth.start()
s = ctx.socket(zmq.ROUTER)
s.linger = 0
if os.environ["MECH"] == "CURVE":
    auth.configure_curve_callback(domain="*", credentials_provider=type("P", (), {"callback": lambda self, domain, key: key == os.environ["CLIENT_KEY"].encode()})())
    s.curve_server = True
    s.curve_secretkey = os.environ["SECRET_KEY"].encode()
    s.curve_publickey = os.environ["PUBLIC_KEY"].encode()
else:
    auth.configure_plain(domain="*", passwords={"crucial": os.environ["TOKEN"]})
    s.plain_server = True
port = s.bind_to_random_port("tcp://127.0.0.1")
print("port", port, flush=True)
route, *frames = s.recv_multipart()
s.send_multipart([route, b"echo " + frames[0]])
print("served", frames[0].decode(), len(frames), flush=True)
import time; time.sleep(0.5)
auth.stop()
`;

describe('transport security - pyzmq interop', function () {
  this.timeout(30_000);
  const serverKeys = curveKeyPair();
  const client = curveKeyPair();
  let server: ServerSocket | undefined;
  const seen: string[] = [];
  const curve: ServerSecurity = { mechanism: 'CURVE', ...serverKeys, authenticate: (k) => (k === client.publicKey ? 'py' : null) };
  const plain: ServerSecurity = { mechanism: 'PLAIN', authenticate: (_u, p) => (p === 'py-token-0123456789' ? '' : null) };
  afterEach(async () => { await server?.close(); server = undefined; seen.length = 0; });

  async function echo(security: ServerSecurity): Promise<string> {
    server = await bindServer('zmtp', 'tcp://127.0.0.1:0', (route, frames, _b, user) => {
      seen.push(`${Buffer.from(frames[0]!).toString()} ${frames[1]?.byteLength} ${user}`);
      server!.send(route, [frames[0]!]);
    }, { maxMessageBytes: 1 << 20, security });
    return server.endpoint;
  }

  it('pyzmq - a pyzmq DEALER with an admitted CURVE key calls crucial\'s ZMTP ROUTER (a 70 KB frame included); an unknown key gets nothing', async () => {
    const address = await echo(curve);
    const ok = python(DEALER, { MECH: 'CURVE', ADDRESS: address, SERVER_KEY: serverKeys.publicKey, PUBLIC_KEY: client.publicKey, SECRET_KEY: client.secretKey });
    assert.equal(await next(ok.lines), 'reply hello from pyzmq');
    const stranger = curveKeyPair();
    const bad = python(DEALER, { MECH: 'CURVE', ADDRESS: address, SERVER_KEY: serverKeys.publicKey, PUBLIC_KEY: stranger.publicKey, SECRET_KEY: stranger.secretKey });
    assert.equal(await next(bad.lines), 'no reply');
    assert.deepEqual(seen, ['hello from pyzmq 70000 py']);
  });

  it('pyzmq - a pyzmq DEALER with the PLAIN token calls crucial\'s ZMTP ROUTER; a wrong token gets nothing', async () => {
    const address = await echo(plain);
    assert.equal(await next(python(DEALER, { MECH: 'PLAIN', ADDRESS: address, TOKEN: 'py-token-0123456789' }).lines), 'reply hello from pyzmq');
    assert.equal(await next(python(DEALER, { MECH: 'PLAIN', ADDRESS: address, TOKEN: 'wrong-token-0123456789' }).lines), 'no reply');
    assert.equal(seen.length, 1);
  });

  for (const mech of ['CURVE', 'PLAIN'] as const) {
    it(`pyzmq - crucial's ZMTP DEALER logs in to a pyzmq ROUTER with ${mech} (zmq.auth), and is refused with wrong credentials`, async () => {
      const env: Record<string, string> = mech === 'CURVE'
        ? { MECH: mech, PUBLIC_KEY: serverKeys.publicKey, SECRET_KEY: serverKeys.secretKey, CLIENT_KEY: client.publicKey }
        : { MECH: mech, TOKEN: 'py-token-0123456789' };
      const py = python(ROUTER, env);
      try {
        const port = (await next(py.lines)).split(' ')[1];
        const address = `tcp://127.0.0.1:${port}`;
        const good: ClientSecurity = mech === 'CURVE'
          ? { mechanism: 'CURVE', serverKey: serverKeys.publicKey, ...client }
          : { mechanism: 'PLAIN', username: 'crucial', password: 'py-token-0123456789' };
        const wrong: ClientSecurity = mech === 'CURVE'
          ? { mechanism: 'CURVE', serverKey: serverKeys.publicKey, ...curveKeyPair() }
          : { mechanism: 'PLAIN', username: 'crucial', password: 'nope-nope-nope-nope' };
        // The wrong one first: pyzmq's ROUTER then serves exactly the one message of the right one.
        const refused = await new Promise<Error>((resolve) => {
          const c = openClient('zmtp', address, () => undefined, { security: wrong, onStatus: (s) => { if (s.type === 'disconnect') { c.close(); resolve(s.cause); } } });
          c.send([Buffer.from('should not arrive')]);
        });
        assert.ok(refused instanceof UnauthorizedError, String(refused));
        const reply = await new Promise<string>((resolve) => {
          const c = openClient('zmtp', address, (f) => { c.close(); resolve(Buffer.from(f[0]!).toString()); }, { security: good });
          c.send([Buffer.from('hi from crucial'), Buffer.alloc(70_000, 1)]);
        });
        assert.equal(reply, 'echo hi from crucial');
        assert.equal(await next(py.lines), 'served hi from crucial 2');
      } finally {
        py.kill();
      }
    });
  }
});
