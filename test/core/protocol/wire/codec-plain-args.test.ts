import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { WireCodec, parseCall } from '../../../../core/protocol/wire/codec.ts';

/**
 * The node's hand-read args (plainArgsNilOpts, under WireCodec.decodeCall): calls as clients send
 * them — ASCII names, args of plain values, no options — must read exactly as the general decoder
 * reads them (same values, same types: bytes as views of the frame, Buffer in Buffer), whole,
 * mutated or cut. Seed printed on failure, replayable with CRUCIAL_FUZZ_SEED; CI runs one fixed seed.
 */
const seed = process.env.CRUCIAL_FUZZ_SEED ? Number(process.env.CRUCIAL_FUZZ_SEED) : process.env.CI ? 20261202 : Date.now() % 2 ** 31;
const withSeed = async (p: Promise<void> | void) => {
  try { await p; } catch (e) { throw new Error(`${(e as Error).message}\n(replay with CRUCIAL_FUZZ_SEED=${seed})`); }
};

function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (err) {
    return { threw: (err as Error).constructor.name, code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
}

const ascii = (max: number) => fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: max });
// Every encoding the hand reader takes, its edges, and a few it leaves to the decoder (floats, big ints, non-ASCII, nesting).
const plain = fc.oneof(
  fc.constant(null), fc.boolean(),
  fc.integer({ min: -32, max: 127 }), fc.integer({ min: -128, max: 255 }), fc.integer({ min: -32768, max: 65535 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.constantFrom(-33, -129, -32769, 128, 256, 65536, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1),
  ascii(40), ascii(300), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(255, 256, 65535, 65536).map((n) => new Uint8Array(n).fill(7)),
);
const other = fc.oneof(fc.double({ noNaN: true }), fc.constant(2 ** 40), fc.string({ unit: 'grapheme', maxLength: 5 }), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(ascii(4), fc.integer(), { maxKeys: 2 }));
const args = fc.array(fc.oneof({ weight: 9, arbitrary: plain }, { weight: 1, arbitrary: other }), { maxLength: 15 });
const opts = fc.option(fc.record({ persistent: fc.boolean() }, { requiredKeys: [] }), { freq: 4, nil: undefined });

describe('wire - the node reads plain args by hand (decodeCall)', () => {
  it('decodeCall - plain args, no options: the values and errors of parseCall(decodeValue()), whole, mutated and cut', () => withSeed(fc.assert(fc.property(
    fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat({ max: 70000 }), ascii(20), ascii(40), ascii(20), args, opts,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 2 }), fc.nat(), fc.nat({ max: 3 }), fc.boolean(),
    (client, s, type, key, method, a, o, flips, cut, mode, asBuffer) => {
      let frames: Uint8Array[] = new WireCodec().encodeCall(client, s, type, key, method, a, o).map((f) => (asBuffer ? Buffer.from(f) : new Uint8Array(f)));
      if (mode === 1) {
        const head = frames[0]!;
        for (const [at, v] of flips) head[at % head.byteLength] = v;
      } else if (mode === 2) {
        frames = [frames[0]!.subarray(0, frames[0]!.byteLength - 1 - (cut % Math.min(8, frames[0]!.byteLength)))];
      }
      const fast = outcome(() => new WireCodec(undefined, { strictStrings: true }).decodeCall(frames));
      const general = outcome(() => parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)));
      assert.deepEqual(fast, general);
    },
  ), { seed, numRuns: process.env.CI ? 1000 : 5000 })));

  it('decodeCall - each integer encoding at its edges, and bytes of each length encoding, read as the decoder reads them', () => {
    const ints = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31)];
    const bins = [0, 1, 255, 256, 65535, 65536].map((n) => new Uint8Array(n).map((_, i) => i & 0xff));
    for (const asBuffer of [false, true]) {
      const frames = new WireCodec().encodeCall(new Uint8Array(8), 7, 'AtomicLong', 'k', 'm', [...ints, ...bins, 'ascii', null, true, false]).map((f) => (asBuffer ? Buffer.from(f) : new Uint8Array(f)));
      const fast = new WireCodec(undefined, { strictStrings: true }).decodeCall(frames);
      assert.deepEqual(fast, parseCall(new WireCodec(undefined, { strictStrings: true }).decodeValue(frames)));
      assert.deepEqual(fast.args.slice(0, ints.length), ints);
      // Bytes are views of the frame, not copies.
      const b = fast.args[ints.length + 3] as Uint8Array;
      assert.equal(b.buffer, frames[0]!.buffer);
    }
  });
});
