/**
 * A node that also listens on a Unix socket (`ipcPath`, `crucial dso start --ipc`): the same objects
 * over either address, the same credentials demanded on both, each reply on the link its call came
 * by, the option checked, the socket file gone with the node.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDso } from '../../dso/node.ts';
import { Connection } from '../../core/client/connection.ts';
import { InvalidOptionError } from '../../core/protocol/errors.ts';
import { rejectsWithCode } from '../helpers/dso.ts';
import { freePort } from '../fixtures/tcp-proxy.ts';

describe('dso ipcPath', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-dso-ipc-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the node answers over its Unix socket and its TCP address alike: one object, arrays intact, each reply on its own link', async () => {
    const path = join(dir, 'dso.sock');
    const node = await startDso({ port: 0, ipcPath: path });
    assert.equal(node.ipcAddress, `ipc://${path}`);
    assert.match(node.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const overIpc = new Connection(node.ipcAddress!);
    const overTcp = new Connection(node.address);
    try {
      const values = new Float64Array(1_000_000).map((_, i) => i * 0.5 - 7);
      await overIpc.call('AtomicReference', 'arr', 'set', [values]);
      const back = (await overTcp.call('AtomicReference', 'arr', 'get', [])) as Float64Array;
      assert.deepEqual(back, values, 'set over ipc, read over TCP');
      const again = (await overIpc.call('AtomicReference', 'arr', 'get', [])) as Float64Array;
      assert.deepEqual(again, values);
      // Calls in flight on both links at once: every reply reaches the link that asked.
      const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? overIpc : overTcp).call('AtomicLong', 'n', 'addAndGet', [1])));
      assert.deepEqual([...sums].map(Number).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
    } finally {
      overIpc.close();
      overTcp.close();
      await node.close();
    }
    assert.equal(existsSync(path), false, 'the socket file goes with the node');
  });

  it('the Unix socket demands the node\'s credentials as its TCP port does', async () => {
    const node = await startDso({ port: 0, ipcPath: join(dir, 'dso.sock') });
    try {
      await rejectsWithCode(new Connection(node.ipcAddress!, { security: null }).call('AtomicLong', 'a', 'get', []), 'ERR_UNAUTHORIZED');
      await rejectsWithCode(new Connection(node.ipcAddress!, { token: 'not-the-token-0123456789' }).call('AtomicLong', 'a', 'get', []), 'ERR_UNAUTHORIZED');
      assert.equal(await new Connection(node.ipcAddress!, { token: node.token! }).call('AtomicLong', 'a', 'get', []), 0n);
    } finally {
      await node.close();
    }
  });

  it('ipcPath: not a string, an abstract name, or the libzmq transport is refused; ipcListenFd without ipcPath or not a socket too; a path taken by a file stops the start and frees the port', async () => {
    await assert.rejects(startDso({ port: 0, ipcPath: 7 as unknown as string }), InvalidOptionError);
    await assert.rejects(startDso({ port: 0, ipcPath: '@crucial' }), InvalidOptionError);
    await assert.rejects(startDso({ port: 0, ipcPath: join(dir, 'x.sock'), transport: 'libzmq' }), InvalidOptionError);
    await assert.rejects(startDso({ port: 0, ipcListenFd: 3 }), (e: unknown) => e instanceof InvalidOptionError && /needs options.ipcPath/.test((e as Error).message));
    await assert.rejects(startDso({ port: 0, ipcPath: join(dir, 'x.sock'), ipcListenFd: -1 }), InvalidOptionError);
    // A descriptor that is no listening Unix socket is refused naming the option.
    await assert.rejects(startDso({ port: 0, ipcPath: join(dir, 'x.sock'), ipcListenFd: 1_000_003 }), (e: unknown) => e instanceof InvalidOptionError && /options.ipcListenFd 1000003/.test((e as Error).message));
    // The TCP side was bound first: a failed ipc bind must not leave it listening.
    const port = await freePort();
    await assert.rejects(startDso({ port, ipcPath: dir }), InvalidOptionError);
    const next = await startDso({ port });
    assert.equal(next.address, `tcp://127.0.0.1:${port}`);
    await next.close();
  });
});
