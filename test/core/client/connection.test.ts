import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { Connection, UnavailableError, InvalidOptionError } from 'crucial';
import { startDso } from 'crucial/node';

/** A loopback port with nothing listening on it. */
async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('connection', function () {
  this.timeout(20_000);

  it('connection - pending calls fail with ERR_UNAVAILABLE when no node answers', async () => {
    const conn = new Connection(`tcp://127.0.0.1:${await freePort()}`, { resendAfterMs: 100, unavailableAfterMs: 400 });
    try {
      await assert.rejects(conn.call('AtomicLong', 'x', 'get', []), UnavailableError);
    } finally {
      await conn.close();
    }
  });

  it('connection - a call sent before the node starts is delivered once it is up', async () => {
    const port = await freePort();
    const conn = new Connection(`tcp://127.0.0.1:${port}`, { resendAfterMs: 200, unavailableAfterMs: 10_000 });
    // Synchronise on the link, not on a clock: the node starts only once a connect has been refused.
    const refused = new Promise<Error>((resolve) => {
      const off = conn.onStatus((s) => { if (s.type === 'disconnect') { off(); resolve(s.cause); } });
    });
    const pending = conn.call('AtomicLong', 'late', 'incrementAndGet', []);
    assert.match(String(await refused), /ECONNREFUSED/);
    const node = await startDso({ port });
    try {
      assert.equal(await pending, 1n, 'applied once even though it was resent while the node was down');
      assert.equal(await conn.call('AtomicLong', 'late', 'get', []), 1n);
    } finally {
      await conn.close();
      await node.close();
    }
  });

  it('connection - options are validated with a clear message', () => {
    assert.throws(() => new Connection('tcp://127.0.0.1:1', { resendAfterMs: 0 }), InvalidOptionError);
    assert.throws(() => new Connection('tcp://127.0.0.1:1', { unavailableAfterMs: -1 }), /options\.unavailableAfterMs must be a positive number/);
  });
});
