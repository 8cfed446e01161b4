import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { WireCodec, parseCall } from '../../core/protocol/wire/codec.ts';
import { ObjectRef, PROTOCOL_VERSION, Kind } from '../../core/protocol/wire/protocol.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { encodeMessage, greeting, encodeCommand, encodeMetadata } from '../../core/protocol/transport/zmtp/wire.ts';
import { expected, fuzzFrames } from './frame-target.ts';

/** fast-check's seed: printed on failure, replayable with CRUCIAL_FUZZ_SEED. */
// CI runs one fixed seed (a red run is then the code, not the draw); elsewhere each run explores a new one.
const seed = process.env.CRUCIAL_FUZZ_SEED ? Number(process.env.CRUCIAL_FUZZ_SEED) : process.env.CI ? 20261201 : Date.now() % 2 ** 31;
/** Kept small: the suite runs it on every commit; bench/fuzz/ runs the long campaigns. */
const runs = (n: number) => ({ seed, numRuns: n });
const withSeed = async (p: Promise<void> | void) => {
  try { await p; } catch (e) { throw new Error(`${(e as Error).message}\n(replay with CRUCIAL_FUZZ_SEED=${seed})`); }
};

/**
 * Values the wire carries, as they decode back (int64 as bigint, numbers as doubles, well-formed
 * strings). A number -0 is sent as the integer 0 (PROTOCOL.md, "Numbers"), so the generator makes 0.
 */
const leaf = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b < BigInt(Number.MIN_SAFE_INTEGER) || b > BigInt(Number.MAX_SAFE_INTEGER)),
  fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.string(), fc.string()).map(([t, k]) => new ObjectRef(t, k)),
  fc.float64Array({ maxLength: 16, noDefaultInfinity: true, noNaN: true }), fc.int32Array({ maxLength: 16 }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 5 }), fc.dictionary(fc.string({ unit: 'grapheme' }).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 5, noNullPrototype: true })),
})).v;

describe('fuzz - codec properties (fast-check)', () => {
  before(() => loadArrow());

  it('codec properties - every CALL envelope round-trips through encode and the strict decode the node uses', () => withSeed(fc.assert(fc.property(
    fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), fc.string(), fc.array(value, { maxLength: 4 }),
    (client, seq, type, key, method, args) => {
      const enc = new WireCodec();
      const dec = new WireCodec(undefined, { strictStrings: true });
      const call = parseCall(dec.decodeValue(enc.encodeCall(client, seq, type, key, method, args)));
      assert.deepEqual(call, { client, seq, type, key, method, args, opts: {} });
    }), runs(200))));

  it('codec properties - every OK reply round-trips', () => withSeed(fc.assert(fc.property(fc.nat(), value, (seq, v) => {
    const c = new WireCodec();
    const back = c.decodeValue(c.encodeOk(seq, v));
    assert.deepEqual(back, [PROTOCOL_VERSION, Kind.OK, seq, v === undefined ? null : v]);
  }), runs(300))));

  it('codec properties - arbitrary bytes as an envelope are refused with a typed error, never anything else', () => withSeed(fc.assert(fc.property(
    fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 3 }),
    (frames) => {
      try { parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)); } catch (e) { assert.ok(expected(e), String(e)); }
    }), runs(5000))));

  it('codec properties - a valid call with bytes flipped, cut or inserted is refused with a typed error or decoded', () => withSeed(fc.assert(fc.property(
    fc.array(value, { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 8 }),
    (args, edits) => {
      const frames = new WireCodec().encodeCall(new Uint8Array(8), 1, 'AtomicMap', 'k', 'put', args);
      const mutated = frames.map((f) => Buffer.from(f));
      for (const [at, byte, op] of edits) {
        const i = at % mutated.length;
        const f = mutated[i]!;
        const p = f.length === 0 ? 0 : at % f.length;
        mutated[i] = op === 0 ? Buffer.concat([f.subarray(0, p), Buffer.from([byte]), f.subarray(p + 1)])
          : op === 1 ? f.subarray(0, p) : Buffer.concat([f.subarray(0, p), Buffer.from([byte]), f.subarray(p)]);
      }
      try { parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(mutated)); } catch (e) { assert.ok(expected(e), String(e)); }
    }), runs(1000))));

  it('codec properties - ZMTP byte streams (a greeting, READY, messages, then mutations) never throw anything but a typed error', () => withSeed(fc.assert(fc.property(
    fc.array(fc.array(value, { maxLength: 2 }), { maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    (calls, flips) => {
      const c = new WireCodec();
      const stream = Buffer.concat([greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'DEALER', Identity: '' })),
        ...calls.map((args, i) => encodeMessage(c.encodeCall(new Uint8Array(8), i, 'AtomicList', 'l', 'add', args)))]);
      for (const [at, b] of flips) stream[at % stream.length] = b;
      fuzzFrames(stream);
    }), runs(800))));
});
