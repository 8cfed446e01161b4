import { strict as assert } from 'node:assert';
import { tableFromArrays } from 'apache-arrow';
import { WireCodec, SCATTER_MIN_BYTES } from '../../../../core/protocol/wire/codec.ts';
import { loadArrow, type NumericArray } from '../../../../core/protocol/wire/arrow.ts';
import { ScatterFrame, joinFrames, type Frame } from '../../../../core/protocol/wire/frames.ts';
import { bindServer, openClient, type TransportKind } from '../../../../core/protocol/transport/socket.ts';
import type { ClientSecurity, ServerSecurity } from '../../../../core/protocol/transport/security.ts';
import { curveKeyPair } from '../../../../core/protocol/transport/zmtp/curve.ts';
import { mulberry32 } from '../../../../bench/lib/rng.ts';
import { Connection } from 'crucial';
import { startDso } from 'crucial/node';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);
const replay = `(seed ${SEED}; rerun with CRUCIAL_TEST_SEED=${SEED})`;
const CLIENT = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

/** Whether some chunk of a scattered frame lies in `buf` (the array's own memory, not a copy). */
const sharesMemory = (f: Frame, buf: ArrayBufferLike) => f instanceof ScatterFrame && f.chunks.some((c) => c.buffer === buf);

describe('scattered frames', function () {
  this.timeout(30_000);
  before(() => loadArrow());

  const big = SCATTER_MIN_BYTES / 8 + 1;
  const backing = new Float64Array(big + 16).map((_, i) => i * 0.25);
  const values: [string, NumericArray][] = [
    ['a small Float64Array', new Float64Array([1.5, -2, 3e300])],
    ['a Float64Array just under the threshold', new Float64Array(SCATTER_MIN_BYTES / 8 - 64).map((_, i) => i)],
    ['a Float64Array past the threshold', new Float64Array(big).map((_, i) => i / 7)],
    ['a view at an offset of a larger buffer', new Float64Array(backing.buffer, 64, big)],
    ['an Int32Array of odd length (body padding)', new Int32Array(2 * big + 1).map((_, i) => i - big)],
    ['a BigInt64Array', new BigInt64Array(big).map((_, i) => BigInt(i) * 3_000_000_000n)],
    ['a Float32Array of 1 MiB', new Float32Array(1 << 18).map((_, i) => Math.sin(i))],
  ];

  for (const [name, arr] of values) {
    it(`scattered frames - ${name}: the call's frames joined are encodeCall's, byte for byte, and a large array is not copied`, () => {
      const codec = new WireCodec();
      const scattered = codec.encodeCallScattered(CLIENT, 7, 'AtomicReference', 'k', 'set', [arr, 'tail', [arr]]);
      const joined = codec.encodeCall(CLIENT, 7, 'AtomicReference', 'k', 'set', [arr, 'tail', [arr]]);
      assert.deepEqual(joinFrames(scattered).map((f) => Buffer.from(f)), joined.map((f) => Buffer.from(f)));
      assert.equal(scattered.length, 3);
      const large = arr.byteLength + 400 >= SCATTER_MIN_BYTES;
      for (const f of scattered.slice(1)) {
        assert.equal(f instanceof ScatterFrame, large, 'scattered exactly when the attachment is at least SCATTER_MIN_BYTES');
        assert.equal(sharesMemory(f, arr.buffer), large);
      }
      // The decoded value is the array (through the node's strict codec).
      const back = new WireCodec(undefined, { strictStrings: true }).decodeValue(joined)[7] as unknown[];
      assert.deepEqual(back[0], arr);
    });
  }

  it('scattered frames - a Table past the threshold travels scattered, its joined bytes encodeCall\'s', () => {
    const n = big;
    const t = tableFromArrays({ x: new Float64Array(n).map((_, i) => i), y: new Int32Array(n).map((_, i) => -i) });
    const codec = new WireCodec();
    const scattered = codec.encodeCallScattered(CLIENT, 1, 'AtomicReference', 't', 'set', [t]);
    assert.ok(scattered[1] instanceof ScatterFrame);
    assert.deepEqual(joinFrames(scattered).map((f) => Buffer.from(f)), codec.encodeCall(CLIENT, 1, 'AtomicReference', 't', 'set', [t]).map((f) => Buffer.from(f)));
  });

  it('scattered frames - a node\'s reply scatters only arrays lying in a received frame, and joins to encodeOk\'s bytes', () => {
    const client = new WireCodec();
    const node = new WireCodec(undefined, { strictStrings: true });
    const arr = new Float64Array(big).map((_, i) => i * 3);
    const call = node.decodeValue(client.encodeCall(CLIENT, 2, 'AtomicReference', 'k', 'set', [arr]));
    const received = (call[7] as unknown[])[0] as Float64Array;
    assert.deepEqual(received, arr);
    const replyOf = (v: unknown) => node.encodeOkScattered(2, v);
    const fromFrame = replyOf(received);
    assert.ok(sharesMemory(fromFrame[1]!, received.buffer), 'the received array is sent from its own frame');
    assert.deepEqual(joinFrames(fromFrame).map((f) => Buffer.from(f)), node.encodeOk(2, received).map((f) => Buffer.from(f)));
    const made = arr.slice();
    const fresh = replyOf(made);
    assert.ok(!(fresh[1] instanceof ScatterFrame), 'an array the node made (one an object may write into) is copied');
    assert.deepEqual(fresh.map((f) => Buffer.from(f as Uint8Array)), node.encodeOk(2, made).map((f) => Buffer.from(f)));
    assert.deepEqual(client.decodeValue(joinFrames(fromFrame))[3], arr);
  });

  const curveServerKeys = curveKeyPair();
  const curveClientKeys = curveKeyPair();
  const links: [string, TransportKind, ServerSecurity | undefined, ClientSecurity | null][] = [
    ['a zmtp link', 'zmtp', undefined, null],
    ['a zmtp CURVE link (each frame sealed whole)', 'zmtp', { mechanism: 'CURVE', ...curveServerKeys, authenticate: (k) => (k === curveClientKeys.publicKey ? 'c' : null) },
      { mechanism: 'CURVE', serverKey: curveServerKeys.publicKey, ...curveClientKeys }],
    ['a libzmq client (frames joined for zeromq.js)', 'libzmq', undefined, null],
  ];
  for (const [name, clientKind, serverSecurity, clientSecurity] of links) {
    it(`scattered frames - over ${name}, a message of scattered and plain frames arrives as the joined bytes, every time it is sent`, async () => {
      const rnd = mulberry32(SEED);
      const got: Buffer[][] = [];
      let arrived: () => void = () => undefined;
      const server = await bindServer('zmtp', 'tcp://127.0.0.1:0', (_route, frames) => { got.push(frames.map((f) => Buffer.from(f))); arrived(); },
        { maxMessageBytes: 64 << 20, security: serverSecurity });
      let ready: () => void = () => undefined;
      const up = new Promise<void>((r) => { ready = r; });
      const client = openClient(clientKind, server.endpoint, () => undefined, { security: clientSecurity, onStatus: (st) => { if (st.type === 'connect') ready(); } });
      try {
        await up;
        for (let round = 0; round < 8; round++) {
          // Pieces of random sizes: empty, tiny, around the 16 KiB direct-write size, and large.
          const sizes = [0, 1, 7, 255, 256, 16 * 1024 - 1, 16 * 1024, 70_000, 300_000];
          const piece = () => Uint8Array.from({ length: sizes[Math.floor(rnd() * sizes.length)]! }, () => Math.floor(rnd() * 256));
          const frames: Frame[] = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => (rnd() < 0.5
            ? new ScatterFrame(Array.from({ length: 1 + Math.floor(rnd() * 6) }, piece))
            : piece()));
          const expected = joinFrames(frames).map((f) => Buffer.from(f));
          // Sent twice, as a resend after a reconnect sends the kept frames again.
          const twice = new Promise<void>((r) => { arrived = () => { if (got.length === 2) r(); }; });
          got.length = 0;
          client.send(frames);
          client.send(frames);
          await twice;
          assert.deepEqual(got[0], expected, `round ${round}: first send ${replay}`);
          assert.deepEqual(got[1], expected, `round ${round}: second send ${replay}`);
        }
      } finally {
        client.close();
        await server.close();
      }
    });
  }

  for (const transport of ['zmtp', 'libzmq'] as const) {
    it(`scattered frames - a ${transport} node: pipelined gets of a kept 8 MB array return it as it was when each get ran, with sets and in-place merges behind them`, async () => {
      const rnd = mulberry32(SEED);
      const node = await startDso({ port: 0, transport, maxPayloadBytes: 64 * 1024 * 1024 });
      const conn = new Connection(node.address);
      try {
        const n = 1 << 20;
        const a = Float64Array.from({ length: n }, () => rnd());
        const b = Float64Array.from({ length: n }, () => -rnd());
        await conn.call('AtomicReference', 'r', 'set', [a], { init: [null] });
        // Sent together: the first get's reply (a's received bytes, scattered) is still being written while the set runs.
        const [got1, , got2, old] = await Promise.all([
          conn.call('AtomicReference', 'r', 'get', []),
          conn.call('AtomicReference', 'r', 'set', [b]),
          conn.call('AtomicReference', 'r', 'get', []),
          conn.call('AtomicReference', 'r', 'getAndSet', [a]),
        ]);
        assert.deepEqual(got1, a, replay);
        // Read in place: a view of the frame it arrived in (Arrow header before it), not a copy of its own.
        const view = got1 as Float64Array;
        assert.ok(view.byteOffset > 0 && view.buffer.byteLength > view.byteLength && view.buffer.byteLength < view.byteLength + 4096, `${view.byteOffset}/${view.buffer.byteLength}`);
        assert.deepEqual(got2, b, replay);
        assert.deepEqual(old, b, replay);
        // A map adds into its own copy in place (merge 'sum'): a get sent before the merge sees the values before it.
        await conn.call('AtomicMap', 'm', 'put', ['v', a], { init: [[]] });
        const ones = new Float64Array(n).fill(1);
        const [before, , after] = await Promise.all([
          conn.call('AtomicMap', 'm', 'get', ['v']),
          conn.call('AtomicMap', 'm', 'merge', ['v', ones, 'sum']),
          conn.call('AtomicMap', 'm', 'get', ['v']),
        ]);
        assert.deepEqual(before, a, replay);
        assert.deepEqual(after, a.map((x) => x + 1), replay);
      } finally {
        await conn.close();
        await node.close();
      }
    });
  }
});
