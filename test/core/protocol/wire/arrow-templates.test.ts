import { strict as assert } from 'node:assert';
import { Schema, Table, makeVector, tableToIPC } from 'apache-arrow';
import { decodeArrow, encodeArray, encodeArrayChunks, loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { clearArrowTemplates } from '../../../../core/protocol/wire/arrow-templates.ts';
import { ARROW_ARRAY_COLUMN, ARROW_KIND_ARRAY, ARROW_KIND_KEY } from '../../../../core/protocol/wire/protocol.ts';
import { BadFrameError } from '../../../../core/protocol/errors.ts';

/** apache-arrow's own stream for `arr`, built here independently of arrow.ts. */
function oracle(arr: ArrayBufferView): Uint8Array {
  const plain = new Table({ [ARROW_ARRAY_COLUMN]: makeVector(arr as any) });
  return tableToIPC(new Table(new Schema(plain.schema.fields, new Map([[ARROW_KIND_KEY, ARROW_KIND_ARRAY]])), plain.batches), 'stream');
}

const SEED = Number(process.env.ARROW_TEMPLATES_SEED ?? Date.now() % 1e9);
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('arrow templates', () => {
  before(loadArrow);
  beforeEach(clearArrowTemplates);

  const kinds = [Float64Array, Float32Array, Int8Array, Int16Array, Int32Array, Uint16Array, Uint32Array, BigInt64Array, BigUint64Array] as const;

  it(`arrow templates - every numeric type and length: each encode of a shape, first or reused, is apache-arrow's stream byte for byte (seed ${SEED}, ARROW_TEMPLATES_SEED)`, () => {
    const r = rng(SEED);
    for (const K of kinds) {
      for (const len of [1, 3, 8, 1000, 12_345]) {
        for (let round = 0; round < 3; round++) {
          const raw = new Uint8Array(len * K.BYTES_PER_ELEMENT).map(() => Math.floor(r() * 256));
          const arr = new K(raw.buffer) as ArrayBufferView;
          assert.deepEqual(Buffer.from(encodeArray(arr as any)), Buffer.from(oracle(arr)), `${K.name}[${len}] round ${round} (seed ${SEED})`);
        }
      }
    }
  });

  it('arrow templates - a reused encode sends the array\'s own memory, not a copy', () => {
    const arr = new Float64Array(100_000).fill(1.5);
    encodeArrayChunks(arr);
    const { chunks } = encodeArrayChunks(arr);
    assert.equal(chunks.filter((c) => c.buffer === arr.buffer).length, 1);
  });

  it('arrow templates - a frame decoded by template is the same array, a view of the frame, as apache-arrow\'s decode', () => {
    const r = rng(SEED + 1);
    // Small arrays are templated too (a fit's result, k-means' centroids): 136 bytes and 128 KiB.
    for (const K of kinds) for (const bytes of [136, 128 * 1024]) {
      const len = Math.ceil(bytes / K.BYTES_PER_ELEMENT) + 3;
      for (let round = 0; round < 3; round++) {
        const raw = new Uint8Array(len * K.BYTES_PER_ELEMENT).map(() => Math.floor(r() * 256));
        const frame = Buffer.from(oracle(new K(raw.buffer)));
        const got = decodeArrow(frame) as ArrayBufferView & { length: number };
        assert.equal(got.constructor, K);
        assert.equal(got.length, len);
        assert.equal(got.buffer, frame.buffer, 'a view of the frame');
        assert.deepEqual(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(raw), `${K.name} round ${round} (seed ${SEED})`);
      }
    }
  });

  it('arrow templates - a frame of a known size that differs outside its values is decoded (and checked) afresh, not by template', () => {
    for (const len of [17, 20_000]) {
      decodeArrow(Buffer.from(oracle(new Float64Array(len).fill(1.5))));
      // Same byte length, another type: the schema differs, so the template must not apply.
      const asInt = decodeArrow(Buffer.from(oracle(new BigInt64Array(len).fill(7n))));
      assert.ok(asInt instanceof BigInt64Array && asInt[0] === 7n, `len ${len}`);
      // Same size, a corrupted record batch length: refused by the verifier as it would be without a template.
      const bad = Buffer.from(oracle(new Float64Array(len).fill(1.5)));
      decodeArrow(Buffer.from(bad));
      const rows = Buffer.alloc(8);
      rows.writeUInt32LE(len);
      const meta = bad.indexOf(rows); // the row count, little-endian int64
      assert.ok(meta > 0);
      bad.writeUInt32LE(0x7fffffff, meta);
      bad.writeUInt32LE(0x7fffffff, meta + 4);
      assert.throws(() => decodeArrow(bad), BadFrameError, `len ${len}`);
    }
  });
});
