import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { startDso } from '../../dso/node.ts';
import { connect } from '../../core/client/context.ts';
import { InvalidOptionError } from '../../core/protocol/errors.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// startDso({ listenFd }): the node takes over a listening socket its starter made (the Python package
// does, to know the address before the node has loaded: issue 10, start-up).
describe('dso listenFd', () => {
  it('dso listenFd - a descriptor that is no non-negative integer, or the libzmq transport, is refused', async () => {
    await assert.rejects(startDso({ port: 0, listenFd: -1 }), InvalidOptionError);
    await assert.rejects(startDso({ port: 0, listenFd: 1.5 }), InvalidOptionError);
    await assert.rejects(startDso({ port: 0, listenFd: 3, transport: 'libzmq' }), InvalidOptionError);
  });

  it('dso listenFd - a descriptor that is no socket (a file, a closed number) is refused naming the option', async () => {
    const file = openSync('/dev/null', 'r');
    try {
      for (const fd of [file, 1_000_003]) {
        await assert.rejects(startDso({ port: 0, listenFd: fd }),
          (e: unknown) => e instanceof InvalidOptionError && e.message.includes(`options.listenFd ${fd}`));
      }
    } finally { closeSync(file); }
  });

  it('dso listenFd - a node started on an inherited listening socket answers a call sent before it printed its address', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const token = randomBytes(16).toString('hex');
    const node = pathToFileURL(join(ROOT, 'dso', 'node.ts')).href;
    const script = `import(${JSON.stringify(node)}).then(m => m.startDso({ port: 0, listenFd: 3, token: process.env.CRUCIAL_TOKEN }))`
      + ".then(n => { console.log('DSO ' + n.address); process.stdin.on('end', () => n.close().then(() => process.exit(0))); process.stdin.resume(); })"
      + '.catch(e => { console.error(e); process.exit(1); })';
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit', fd], env: { ...process.env, CRUCIAL_TOKEN: token },
    });
    server.close(); // the child holds its own copy; this process must not accept on it
    const conn = connect(`tcp://127.0.0.1:${port}`, { token });
    try {
      const pong = conn.call('$system', '', 'ping', []);
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      assert.equal(line, `DSO tcp://127.0.0.1:${port}`);
      assert.equal(await pong, 'pong');
    } finally {
      await conn.close();
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
