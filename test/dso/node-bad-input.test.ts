import { strict as assert } from 'node:assert';
import { Dealer } from 'zeromq';
import { encode } from '@msgpack/msgpack';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { Kind } from '../../core/protocol/wire/protocol.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { connect } from '../../core/client/context.ts';
import type { Connection } from '../../core/client/connection.ts';
import { CrucialError } from '../../core/protocol/errors.ts';
import { zmqCredentials } from '../helpers/dso.ts';

/** Sends raw frames on a fresh DEALER and returns the decoded reply envelope. */
async function rawRoundTrip(address: string, frames: Uint8Array[]): Promise<unknown[]> {
  const sock = new Dealer({ linger: 0, ...zmqCredentials(address) });
  sock.connect(address);
  try {
    await sock.send(frames);
    const [reply] = await Promise.race([
      sock.receive().then((f) => [f]),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no reply')), 5000)),
    ]);
    return new WireCodec().decodeValue(reply!);
  } finally {
    sock.close();
  }
}

async function expectCode(p: Promise<unknown>, code: string): Promise<CrucialError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CrucialError, `expected a CrucialError, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('dso node - bad input gets a typed error and the node keeps serving', () => {
  let node: DsoNode;
  let conn: Connection;
  const client = new Uint8Array(8).fill(7);
  const codec = new WireCodec();

  before(async () => {
    await loadArrow(); // the raw encodes below carry arrays; alone, no earlier file loaded Arrow for them
    node = await startDso({ port: 0, maxPayloadBytes: 64 * 1024, allowUpload: true });
    conn = connect(node.address);
  });
  after(async () => {
    await conn.close();
    await node.close();
  });
  afterEach(async () => {
    // Whatever the previous case sent, a well-formed call still succeeds.
    assert.equal(await conn.call('AtomicLong', 'alive', 'incrementAndGet', []) as bigint > 0n, true);
  });

  it('answers garbage bytes with ERR_BAD_FRAME', async () => {
    const reply = await rawRoundTrip(node.address, [new Uint8Array([0xc1, 0xff, 0x00])]);
    assert.equal(reply[1], Kind.ERROR);
    assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME');
  });

  it('answers a truncated envelope with ERR_BAD_FRAME', async () => {
    const full = codec.encodeCall(client, 1, 'AtomicLong', 'k', 'get', [])[0]!;
    const reply = await rawRoundTrip(node.address, [full.subarray(0, full.length - 5)]);
    assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME');
  });

  it('answers an envelope of the wrong shape with ERR_BAD_FRAME naming its seq', async () => {
    const reply = await rawRoundTrip(node.address, [encode([1, 0, client, 42, 'AtomicLong'])]);
    assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME');
    assert.equal(reply[2], 42);
  });

  it('answers a client id of another length than 8 bytes, or a seq past 2^53, with ERR_BAD_FRAME (the dedup cache keys on both)', async () => {
    for (const id of [new Uint8Array(0), new Uint8Array(7), new Uint8Array(9), new Uint8Array(300)]) {
      const reply = await rawRoundTrip(node.address, codec.encodeCall(id, 5, 'AtomicLong', 'ids', 'incrementAndGet', []));
      assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME', `client id of ${id.byteLength} bytes`);
      assert.equal(reply[2], 5);
    }
    const reply = await rawRoundTrip(node.address, [encode([1, 0, client, 2 ** 64 - 1, 'AtomicLong', 'ids', 'incrementAndGet', [], null])]);
    assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME');
    assert.equal(await conn.call('AtomicLong', 'ids', 'get', []), 0n, 'none of them ran');
  });

  it('answers a value that would nest too deep or decode to far more than its size with ERR_LIMIT, before building it', async () => {
    // [1, 0, client, seq, 'AtomicReference', 'shape', 'set', args, nil], args written by hand.
    const call = (seq: number, args: number[]) => {
      const head = encode([1, 0, client, seq, 'AtomicReference', 'shape', 'set']);
      head[0] = 0x99;
      return [new Uint8Array([...head, ...args, 0xc0])];
    };
    const deep = await rawRoundTrip(node.address, call(11, [0x91, ...new Array(600).fill(0x91), 7]));
    assert.equal((deep[3] as any).code, 'ERR_LIMIT');
    assert.equal(deep[2], 11);
    const n = 60_000; // 60,000 empty maps: 60 KB on the wire, ~4 MB once decoded
    const maps = await rawRoundTrip(node.address, call(12, [0x91, 0xdd, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, ...new Array(n).fill(0x80)]));
    assert.equal((maps[3] as any).code, 'ERR_LIMIT');
    assert.equal(await conn.call('AtomicReference', 'shape', 'get', []), null, 'nothing was set');
    // 90 levels (the client's encoder stops at 100) is data a program may send: stored and read back whole.
    let v: unknown = 'leaf';
    for (let i = 0; i < 90; i++) v = [v];
    await conn.call('AtomicReference', 'shape', 'set', [v]);
    let back = await conn.call('AtomicReference', 'shape', 'get', []);
    let depth = 0;
    while (Array.isArray(back)) { back = back[0]; depth++; }
    assert.deepEqual([depth, back], [90, 'leaf']);
  });

  it('answers another protocol version with ERR_PROTOCOL_VERSION', async () => {
    const reply = await rawRoundTrip(node.address, [encode([99, 0, client, 1, 'AtomicLong', 'k', 'get', [], null])]);
    assert.equal((reply[3] as any).code, 'ERR_PROTOCOL_VERSION');
  });

  it('answers an arrow reference to a missing frame with ERR_BAD_FRAME', async () => {
    const frames = codec.encodeCall(client, 2, 'AtomicLong', 'k', 'set', [new Float64Array(4)]);
    const reply = await rawRoundTrip(node.address, [frames[0]!]);
    assert.equal((reply[3] as any).code, 'ERR_BAD_FRAME');
  });

  it('answers an unknown type with ERR_UNKNOWN_TYPE', async () => {
    await expectCode(conn.call('NoSuchType', 'k', 'get', []), 'ERR_UNKNOWN_TYPE');
  });

  it('answers an unknown method with ERR_UNKNOWN_METHOD', async () => {
    await expectCode(conn.call('AtomicLong', 'k', 'explode', []), 'ERR_UNKNOWN_METHOD');
    await expectCode(conn.call('AtomicLong', 'k', '_private', []), 'ERR_UNKNOWN_METHOD');
    await expectCode(conn.call('$system', '', 'constructor', []), 'ERR_UNKNOWN_METHOD');
  });

  it('answers wrong argument types with ERR_BAD_ARGUMENT and leaves the object unchanged', async () => {
    await conn.call('AtomicLong', 'typed', 'set', [5]);
    const err = await expectCode(conn.call('AtomicLong', 'typed', 'addAndGet', ['ten']), 'ERR_BAD_ARGUMENT');
    assert.match(err.message, /addAndGet\(delta\)/);
    await expectCode(conn.call('AtomicLong', 'typed', 'addAndGet', [1.5]), 'ERR_BAD_ARGUMENT');
    assert.equal(await conn.call('AtomicLong', 'typed', 'get', []), 5n);
  });

  it('answers a missing constructor argument with ERR_NO_OBJECT', async () => {
    await expectCode(conn.call('CyclicBarrier', 'no-parties', 'await', []), 'ERR_NO_OBJECT');
  });

  it('answers a payload over the limit with ERR_PAYLOAD_TOO_LARGE', async () => {
    await expectCode(conn.call('AtomicLong', 'big', 'set', [new Float64Array(16 * 1024)]), 'ERR_PAYLOAD_TOO_LARGE');
  });

  // The envelope itself over the limit (a value inline in its first frame, not an Arrow frame of
  // its own): the refusal still names the call's seq, or its client waits and resends forever.
  for (const [what, value] of [
    ['a string', 'x'.repeat(80 * 1024)],
    ['bytes', new Uint8Array(80 * 1024)],
    ['a plain array', Array.from({ length: 20 * 1024 }, (_, i) => i * 1.5)],
  ] as const) {
    it(`answers ${what} over the limit in the envelope's own frame with ERR_PAYLOAD_TOO_LARGE`, async () => {
      await expectCode(conn.call('AtomicReference', 'big-inline', 'set', [value]), 'ERR_PAYLOAD_TOO_LARGE');
    });
  }

  it('answers the $system object\'s inherited members (valueOf, toString, hasOwnProperty) and its fields with ERR_UNKNOWN_METHOD', async () => {
    for (const method of ['valueOf', 'toString', 'hasOwnProperty', 'toLocaleString', 'isPrototypeOf', 'caller', '__proto__']) {
      await expectCode(conn.call('$system', '', method, []), 'ERR_UNKNOWN_METHOD');
    }
    assert.equal(await conn.call('$system', '', 'ping', []), 'pong');
  });

  it('rejects a module whose hash does not match its code', async () => {
    await expectCode(conn.call('$system', '', 'loadModule', ['00'.repeat(32), 'export const x = 1;']), 'ERR_BAD_ARGUMENT');
  });
});
