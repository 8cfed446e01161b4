import { strict as assert } from 'node:assert';
import { Table, Schema, Field, Bool, Int32, Utf8, Struct, Dictionary, vectorFromArray, tableFromArrays, tableToIPC } from 'apache-arrow';
import { decodeArrow, encodeArray, encodeTable, loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { verifyArrowStream } from '../../../../core/protocol/wire/arrow-verify.ts';
import { BadFrameError } from '../../../../core/protocol/errors.ts';

/**
 * A schema-only Arrow stream (no fields, metadata {k: v}) as apache-arrow 21.2 writes it; byte 60
 * holds the length of the schema's custom_metadata vector (1), byte 104 that of its fields vector (0).
 * With 0x7fffffff at 60, apache-arrow's decodeCustomMetadata loops 2^31 times (minutes); with 50,000
 * at 104, decodeSchemaFields builds 50,000 fields out of nothing (15 s, +64 MB).
 */
const SCHEMA_ONLY = 'ffffffff680000001000000000000a000e000c00070008000a000000000000011000000004000a000c000000080004000a0000000800000030000000010000000c00000008000c000800040008000000080000000c0000000100000076000000010000006b0000000000000000000000ffffffff00000000';
const METADATA_LENGTH_AT = 60;
const FIELDS_LENGTH_AT = 104;

function crafted(at: number, length: number): Uint8Array {
  const b = Buffer.from(SCHEMA_ONLY, 'hex');
  b.writeInt32LE(length, at);
  return new Uint8Array(b);
}

/**
 * A 360-byte `array` stream bench/fuzz made (seed 12, a mutated float64 array): its record batch
 * claims 704,643,074 rows with nulls over a 16-byte body. apache-arrow sized a validity bitmap by the
 * rows, 88 MB, twice over, and a node fed a few such calls over libzmq stalled past 1.4 GB.
 */
const ROWS_OVER_BODY =
  'ffffffffb80000001000000000000a000e000c00070008000a000000000000011000000004000a000c000000080004000a0000000800000040000000' +
  '010000000c00000008000c00080004000800000008000000100000000500000061727261790000000c0000006372756369616c2e6b696e6400000000' +
  '010000001400000010001400040000000f00100000000800100000001000000014000000000000031800000001000000760000000000000000000600' +
  '080006000600000000000200ffffffff8800000014000000000000000c00160014000f00100004000c00000010000000000000000000000310000000' +
  '04000a0018000c00080004000a00000014000000380000000200002a0000000000000000020000000000000000000000000000000000000000000000' +
  '0000000010000000000000000000000001000000020000000000000000000000000000000000007aedf7a63f000000d6140fb43fffffffff00000000';

const isBadFrame = (e: unknown) => e instanceof BadFrameError && /not a valid Arrow IPC stream/.test(e.message);

describe('arrow attachment bounds', () => {
  before(() => loadArrow());

  it('arrow bounds - the untouched 120-byte stream decodes (the fixture is what apache-arrow writes)', () => {
    const t = decodeArrow(crafted(METADATA_LENGTH_AT, 1)) as Table;
    assert.equal(t.schema.metadata.get('k'), 'v');
    assert.equal(t.schema.fields.length, 0);
  });

  it('arrow bounds - a custom_metadata vector longer than the frame is refused as a bad frame (apache-arrow would read 1,000 entries from 120 bytes)', () => {
    assert.throws(() => decodeArrow(crafted(METADATA_LENGTH_AT, 1000)), isBadFrame);
  });

  it('arrow bounds - a custom_metadata length of 2^31-1 is refused before apache-arrow loops over it', () => {
    assert.throws(() => decodeArrow(crafted(METADATA_LENGTH_AT, 0x7fffffff)), isBadFrame);
  });

  it('arrow bounds - a fields vector longer than the frame is refused (apache-arrow would build the fields out of nothing)', () => {
    assert.throws(() => decodeArrow(crafted(FIELDS_LENGTH_AT, 2000)), isBadFrame);
    assert.throws(() => decodeArrow(crafted(FIELDS_LENGTH_AT, -1)), isBadFrame);
  });

  it('arrow bounds - every truncation of a valid stream is refused or decoded, never anything but a bad frame', () => {
    const full = encodeArray(new Float64Array([1, 2, 3, 4.5]));
    for (let n = 0; n < full.byteLength; n++) {
      try { decodeArrow(full.subarray(0, n)); } catch (e) { assert.ok(e instanceof BadFrameError, `prefix ${n}: ${String(e)}`); }
    }
  });

  it('arrow bounds - a record batch claiming more rows than its body has bits is refused before apache-arrow allocates for them', () => {
    const frame = new Uint8Array(Buffer.from(ROWS_OVER_BODY, 'hex'));
    assert.throws(() => verifyArrowStream(frame), (e: unknown) => isBadFrame(e) && /record batch of 704643074 rows in a 16-byte body/.test((e as Error).message));
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => decodeArrow(frame), isBadFrame);
    assert.ok(process.memoryUsage().arrayBuffers - before < 8e6, 'nothing sized by the claimed rows was allocated');
  });

  it('arrow bounds - what apache-arrow writes passes: arrays of each type, tables with metadata, nested, dictionary and string columns', () => {
    for (const a of [new Float64Array([1.5, -2]), new Float32Array([3]), new Int8Array([-1]), new Int16Array([300]), new Int32Array([1 << 30]),
      new Uint16Array([65535]), new Uint32Array([2 ** 32 - 1]), new BigInt64Array([-(2n ** 63n)]), new BigUint64Array([2n ** 64n - 1n]), new Float64Array(0)]) {
      verifyArrowStream(encodeArray(a));
      assert.deepEqual(decodeArrow(encodeArray(a)), a);
    }
    const plain = tableFromArrays({ n: new Int32Array([1, 2, 3]), s: ['a', 'bb', 'ccc'] as any });
    const nested = new Table({
      st: vectorFromArray([{ x: 1, y: 'p' }, { x: 2, y: 'q' }], new Struct([new Field('x', new Int32()), new Field('y', new Utf8())])),
      d: vectorFromArray(['u', 'v'], new Dictionary(new Utf8(), new Int32())),
    });
    const withMeta = new Table(new Schema(plain.schema.fields, new Map([['owner', 'me']])), plain.batches);
    // A boolean column is the leanest layout: one bit per row, the most rows a body may claim.
    const bools = new Table({ b: vectorFromArray(Array.from({ length: 1000 }, (_, i) => i % 3 === 0), new Bool()) });
    for (const t of [plain, nested, withMeta, bools]) {
      verifyArrowStream(tableToIPC(t, 'stream'));
      const back = decodeArrow(encodeTable(t)) as Table;
      assert.equal(back.numRows, t.numRows);
      assert.deepEqual(back.toArray().map((r) => r.toJSON()), t.toArray().map((r) => r.toJSON()));
    }
  });
});
