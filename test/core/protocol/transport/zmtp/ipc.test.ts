/**
 * ZMTP over a Unix domain socket (`ipc://path`, core/protocol/transport/zmtp/ipc.ts): a ROUTER and a
 * DEALER talk over it as over TCP; the socket file is its owner's only; a dead node's file is
 * replaced, a live node's socket or any other file never is; malformed ipc addresses are refused.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZmtpRouter } from '../../../../../core/protocol/transport/zmtp/router.ts';
import { ZmtpDealer } from '../../../../../core/protocol/transport/zmtp/dealer.ts';
import { parseEndpoint } from '../../../../../core/protocol/transport/zmtp/endpoint.ts';
import { listenPrivately } from '../../../../../core/protocol/transport/zmtp/ipc.ts';
import { createServer } from 'node:net';
import { InvalidOptionError } from '../../../../../core/protocol/errors.ts';

/** A DEALER on `endpoint` that resolves each send with the reply's frames. */
function dealer(endpoint: string): { call(frames: Buffer[]): Promise<Buffer[]>; close(): void } {
  const waiting: ((f: Buffer[]) => void)[] = [];
  const d = new ZmtpDealer(endpoint, (f) => waiting.shift()?.(f));
  return { call: (frames) => new Promise((r) => { waiting.push(r); d.send(frames); }), close: () => d.close() };
}

describe('zmtp over ipc:// (Unix domain sockets)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-ipc-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a ROUTER and a DEALER exchange small and 8 MB frames; the socket file is mode 0600 and gone after close', async () => {
    const path = join(dir, 'node.sock');
    const router = new ZmtpRouter((route, frames) => router.send(route, frames.map((f) => Buffer.from(f).reverse())), { routeTag: 1 });
    assert.equal(await router.bind(`ipc://${path}`), `ipc://${path}`);
    assert.equal(statSync(path).mode & 0o777, 0o600, 'only its owner may connect');
    const d = dealer(`ipc://${path}`);
    try {
      assert.deepEqual((await d.call([Buffer.from('abc'), Buffer.from('de')])).map(String), ['cba', 'ed']);
      const big = Buffer.alloc(8_000_000);
      for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;
      const [back] = await d.call([big]);
      assert.equal(back!.length, big.length);
      assert.ok(Buffer.from(big).reverse().equals(back!), 'the 8 MB frame came back reversed, byte for byte');
    } finally {
      d.close();
      await router.close();
    }
    assert.equal(existsSync(path), false);
  });

  it('a socket file left by a killed node is replaced; a live node\'s socket, a regular file and a missing directory are refused, and left as they are', async () => {
    const path = join(dir, 'node.sock');
    // A node killed with SIGKILL cannot remove its socket file.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout!.once('data', r));
    const live = new ZmtpRouter(() => undefined);
    await assert.rejects(live.bind(`ipc://${path}`), (e: unknown) => e instanceof InvalidOptionError && /another process listens/.test((e as Error).message));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(statSync(path).isSocket(), 'the dead node\'s socket file is still there');
    const router = new ZmtpRouter((route, frames) => router.send(route, frames));
    await router.bind(`ipc://${path}`);
    const d = dealer(`ipc://${path}`);
    assert.deepEqual((await d.call([Buffer.from('x')])).map(String), ['x']);
    d.close();
    await router.close();

    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me');
    await assert.rejects(new ZmtpRouter(() => undefined).bind(`ipc://${file}`), (e: unknown) => e instanceof InvalidOptionError && /not a socket/.test((e as Error).message));
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    await assert.rejects(new ZmtpRouter(() => undefined).bind(`ipc://${join(dir, 'missing', 'node.sock')}`),
      (e: unknown) => e instanceof InvalidOptionError && /is not a directory/.test((e as Error).message));
  });

  it('the socket file is 0600 from the moment it exists, whatever the umask (no window where others may connect)', async () => {
    const path = join(dir, 'early.sock');
    const server = createServer();
    const saved = process.umask(0);
    try {
      listenPrivately(server, path, () => undefined);
      assert.equal(statSync(path).mode & 0o777, 0o600, 'mode right after the synchronous bind');
      assert.equal(process.umask(0), 0, 'the umask is put back');
    } finally {
      process.umask(saved);
      await new Promise((r) => server.close(r));
    }
  });

  it('ipc addresses: a file path is taken; empty, abstract (@) and over-long paths are refused', () => {
    assert.deepEqual(parseEndpoint('ipc:///run/crucial/dso.sock'), { kind: 'ipc', path: '/run/crucial/dso.sock' });
    assert.deepEqual(parseEndpoint('tcp://127.0.0.1:7700'), { kind: 'tcp', host: '127.0.0.1', port: 7700 });
    for (const bad of ['ipc://', 'ipc://@crucial', `ipc:///${'x'.repeat(120)}`, 'ipc:///a\0b', 'unix:///tmp/x']) {
      assert.throws(() => parseEndpoint(bad), InvalidOptionError, bad);
    }
  });
});
