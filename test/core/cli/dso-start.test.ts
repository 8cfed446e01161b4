import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connect } from '../../../core/client/context.ts';

const BIN = fileURLToPath(new URL('../../../core/cli/bin.js', import.meta.url));

describe('crucial dso start', function () {
  this.timeout(30_000);

  it('cli - prints a ready line with its address, serves calls and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready at (tcp:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const conn = connect(address);
    assert.equal(await conn.call('AtomicLong', 'cli', 'addAndGet', [3]), 3n);
    await conn.close();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(out, /stopped \(SIGINT\)/);
  });

  it('cli - a bad port is refused with a message', async () => {
    const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0);
    assert.match(err, /must be an integer in 0\.\.65535/);
  });
});
