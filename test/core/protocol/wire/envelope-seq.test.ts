/**
 * The seq of an envelope that failed to decode (envelope-bytes.ts `seqAt`), which a node's error
 * reply carries: the same number the decoder would read, found without decoding anything else, so
 * a hostile array header costs nothing (it cost a node 160 MB). Also the REF extension's payload.
 */
import { strict as assert } from 'node:assert';
import { getHeapStatistics } from 'node:v8';
import { decode, encode } from '@msgpack/msgpack';
import { WireCodec, peekSeq } from '../../../../core/protocol/wire/codec.ts';
import { seqAt } from '../../../../core/protocol/wire/envelope-bytes.ts';
import { BadFrameError } from '../../../../core/protocol/errors.ts';
import { ObjectRef } from '../../../../core/protocol/wire/protocol.ts';
import { Connection } from '../../../../core/client/connection.ts';
import { startDso, type DsoNode } from '../../../../dso/node.ts';
import { mulberry32 } from '../../../../bench/lib/rng.ts';

/** What bench/fuzz sent: [1, 0, bin8 client, then an array32 header declaring 20,948,772 elements] in 22 bytes. */
const HOSTILE = Buffer.from('990100c408fe00000000000038dd013fa72473797374', 'hex');
const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1e9);
const heap = () => getHeapStatistics().total_heap_size;

describe('envelope seq of a request that failed to decode', () => {
  const codec = new WireCodec();
  const client = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

  it('envelope seq - the seq of calls as clients encode them, small to 2^53 - 1, and of other scalar heads', () => {
    for (const seq of [0, 5, 127, 128, 255, 256, 65_535, 70_000, 2 ** 32 + 5, 2 ** 53 - 1]) {
      const [head] = codec.encodeCall(client, seq, 'AtomicLong', 'k', 'addAndGet', [1]);
      assert.equal(seqAt(head!), seq);
    }
    assert.equal(seqAt(encode([1, 0, 'a string client', -7, 'x'])), -7);
    assert.equal(seqAt(encode([1, 0, null, 1.5, 'x'])), 1.5);
    assert.equal(seqAt(encode([1, 0, new Uint8Array(300), 9, 'x'])), 9);
    for (const none of [encode([1, 0, [1], 9]), encode([1, 0, client]), encode({ seq: 9 }), encode([1, 0, client, 'nine']), new Uint8Array(0)]) {
      assert.equal(seqAt(none), null);
    }
  });

  it(`envelope seq - wherever the decoder reads a seq from a mutated envelope, seqAt reads the same (seed ${SEED}, CRUCIAL_TEST_SEED)`, () => {
    const r = mulberry32(SEED);
    const base = codec.encodeCall(client, 4242, 'AtomicReference', 'key', 'set', [new Uint8Array(20), 'v'])[0]!;
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(base);
      for (let e = 0; e < 1 + Math.floor(r() * 3); e++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      const got = seqAt(b);
      let want: number | null;
      try { want = peekSeq(decode(b)); } catch { continue; }
      const v = decode(b) as unknown[];
      // The decoder also reads a seq after containers; seqAt leaves those to it (null), never another number.
      if (Array.isArray(v) && v.slice(0, 3).some((x) => typeof x === 'object' && x !== null && !(x instanceof Uint8Array))) { assert.ok(got === null || got === want); continue; }
      assert.equal(got, want, `seed ${SEED}, input ${i}: ${b.toString('hex')}`);
      compared++;
    }
    assert.ok(compared > 1000, `${compared} envelopes compared`);
  });

  it('envelope seq - 22 bytes declaring 20,948,772 elements: no seq, and nothing allocated for them', () => {
    const before = heap();
    for (let i = 0; i < 5; i++) assert.equal(seqAt(HOSTILE), null);
    assert.ok(heap() - before < 32 * 1024 * 1024, `heap grew ${heap() - before} bytes`);
  });

  it('envelope seq - a REF extension holding anything but [type, key] is a bad frame, an array header of millions included', () => {
    const ref = (payload: Uint8Array) => {
      const ext = Buffer.concat([Buffer.from([0xc7, payload.length, 3]), payload]);
      return Buffer.concat([Buffer.from([0x94, 0x01, 0x01, 0x00]), ext]);
    };
    const before = heap();
    assert.throws(() => codec.decodeRaw([ref(Buffer.from('dd013fa724a17461', 'hex'))]), (e: unknown) => e instanceof BadFrameError && /\[type, key\]/.test(e.message));
    assert.ok(heap() - before < 32 * 1024 * 1024, `heap grew ${heap() - before} bytes`);
    assert.throws(() => codec.decodeRaw([ref(encode(['T']))]), BadFrameError);
    const back = (codec.decodeRaw([ref(encode(['T', 'k']))]) as unknown[])[3] as ObjectRef;
    assert.ok(back instanceof ObjectRef && back.type === 'T' && back.key === 'k');
  });

  describe('on a live node', () => {
    let node: DsoNode;
    let conn: Connection;
    before(async () => {
      node = await startDso({ port: 0, insecure: true });
      conn = new Connection(node.address, { security: null });
    });
    after(async () => { await conn.close(); await node.close(); });

    it('envelope seq - the node refuses the 22 bytes without allocating for them and serves the next call', async () => {
      await conn.call('AtomicLong', 'seq-k', 'addAndGet', [1]);
      const before = heap();
      for (let i = 0; i < 5; i++) conn.sendRaw([HOSTILE]);
      assert.equal(await conn.call('AtomicLong', 'seq-k', 'addAndGet', [1]), 2n);
      assert.ok(heap() - before < 64 * 1024 * 1024, `heap grew ${heap() - before} bytes`);
    });
  });
});
