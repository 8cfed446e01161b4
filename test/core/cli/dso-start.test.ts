import { strict as assert } from 'node:assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect } from '../../../core/client/context.ts';
import { JobClient } from '../../../core/jobs/job-client.ts';

const BIN = fileURLToPath(new URL('../../../core/cli/bin.js', import.meta.url));

/** Starts `crucial dso start ARGS` and resolves with the child and the address of its ready line. */
function startNode(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; address: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'dso', 'start', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at (tcp:\/\/\S+)/.exec(out);
      if (m) resolve({ child, address: m[1]!, output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe('crucial dso start', function () {
  this.timeout(30_000);

  it('cli - `crucial --version` prints the package version', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
    assert.equal(out.trim(), manifest.version);
  });

  it('cli - prints a ready line with its address, serves calls and stops cleanly on SIGINT', async () => {
    const { child, address, output } = await startNode(['--port', '0']);
    const conn = connect(address);
    assert.equal(await conn.call('AtomicLong', 'cli', 'addAndGet', [3]), 3n);
    await conn.close();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(output(), /stopped \(SIGINT\)/);
  });

  it('cli - a signal sent the moment the ready line arrives still stops the node cleanly', async () => {
    // A supervisor may signal as soon as it reads "ready": the handlers must be in place by then.
    // Several rounds, since a node that installs them late dies of the signal only some of the time.
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/ready at tcp:\/\//.test(out)) { child.kill('SIGTERM'); resolve(); }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${out}`)));
      });
      const [code, signal] = await once(child, 'exit');
      assert.deepEqual({ round, code, signal }, { round, code: 0, signal: null }, out);
    }
  });

  it('cli - a bad port is refused with a message', async () => {
    const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0);
    assert.match(err, /must be an integer in 0\.\.65535/);
  });

  it('cli - a port another process listens on is refused in one line naming it, no stack', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const [code] = await once(child, 'exit');
      assert.equal(code, 1);
      assert.match(err, new RegExp(`^crucial dso start: cannot listen \\(.*EADDRINUSE.*:${port}\\).*pick another --port`));
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    } finally {
      taken.close();
    }
  });

  it('cli - the node heartbeat flags are listed and a bad value is refused before listening', async () => {
    const help = spawn(process.execPath, [BIN, 'dso', 'start', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    help.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await once(help, 'exit');
    assert.match(out, /--heartbeat-ivl <ms>/);
    assert.match(out, /--heartbeat-timeout <ms>/);
    const bad = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0', '--heartbeat-timeout', '-5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const [code] = await once(bad, 'exit');
    assert.notEqual(code, 0);
    assert.match(err, /heartbeat-timeout.*must be a non-negative integer/);
  });

  it('cli - --max-jobs bounds the jobs $jobs runs at once (the next one queues); 0 is refused before listening', async () => {
    const { child, address } = await startNode(['--port', '0', '--max-jobs', '1']);
    const conn = connect(address);
    try {
      const jobs = new JobClient(conn);
      const first = await jobs.submit('echo', { value: 1, after: 'cli-jobs-a' });
      const second = await jobs.submit('echo', { value: 2, after: 'cli-jobs-b' });
      assert.deepEqual([(await jobs.status(first)).state, (await jobs.status(second)).state], ['running', 'queued']);
      await conn.call('CountDownLatch', 'cli-jobs-b', 'countDown', [], { init: [1] });
      await conn.call('CountDownLatch', 'cli-jobs-a', 'countDown', [], { init: [1] });
      assert.deepEqual([await jobs.result(first), await jobs.result(second)], [1, 2]);
    } finally {
      await conn.close();
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const bad = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0', '--max-jobs', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const [code] = await once(bad, 'exit');
    assert.notEqual(code, 0);
    assert.match(err, /max-jobs.*must be a positive integer/);
  });
});
