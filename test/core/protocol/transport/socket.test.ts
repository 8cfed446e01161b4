import { strict as assert } from 'node:assert';
import { Connection, InvalidOptionError, PayloadTooLargeError } from 'crucial';
import { startDso } from 'crucial/node';
import { resolveTransport, type TransportKind } from '../../../../core/protocol/transport/socket.ts';

describe('transports', function () {
  this.timeout(20_000);
  const kinds: TransportKind[] = ['zmtp', 'libzmq'];

  for (const server of kinds) {
    for (const client of kinds) {
      it(`transports - a ${client} client and a ${server} node: calls, an 8 MB array, and an over-limit request's typed error`, async () => {
        const node = await startDso({ port: 0, transport: server, maxPayloadBytes: 16 * 1024 * 1024 });
        const conn = new Connection(node.address, { transport: client });
        try {
          assert.equal(conn.transport, client);
          assert.equal(await conn.call('AtomicLong', 'n', 'addAndGet', [5], { init: [10] }), 15n);
          const big = Float64Array.from({ length: 1 << 20 }, (_, i) => i / 3);
          await conn.call('AtomicReference', 'arr', 'set', [big], { init: [null] });
          assert.deepEqual(await conn.call('AtomicReference', 'arr', 'get', []), big);
          await assert.rejects(conn.call('AtomicReference', 'arr', 'set', [new Float64Array(3 << 20)]), PayloadTooLargeError);
          assert.equal(await conn.call('AtomicLong', 'n', 'get', []), 15n, 'the link still serves after the refused request');
        } finally {
          await conn.close();
          await node.close();
        }
      });
    }
  }

  it('transports - an unknown transport, by option or CRUCIAL_TRANSPORT, is refused with ERR_INVALID_OPTION', () => {
    assert.throws(() => resolveTransport('udp'), InvalidOptionError);
    const saved = process.env.CRUCIAL_TRANSPORT;
    process.env.CRUCIAL_TRANSPORT = 'carrier-pigeon';
    try {
      assert.throws(() => new Connection('tcp://127.0.0.1:1'), InvalidOptionError);
      assert.equal(resolveTransport('libzmq'), 'libzmq', 'an explicit option wins over the environment');
    } finally {
      if (saved === undefined) delete process.env.CRUCIAL_TRANSPORT;
      else process.env.CRUCIAL_TRANSPORT = saved;
    }
  });
});
