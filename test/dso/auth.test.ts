/**
 * No code runs on a node without permission: a client without the node's credentials, or with
 * wrong ones, is refused at the ZMTP handshake (ERR_UNAUTHORIZED) and can neither call nor upload,
 * whatever transport either side uses; an authenticated client may upload code only where the node
 * allows it (ERR_FORBIDDEN), and modules stored in pmem run again at restart only then.
 * Each upload below is a module whose top-level code writes a marker file: the marker is the
 * oracle that code ran on the node.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { Connection } from '../../core/client/connection.ts';
import { moduleHash } from '../../dso/modules.ts';
import { rejectsWithCode } from '../helpers/dso.ts';
import type { TransportKind } from '../../core/protocol/transport/socket.ts';
import { curveKeyPair } from '../../core/protocol/transport/zmtp/curve.ts';

/** A module that, when it runs, appends a line to `marker` and defines one shared class. */
function markerModule(marker: string, tag: string): { hash: string; code: string } {
  const code = `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(`${tag}\n`)});
export class Planted { static [Symbol.for('crucial.sharedClass')] = true; ping() { return ${JSON.stringify(tag)}; } }
`;
  return { hash: moduleHash(code), code };
}

const TRANSPORTS: TransportKind[] = ['zmtp', 'libzmq'];

describe('dso auth - who may call and who may upload', function () {
  this.timeout(30_000);
  let dir: string;
  const nodes: DsoNode[] = [];
  const conns: Connection[] = [];
  const start = async (opts: Parameters<typeof startDso>[0]) => {
    const n = await startDso({ port: 0, moduleCacheDir: join(dir, 'cache'), ...opts });
    nodes.push(n);
    return n;
  };
  const open = (address: string, opts: ConstructorParameters<typeof Connection>[1] = {}) => {
    const c = new Connection(address, { unavailableAfterMs: 5000, ...opts });
    conns.push(c);
    return c;
  };
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-auth-')); });
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
    for (const n of nodes.splice(0)) await n.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const serverKind of TRANSPORTS) {
    for (const clientKind of TRANSPORTS) {
      it(`auth - ${clientKind} client → ${serverKind} node: without credentials or with a wrong token nothing is called or uploaded (ERR_UNAUTHORIZED); the token gets in`, async () => {
        const node = await start({ transport: serverKind, allowUpload: true });
        assert.match(node.token ?? '', /^[0-9a-f]{64}$/);
        const marker = join(dir, 'ran');
        const m = markerModule(marker, 'x');
        for (const creds of [{ security: null }, { token: 'not-the-token-0123456789' }] as const) {
          const c = open(node.address, { transport: clientKind, ...creds });
          await rejectsWithCode(c.call('AtomicLong', 'n', 'addAndGet', [1]), 'ERR_UNAUTHORIZED');
          await rejectsWithCode(c.call('$system', '', 'loadModule', [m.hash, m.code]), 'ERR_UNAUTHORIZED');
        }
        assert.equal(existsSync(marker), false, 'an unauthenticated upload ran code on the node');
        const owner = open(node.address, { transport: clientKind, token: node.token });
        assert.equal(await owner.call('AtomicLong', 'n', 'get', []), 0n, 'a refused call changed the object');
        assert.deepEqual(await owner.call('$system', '', 'loadModule', [m.hash, m.code]), ['Planted']);
        assert.equal(readFileSync(marker, 'utf8'), 'x\n');
      });
    }
  }

  it('auth - a client of the node\'s own process finds its credentials by the address, with nothing configured', async () => {
    const node = await start({});
    assert.equal(await open(node.address).call('AtomicLong', 'k', 'addAndGet', [2]), 2n);
  });

  it('auth - upload is refused with ERR_FORBIDDEN unless the node allows it, and the module\'s code does not run', async () => {
    const node = await start({});
    const marker = join(dir, 'ran');
    const m = markerModule(marker, 'refused');
    const c = open(node.address);
    await rejectsWithCode(c.call('$system', '', 'loadModule', [m.hash, m.code]), 'ERR_FORBIDDEN');
    assert.equal(existsSync(marker), false);
    assert.equal(existsSync(join(dir, 'cache', `${m.hash}.mjs`)), false, 'the refused module was written to disk');
    // Calls other than upload go on as before.
    assert.equal(await c.call('AtomicLong', 'k', 'addAndGet', [1]), 1n);
  });

  it('auth - --modules DIR: the node loads the modules it is given at start, with upload off', async () => {
    const modules = join(dir, 'modules');
    const marker = join(dir, 'ran');
    const m = markerModule(marker, 'preloaded');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(modules);
    writeFileSync(join(modules, 'planted.mjs'), m.code);
    const node = await start({ modulesDir: modules });
    assert.equal(readFileSync(marker, 'utf8'), 'preloaded\n');
    assert.equal(await open(node.address).call('Planted', 'p', 'ping', [], { module: m.hash }), 'preloaded');
  });

  it('auth - a module stored in pmem runs again at restart only on a node that allows upload', async () => {
    const pmemPath = join(dir, 'node.pmem');
    const marker = join(dir, 'ran');
    const m = markerModule(marker, 'stored');
    // A module cache per start: in one process, importing the same file again would not run it again.
    const first = await start({ pmemPath, pmemSizeBytes: 8 << 20, allowUpload: true, moduleCacheDir: join(dir, 'c1') });
    await open(first.address).call('$system', '', 'loadModule', [m.hash, m.code]);
    await first.close();
    nodes.splice(nodes.indexOf(first), 1);
    rmSync(marker);
    const locked = await start({ pmemPath, pmemSizeBytes: 8 << 20, moduleCacheDir: join(dir, 'c2') });
    assert.equal(locked.modulesSkipped, 1);
    assert.equal(existsSync(marker), false, 'a stored module ran at a restart without upload permission');
    await locked.close();
    nodes.splice(nodes.indexOf(locked), 1);
    const open_ = await start({ pmemPath, pmemSizeBytes: 8 << 20, allowUpload: true, moduleCacheDir: join(dir, 'c3') });
    assert.equal(open_.modulesSkipped, 0);
    assert.equal(readFileSync(marker, 'utf8'), 'stored\n');
  });

  it('auth - CURVE node: its own process\'s clients get in with the key pair it made; an unlisted key is refused', async () => {
    const server = curveKeyPair();
    const node = await start({ curve: { secretKey: server.secretKey } });
    assert.equal(node.token, undefined);
    assert.equal(await open(node.address).call('AtomicLong', 'c', 'addAndGet', [7]), 7n);
    const stranger = open(node.address, { security: { mechanism: 'CURVE', serverKey: server.publicKey, ...curveKeyPair() } });
    await rejectsWithCode(stranger.call('AtomicLong', 'c', 'get', []), 'ERR_UNAUTHORIZED');
  });

  it('auth - off loopback a node needs CURVE: PLAIN and insecure refuse to start unless insecureNetwork says so', async () => {
    for (const opts of [{}, { token: 'a-token-of-some-length' }, { insecure: true }]) {
      await assert.rejects(startDso({ host: '0.0.0.0', port: 0, ...opts }), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_OPTION' && /needs CURVE/.test(e.message));
    }
    await assert.rejects(startDso({ port: 0, token: 'short' }), /16 to 255 characters/);
    await assert.rejects(startDso({ port: 0, insecure: true, token: 'a-token-of-some-length' }), /excludes/);
  });

  it('auth - insecure: the NULL mechanism lets anyone call; a client holding a token does not talk to such a node', async () => {
    const node = await start({ insecure: true });
    assert.equal(await open(node.address, { security: null }).call('AtomicLong', 'i', 'addAndGet', [1]), 1n);
    const err = await rejectsWithCode(open(node.address, { token: 'some-token-0123456789', unavailableAfterMs: 300 }).call('AtomicLong', 'i', 'get', []), 'ERR_UNAVAILABLE');
    assert.match(String((err.cause as Error).message), /mechanism is "NULL", this DEALER's is "PLAIN"/);
  });
});
