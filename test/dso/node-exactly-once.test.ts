import { strict as assert } from 'node:assert';
import { Dealer } from 'zeromq';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { Kind } from '../../core/protocol/wire/protocol.ts';
import { connect } from '../../core/client/context.ts';
import { zmqCredentials } from '../helpers/dso.ts';

describe('dso node - a retried call is applied once', () => {
  let node: DsoNode;
  before(async () => { node = await startDso({ port: 0 }); });
  after(async () => { await node.close(); });

  it('replays the first reply when the same (client, seq) arrives twice', async () => {
    const codec = new WireCodec();
    const client = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const call = codec.encodeCall(client, 9, 'AtomicLong', 'once', 'addAndGet', [10]);
    const sock = new Dealer({ linger: 0, ...zmqCredentials(node.address) });
    sock.connect(node.address);
    await sock.send(call);
    const first = codec.decodeValue(await sock.receive());
    await sock.send(call);
    const second = codec.decodeValue(await sock.receive());
    sock.close();
    assert.deepEqual(first, [1, Kind.OK, 9, 10n]);
    assert.deepEqual(second, first);
    const conn = connect(node.address);
    assert.equal(await conn.call('AtomicLong', 'once', 'get', []), 10n);
    await conn.close();
  });

  it('a resent AtomicList.remove whose reply was over 64 KiB removes one element, and the resend gets ERR_REPLY_NOT_KEPT', async () => {
    const codec = new WireCodec();
    const client = new Uint8Array(8).fill(7);
    const conn = connect(node.address);
    const big = 'x'.repeat(100 * 1024);
    await conn.call('AtomicList', 'big-remove', 'addAll', [[big, 'b', 'c']], { init: [] });
    const call = codec.encodeCall(client, 1, 'AtomicList', 'big-remove', 'remove', [0]);
    const sock = new Dealer({ linger: 0, ...zmqCredentials(node.address) });
    sock.connect(node.address);
    await sock.send(call);
    const first = codec.decodeValue(await sock.receive());
    await sock.send(call);
    const second = codec.decodeValue(await sock.receive());
    sock.close();
    assert.deepEqual(first, [1, Kind.OK, 1, big]);
    assert.equal(second[1], Kind.ERROR);
    assert.equal((second[3] as { code: string }).code, 'ERR_REPLY_NOT_KEPT');
    assert.deepEqual(await conn.call('AtomicList', 'big-remove', 'toArray', []), ['b', 'c'], 'removed once');
    await conn.close();
  });

  it('answers a resend that arrives through another socket while the call is parked', async () => {
    const codec = new WireCodec();
    const client = new Uint8Array(8).fill(3);
    const conn = connect(node.address);
    await conn.call('CyclicBarrier', 'parked', 'getParties', [], { init: [2] });
    const call = codec.encodeCall(client, 1, 'CyclicBarrier', 'parked', 'await', [null]);
    const a = new Dealer({ linger: 0, ...zmqCredentials(node.address) });
    const b = new Dealer({ linger: 0, ...zmqCredentials(node.address) });
    a.connect(node.address);
    b.connect(node.address);
    await a.send(call);
    await b.send(call); // the "retry" from a new connection joins the parked call
    while ((await conn.call('CyclicBarrier', 'parked', 'getNumberWaiting', [])) !== 1) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await conn.call('CyclicBarrier', 'parked', 'getNumberWaiting', []), 1, 'the resend must not count as a second party');
    const other = conn.call('CyclicBarrier', 'parked', 'await', [null]);
    const [ra, rb] = [codec.decodeValue(await a.receive()), codec.decodeValue(await b.receive())];
    assert.deepEqual(ra, rb);
    assert.equal(ra[1], Kind.OK);
    assert.equal(await other, 0);
    a.close();
    b.close();
    await conn.close();
  });
});
