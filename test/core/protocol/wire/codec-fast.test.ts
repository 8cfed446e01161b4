import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { WireCodec, parseCall } from '../../../../core/protocol/wire/codec.ts';
import { ObjectRef, PROTOCOL_VERSION, Kind } from '../../../../core/protocol/wire/protocol.ts';
import { parseReply } from '../../../../core/protocol/wire/reply.ts';
import { loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { joinFrames, type Frame } from '../../../../core/protocol/wire/frames.ts';

/**
 * The client's fast paths (encodeCallFast, decodeReply) against the general codec they shortcut:
 * the same bytes out, the same values or errors in. fast-check's seed is printed on failure and
 * replayable with CRUCIAL_FUZZ_SEED; CI runs one fixed seed.
 */
const seed = process.env.CRUCIAL_FUZZ_SEED ? Number(process.env.CRUCIAL_FUZZ_SEED) : process.env.CI ? 20261201 : Date.now() % 2 ** 31;
const runs = (n: number) => ({ seed, numRuns: n });
const withSeed = async (p: Promise<void> | void) => {
  try { await p; } catch (e) { throw new Error(`${(e as Error).message}\n(replay with CRUCIAL_FUZZ_SEED=${seed})`); }
};

const leaf = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 2048 }),
  fc.tuple(fc.string(), fc.string()).map(([t, k]) => new ObjectRef(t, k)),
  fc.float64Array({ maxLength: 16, noDefaultInfinity: true, noNaN: true }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 4, noNullPrototype: true })),
})).v;
/** Names as the proxies make them (short ASCII) and anything else a caller may pass (long, non-ASCII, lone surrogates). */
const name = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ minLength: 28, maxLength: 300 }));
const seq = fc.oneof(fc.nat({ max: 300 }), fc.nat(), fc.maxSafeNat(), fc.constant(Number.MAX_SAFE_INTEGER));
const opts = fc.option(fc.record({ init: fc.array(value, { maxLength: 2 }), persistent: fc.boolean(), timeoutMs: fc.nat() }, { requiredKeys: [] }), { nil: undefined });

const bytes = (frames: Frame[]) => joinFrames(frames).map((f) => Buffer.from(f).toString('hex'));
/** What a call returns or throws, comparable with deepEqual. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (err) {
    return { threw: (err as Error).constructor.name, code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
}

describe('wire - codec fast paths (encodeCallFast, encodeOk, decodeReply, decodeCall)', () => {
  before(() => loadArrow());

  it('encodeCallFast - the same bytes as encodeCallScattered, or the same error, for any call', () => withSeed(fc.assert(fc.property(
    fc.uint8Array({ minLength: 0, maxLength: 300 }), seq, name, name, name, fc.array(value, { maxLength: 4 }), opts,
    (client, s, type, key, method, args, o) => {
      const fast = new WireCodec();
      const general = new WireCodec();
      const a = outcome(() => bytes(fast.encodeCallFast(client, s, type, key, method, args, o)));
      const b = outcome(() => bytes(general.encodeCallScattered(client, s, type, key, method, args, o)));
      assert.deepEqual(a, b);
    },
  ), runs(process.env.CI ? 300 : 1500))));

  it('encodeCallFast - frames stay as they were after later calls (kept for resends), also after a refused one', () => {
    const codec = new WireCodec();
    const client = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const kept: [Frame[], string[]][] = [];
    for (let i = 0; i < 300; i++) {
      const arg = i % 3 === 0 ? new Uint8Array(i * 7).fill(i & 0xff) : i % 3 === 1 ? 'x'.repeat(i) : i;
      const frames = codec.encodeCallFast(client, i, 'AtomicReference', `k${i}`, 'set', [arg]);
      kept.push([frames, bytes(frames)]);
      assert.throws(() => codec.encodeCallFast(client, i, 'T', '\ud800', 'm', []), { code: 'ERR_BAD_ARGUMENT' });
    }
    for (const [frames, hex] of kept) assert.deepEqual(bytes(frames), hex);
  });

  it('encodeOk - one-frame replies (heads copied into a shared slab) stay as they were after later replies and calls, across several slabs', () => {
    const codec = new WireCodec();
    const general = new WireCodec();
    const client = new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]);
    const kept: [Frame[], string[]][] = [];
    for (let i = 0; i < 300; i++) {
      // Sizes around the on-heap limit (64 B) and up to the slab's largest copy (4 KiB): ~600 KB, ten 64 KiB slabs.
      const n = [0, 50, 60, 61, 70, 1024, 1030, 2000, 4080, 4090, 5000][i % 11]!;
      const result = i % 4 === 3 ? 'y'.repeat(n) : new Uint8Array(n).fill(i & 0xff);
      const frames = codec.encodeOk(i, result);
      assert.deepEqual(bytes(frames), bytes(general.encodeFrames([PROTOCOL_VERSION, Kind.OK, i, result], Infinity)));
      kept.push([frames, bytes(frames)]);
      codec.encodeCallFast(client, i, 'AtomicReference', `k${i}`, 'set', [new Uint8Array(n).fill(0xee)]);
      assert.throws(() => codec.encodeOk(i, () => 1));
    }
    for (const [frames, hex] of kept) assert.deepEqual(bytes(frames), hex);
  });

  it('encodeOk / encodeOkScattered - the bytes of the general encodeFrames for any seq and result, and they stay after later replies', () => withSeed(fc.assert(fc.property(
    fc.oneof(fc.constant(null), fc.nat({ max: 300 }), fc.nat(), fc.maxSafeNat()), fc.oneof(value, fc.constant(undefined)), fc.boolean(),
    (s, result, scattered) => {
      const fast = new WireCodec();
      const general = new WireCodec();
      const env = [PROTOCOL_VERSION, Kind.OK, s, result === undefined ? null : result];
      const a = outcome(() => (scattered ? fast.encodeOkScattered(s, result) : fast.encodeOk(s, result)));
      const b = outcome(() => (scattered ? general.encodeFrames(env, 64 * 1024, true) : general.encodeFrames(env, Infinity)));
      const hex = (o: unknown) => ('ok' in (o as object) ? { ok: bytes((o as { ok: Frame[] }).ok) } : o);
      const kept = hex(a);
      assert.deepEqual(kept, hex(b));
      for (let i = 0; i < 3; i++) fast.encodeOk(i, new Uint8Array(100 + i).fill(i));
      assert.deepEqual(hex(a), kept);
    },
  ), runs(process.env.CI ? 300 : 1500))));

  it('decodeReply - the values and errors of parseReply(decodeValue()) for replies, mutated replies and noise', () => withSeed(fc.assert(fc.property(
    fc.oneof(fc.constant(null), fc.nat({ max: 200 }), fc.integer({ min: 256, max: 65535 }), fc.nat(), fc.maxSafeNat(), fc.integer({ min: -5000, max: -1 })),
    fc.oneof(value, fc.constant(undefined)), fc.boolean(),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), fc.nat(), fc.boolean(),
    (s, payload, asError, flips, cut, mutate) => {
      const enc = new WireCodec();
      const frames = (asError
        ? enc.encodeError(s, { code: 'ERR_X', name: 'X', message: typeof payload === 'string' ? payload : 'm', stack: '' })
        : enc.encodeOk(s, payload)).map((f) => new Uint8Array(f));
      if (mutate) {
        const head = frames[0]!;
        for (const [at, v] of flips) head[at % head.byteLength] = v;
        frames[0] = head.subarray(0, head.byteLength - (cut % Math.min(4, head.byteLength)));
      }
      const fast = outcome(() => new WireCodec().decodeReply(frames));
      const general = outcome(() => parseReply(new WireCodec().decodeValue(frames)));
      assert.deepEqual(fast, general);
    },
  ), runs(process.env.CI ? 500 : 3000))));

  it('decodeCall - the values and errors of parseCall(decodeValue()) on a strict node codec, for calls, mutated calls and noise', () => withSeed(fc.assert(fc.property(
    fc.uint8Array({ minLength: 0, maxLength: 20 }), fc.oneof(seq, fc.integer({ min: 256, max: 65535 })), name, name, name, fc.array(value, { maxLength: 3 }), opts,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), fc.nat(), fc.boolean(), fc.boolean(),
    (client, s, type, key, method, args, o, flips, cut, mutate, asBuffer) => {
      let frames: Uint8Array[];
      try {
        frames = new WireCodec().encodeCall(client, s, type, key, method, args, o).map((f) => (asBuffer ? Buffer.from(f) : new Uint8Array(f)));
      } catch {
        return; // a lone surrogate: nothing travels
      }
      if (mutate) {
        const head = frames[0]!;
        for (const [at, v] of flips) head[at % head.byteLength] = v;
        frames[0] = head.subarray(0, head.byteLength - (cut % Math.min(4, head.byteLength)));
      }
      const fast = outcome(() => new WireCodec(undefined, { strictStrings: true }).decodeCall(frames));
      const general = outcome(() => parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)));
      assert.deepEqual(fast, general);
    },
  ), runs(process.env.CI ? 500 : 3000))));

  it('decodeCall - one node codec over a run of calls whose names repeat and change (its last-name cache) reads what the general path reads', () => withSeed(fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom('AtomicLong', 'AxomicLong', 'AtomicReference', 'A', '', 'Atomic\u00e9', 'x'.repeat(40)), fc.constantFrom('get', 'set', 'addAndGet', 'ge', 'gx', 'gets', 'gxts', ''), fc.string({ maxLength: 8 }), fc.boolean()), { minLength: 1, maxLength: 30 }),
    (calls) => {
      const node = new WireCodec(undefined, { strictStrings: true });
      const client = new WireCodec();
      calls.forEach(([type, method, key, asBuffer], i) => {
        const frames = client.encodeCall(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), i, type, key, method, [i]).map((f) => (asBuffer ? Buffer.from(f) : new Uint8Array(f)));
        const call = node.decodeCall(frames);
        assert.deepEqual(call, parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)));
        // The frame may be reused by its owner once decoded: the cache kept its own copy of the names.
        frames[0]!.fill(0);
        assert.equal(call.type, type);
        assert.equal(call.method, method);
      });
    },
  ), runs(process.env.CI ? 200 : 1000))));

  it('decodeCall - a call as the client sends it, each seq encoding, read with its client id as a view of the frame', () => {
    const client = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
    for (const s of [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const frames = new WireCodec().encodeCallFast(client, s, 'AtomicLong', 'a.counter', 'addAndGet', [3, 'x'], { timeoutMs: 5 }) as Uint8Array[];
      const call = new WireCodec(undefined, { strictStrings: true }).decodeCall(frames);
      assert.deepEqual(call, parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)));
      assert.deepEqual({ ...call, client: [...call.client] }, { client: [...client], seq: s, type: 'AtomicLong', key: 'a.counter', method: 'addAndGet', args: [3, 'x'], opts: { timeoutMs: 5 } });
      assert.equal(call.client.buffer, frames[0]!.buffer);
    }
    // Not valid UTF-8 in the key: the node refuses it as before.
    const bad = new Uint8Array([0x99, 1, 0, 0xc4, 1, 7, 1, 0xa1, 0x54, 0xa2, 0xed, 0xa0, 0xa1, 0x6d, 0x90, 0xc0]);
    assert.throws(() => new WireCodec(undefined, { strictStrings: true }).decodeCall([bad]), { code: 'ERR_BAD_ARGUMENT' });
  });

  it('decodeReply - each seq encoding the fast path reads (fixint, uint 8/16/32, nil) and its edges', () => {
    const enc = new WireCodec();
    for (const s of [null, 0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      for (const payload of [null, 5, 'x', new Uint8Array(1024).fill(9), 123456n, [1, [2]], new Float64Array([1.5, 2])]) {
        const frames = enc.encodeOk(s, payload);
        const r = new WireCodec().decodeReply(frames);
        assert.deepEqual(r, parseReply(new WireCodec().decodeValue(frames)));
        assert.equal(r.seq, s);
        assert.equal(r.kind, Kind.OK);
      }
    }
    // Extra bytes after the payload, a truncated seq, another version: refused as the general path refuses them.
    const extra = new Uint8Array([0x94, PROTOCOL_VERSION, Kind.OK, 5, 0xc0, 0xc0]);
    assert.throws(() => new WireCodec().decodeReply([extra]), { code: 'ERR_BAD_FRAME' });
    assert.throws(() => new WireCodec().decodeReply([new Uint8Array([0x94, 1, 1, 0xcd, 0x01])]), { code: 'ERR_BAD_FRAME' });
    assert.throws(() => new WireCodec().decodeReply([new Uint8Array([0x94, 2, 1, 5, 0xc0])]), { code: 'ERR_PROTOCOL_VERSION' });
  });
});
