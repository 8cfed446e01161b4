/**
 * `crucial dso start`'s credentials, the Jupyter way: the token lives in a 0600 runtime file that
 * clients of the same user find by the node's port; `--token-file` keeps one across restarts;
 * `--curve DIR` makes the node's keys and a first client's credentials; a node off loopback without
 * CURVE, or a secret file others can read, is refused before it listens.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative as relativePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../core/client/connection.ts';
import { credentialsFor, runtimeIpcTokenFile } from '../../core/protocol/transport/credentials.ts';
import { rejectsWithCode } from '../helpers/dso.ts';
import { freePort } from '../fixtures/tcp-proxy.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));

interface Started { child: ChildProcess; address: string; out: string }

function startCli(args: string[], env: Record<string, string>, port = 0): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', String(port), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at (tcp:\/\/\S+)/.exec(out);
      if (m) resolve({ child, address: m[1]!, out });
    });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${out}`), { exitCode: code, out })));
  });
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const gone = once(s.child, 'exit');
  s.child.kill('SIGTERM');
  await gone;
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('dso auth - crucial dso start', function () {
  this.timeout(60_000);
  let dir: string;
  let runtime: string;
  const saved = process.env.CRUCIAL_RUNTIME_DIR;
  const started: Started[] = [];
  const conns: Connection[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crucial-cli-auth-'));
    runtime = join(dir, 'runtime');
    process.env.CRUCIAL_RUNTIME_DIR = runtime;
  });
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
    for (const s of started.splice(0)) await stop(s);
    if (saved === undefined) delete process.env.CRUCIAL_RUNTIME_DIR;
    else process.env.CRUCIAL_RUNTIME_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (address: string, opts: ConstructorParameters<typeof Connection>[1] = {}) => {
    const c = new Connection(address, { unavailableAfterMs: 5000, ...opts });
    conns.push(c);
    return c;
  };

  it('cli auth - the token is written to a 0600 runtime file (0700 directory) that same-user clients find; without it a client is refused; a clean stop removes it', async () => {
    const node = await startCli([], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(node);
    const port = /:(\d+)$/.exec(node.address)![1];
    const file = join(runtime, `dso-${port}.token`);
    assert.match(node.out, new RegExp(`credentials in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(mode 0600\\)`));
    assert.equal(mode(file), 0o600);
    assert.equal(mode(runtime), 0o700);
    assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.equal(await open(node.address).call('AtomicLong', 'a', 'addAndGet', [2]), 2n);
    await rejectsWithCode(open(node.address, { security: null }).call('AtomicLong', 'a', 'get', []), 'ERR_UNAUTHORIZED');
    await rejectsWithCode(open(node.address, { token: 'f'.repeat(64) }).call('AtomicLong', 'a', 'get', []), 'ERR_UNAUTHORIZED');
    await stop(node);
    assert.equal(existsSync(file), false);
  });

  it('cli auth - after a kill -9 of a node on an ephemeral port, its token does not follow the port: clients ignore it, the next node prunes it', async () => {
    const node = await startCli([], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(node);
    const port = Number(/:(\d+)$/.exec(node.address)![1]);
    assert.equal(readFileSync(join(runtime, `dso-${port}.pid`), 'utf8'), `${node.child.pid}\n`);
    assert.equal(credentialsFor(node.address)?.mechanism, 'PLAIN');
    const gone = once(node.child, 'exit');
    node.child.kill('SIGKILL');
    await gone;
    assert.equal(existsSync(join(runtime, `dso-${port}.token`)), true, 'no clean exit: the file stays');
    // Whatever listens on that port next (another program, a NULL node) is not sent the dead node's token.
    assert.equal(credentialsFor(node.address), undefined);
    const next = await startCli([], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(next);
    assert.equal(existsSync(join(runtime, `dso-${port}.token`)), false);
    assert.equal(existsSync(join(runtime, `dso-${port}.pid`)), false);
    assert.equal(await open(next.address).call('AtomicLong', 'k', 'addAndGet', [3]), 3n);
  });

  it('cli auth - a node on a fixed port keeps its token across a clean restart: a libzmq client linked to it (credentials read once) goes on', async () => {
    const port = await freePort();
    const first = await startCli([], { CRUCIAL_RUNTIME_DIR: runtime }, port);
    started.push(first);
    const token = readFileSync(join(runtime, `dso-${port}.token`), 'utf8');
    const c = open(first.address, { transport: 'libzmq', unavailableAfterMs: 15_000 });
    assert.equal(await c.call('AtomicLong', 'r', 'addAndGet', [1]), 1n);
    await stop(first);
    assert.equal(readFileSync(join(runtime, `dso-${port}.token`), 'utf8'), token);
    const second = await startCli([], { CRUCIAL_RUNTIME_DIR: runtime }, port);
    started.push(second);
    assert.equal(readFileSync(join(runtime, `dso-${port}.token`), 'utf8'), token);
    // A fresh node: the object starts again from 0, through the same client.
    assert.equal(await c.call('AtomicLong', 'r', 'addAndGet', [1]), 1n);
  });

  it('cli auth - --token-file is made 0600 when missing and kept across restarts; CRUCIAL_TOKEN_FILE points a client at it', async () => {
    const tokenFile = join(dir, 'secret', 'token');
    const first = await startCli(['--token-file', tokenFile], {});
    started.push(first);
    assert.equal(mode(tokenFile), 0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    await stop(first);
    const second = await startCli(['--token-file', tokenFile], {});
    started.push(second);
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), token);
    const saved2 = { CRUCIAL_TOKEN_FILE: process.env.CRUCIAL_TOKEN_FILE, CRUCIAL_DSO: process.env.CRUCIAL_DSO };
    rmSync(runtime, { recursive: true, force: true }); // only the token file can tell the client now
    // CRUCIAL_TOKEN_FILE is the credentials of the node CRUCIAL_DSO names (an earlier test may have set another).
    process.env.CRUCIAL_TOKEN_FILE = tokenFile;
    process.env.CRUCIAL_DSO = second.address;
    try {
      assert.equal(await open(second.address).call('AtomicLong', 't', 'addAndGet', [1]), 1n);
    } finally {
      for (const [k, v] of Object.entries(saved2)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('cli auth - --curve DIR makes the node\'s keys and a first client\'s credentials; that client gets in, a NULL or PLAIN one does not', async () => {
    const keys = join(dir, 'curve');
    const node = await startCli(['--curve', keys], {});
    started.push(node);
    for (const f of ['server.json', 'clients.json', 'client.json']) assert.equal(mode(join(keys, f)), 0o600, f);
    const client = JSON.parse(readFileSync(join(keys, 'client.json'), 'utf8')) as { serverKey: string; publicKey: string; secretKey: string };
    assert.match(node.out, new RegExp(`CURVE server key ${client.serverKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await open(node.address, { security: { mechanism: 'CURVE', ...client } }).call('AtomicLong', 'c', 'addAndGet', [4]), 4n);
    // The runtime file holds the same credentials, for clients of this user on this machine.
    assert.equal(await open(node.address).call('AtomicLong', 'c', 'get', []), 4n);
    await rejectsWithCode(open(node.address, { security: null }).call('AtomicLong', 'c', 'get', []), 'ERR_UNAUTHORIZED');
    await rejectsWithCode(open(node.address, { token: 'x'.repeat(32) }).call('AtomicLong', 'c', 'get', []), 'ERR_UNAUTHORIZED');
  });

  it('cli auth - refused before listening: a non-loopback host without CURVE, a tokens file others can read', async () => {
    const refused = async (args: string[], pattern: RegExp) => {
      const err = await startCli(args, {}).then((s) => { started.push(s); return assert.fail(`started: ${s.out}`); }, (e: Error & { exitCode?: number; out?: string }) => e);
      assert.equal(err.exitCode, 2, err.message);
      assert.match(err.out ?? '', pattern);
    };
    await refused(['--host', '0.0.0.0'], /needs CURVE .*--insecure-network/);
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ alice: 'alice-token-0123456789' }));
    chmodSync(tokens, 0o644);
    await refused(['--tokens', tokens], /readable by others \(mode 644\)/);
    await refused(['--insecure', '--curve', join(dir, 'k')], /exclude each other/);
  });

  it('cli auth - --ipc PATH: the node also answers on a 0600 Unix socket, with the same token; the socket goes with a clean stop', async () => {
    const sock = join(dir, 'dso.sock');
    const node = await startCli(['--ipc', sock], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(node);
    assert.match(node.out, new RegExp(`also at ipc://${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    assert.equal(mode(sock), 0o600);
    const token = readFileSync(join(runtime, `dso-${/:(\d+)$/.exec(node.address)![1]}.token`), 'utf8').trim();
    await rejectsWithCode(open(`ipc://${sock}`, { security: null }).call('AtomicLong', 'i', 'get', []), 'ERR_UNAUTHORIZED');
    assert.equal(await open(`ipc://${sock}`, { token }).call('AtomicLong', 'i', 'addAndGet', [2]), 2n);
    assert.equal(await open(node.address, { token }).call('AtomicLong', 'i', 'get', []), 2n);
    await stop(node);
    assert.equal(existsSync(sock), false);
  });

  it('cli auth - --ipc PATH: clients of ipc://PATH find the token in a 0600 runtime file of the socket, by any spelling of its path; a restart on the path keeps it, an --insecure node there removes it', async () => {
    const sock = join(dir, 'dso.sock');
    const first = await startCli(['--ipc', sock], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(first);
    const token = readFileSync(join(runtime, `dso-${/:(\d+)$/.exec(first.address)![1]}.token`), 'utf8').trim();
    const ipcFile = runtimeIpcTokenFile(sock);
    assert.match(first.out, new RegExp(`credentials in \\S+ and ${ipcFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    assert.equal(mode(ipcFile), 0o600);
    assert.equal(readFileSync(ipcFile, 'utf8').trim(), token);
    // No token given: the client reads the socket's runtime file; a relative spelling finds the same file.
    const relative = relativePath(process.cwd(), sock);
    assert.deepEqual(credentialsFor(`ipc://${relative}`), { mechanism: 'PLAIN', username: 'crucial', password: token });
    assert.equal(await open(`ipc://${sock}`).call('AtomicLong', 'r', 'addAndGet', [5]), 5n);
    await stop(first);
    // The port was ephemeral, the socket path is not: the next node there takes the same token.
    assert.equal(readFileSync(ipcFile, 'utf8').trim(), token);
    const second = await startCli(['--ipc', sock], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(second);
    assert.equal(readFileSync(ipcFile, 'utf8').trim(), token);
    assert.equal(await open(`ipc://${sock}`).call('AtomicLong', 'r', 'get', []), 0n);
    // Another socket has no file: NULL, which the node refuses.
    assert.equal(credentialsFor(`ipc://${join(dir, 'other.sock')}`), undefined);
    await stop(second);
    // An --insecure node on the path takes no token: the file goes, so clients offer none (NULL) and get in.
    const insecure = await startCli(['--ipc', sock, '--insecure'], { CRUCIAL_RUNTIME_DIR: runtime });
    started.push(insecure);
    assert.equal(existsSync(ipcFile), false);
    assert.equal(await open(`ipc://${sock}`).call('AtomicLong', 'r', 'addAndGet', [1]), 1n);
  });
});
