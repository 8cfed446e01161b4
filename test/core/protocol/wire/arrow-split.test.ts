import { strict as assert } from 'node:assert';
import { encode, ExtensionCodec } from '@msgpack/msgpack';
import { Schema, Table, makeVector, tableToIPC, tableFromArrays } from 'apache-arrow';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { encodeArray, loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { clearArrowTemplates } from '../../../../core/protocol/wire/arrow-templates.ts';
import { ARROW_ARRAY_COLUMN, ARROW_KIND_ARRAY, ARROW_KIND_KEY, Ext } from '../../../../core/protocol/wire/protocol.ts';
import { BadFrameError } from '../../../../core/protocol/errors.ts';

/** Stands for an ARROW extension with these payload bytes in an envelope `withArrow` encodes. */
class ArrowExt { constructor(readonly payload: Uint8Array) {} }
const arrowExts = new ExtensionCodec();
arrowExts.register({ type: Ext.ARROW, encode: (v) => (v instanceof ArrowExt ? v.payload : null), decode: () => null });
/** Frame 0 of a message whose payload is `payload`, ARROW extensions among it as given (what a Python client sends). */
const withArrow = (payload: unknown) => encode([1, 1, 0, payload], { extensionCodec: arrowExts });
const envelope = (ext: Uint8Array) => withArrow(new ArrowExt(ext));
const span = (first: number, count: number) => { const b = new Uint8Array(8); const v = new DataView(b.buffer); v.setUint32(0, first); v.setUint32(4, count); return b; };
const index = (i: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, i); return b; };
/** A fresh, 8-aligned copy of `bytes`, as the node's frame decoder hands a large frame over. */
const frame = (bytes: Uint8Array) => new Uint8Array(Buffer.from(bytes));

/** The [head, values, tail] frames a Python client sends for `arr`, cut from apache-arrow's own stream of it. */
function splitFrames(arr: Float64Array): [Uint8Array, Uint8Array, Uint8Array] {
  const plain = new Table({ [ARROW_ARRAY_COLUMN]: makeVector(arr) });
  const ipc = tableToIPC(new Table(new Schema(plain.schema.fields, new Map([[ARROW_KIND_KEY, ARROW_KIND_ARRAY]])), plain.batches), 'stream');
  const want = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
  const at = Buffer.from(ipc).indexOf(want);
  assert.ok(at > 0, 'the values lie in the stream');
  return [frame(ipc.subarray(0, at)), frame(ipc.subarray(at, at + arr.byteLength)), frame(ipc.subarray(at + arr.byteLength))];
}

describe('arrow attachments split over frames (PROTOCOL.md §4.1)', () => {
  before(loadArrow);
  beforeEach(clearArrowTemplates);
  const codec = new WireCodec();

  it('arrow split - an array sent as [head, values, tail] decodes to the same values; once its shape is known, as a view of the values frame', () => {
    const arr = new Float64Array(100_000).map((_, i) => i * 0.5 - 7);
    for (let round = 0; round < 2; round++) {
      const parts = splitFrames(arr);
      const got = (codec.decodeRaw([envelope(span(1, 3)), ...parts]) as unknown[])[3] as Float64Array;
      assert.ok(got instanceof Float64Array);
      assert.deepEqual(got, arr);
      // The first of a shape is joined and decoded by apache-arrow; the next is read in place.
      assert.equal(got.buffer === parts[1].buffer, round === 1, `round ${round}: a view of the values frame`);
    }
  });

  it('arrow split - any split of a stream, at any byte, decodes as the stream whole; attachments after it keep their indexes', () => {
    const arr = new Int32Array(5000).map((_, i) => (i * 7919) | 0);
    const whole = encodeArray(arr);
    const small = new Float32Array([1.5, 2.5]);
    for (const cuts of [[1], [8, 9, 10], [whole.byteLength - 1], [100, 4000, 20_000]]) {
      const parts: Uint8Array[] = [];
      let at = 0;
      for (const c of [...cuts, whole.byteLength]) { parts.push(frame(whole.subarray(at, c))); at = c; }
      // Payload [the array split over parts.length frames, a small array in the frame after them].
      const head = withArrow([new ArrowExt(span(1, parts.length)), new ArrowExt(index(parts.length + 1))]);
      const v = (codec.decodeRaw([head, ...parts, frame(encodeArray(small))]) as unknown[])[3] as [Int32Array, Float32Array];
      assert.deepEqual(v[0], arr, `cuts ${cuts.join(',')}`);
      assert.deepEqual(v[1], small);
    }
  });

  it('arrow split - a table split over frames decodes as the table', () => {
    const t = tableFromArrays({ a: new Float64Array([1, 2, 3]), b: new Int32Array([4, 5, 6]) });
    const ipc = tableToIPC(t, 'stream');
    const parts = [frame(ipc.subarray(0, 50)), frame(ipc.subarray(50))];
    const got = (codec.decodeRaw([envelope(span(1, 2)), ...parts]) as unknown[])[3] as Table;
    assert.deepEqual([...got.getChild('b')!.toArray()], [4, 5, 6]);
  });

  it('arrow split - a span naming frames the message lacks, a count of 0 or a payload of another size is ERR_BAD_FRAME', () => {
    const parts = splitFrames(new Float64Array(16).fill(2));
    const cases: [Uint8Array, Uint8Array[], RegExp][] = [
      [span(1, 4), parts, /names frames 1\.\.4, message has 3/],
      [span(2, 3), parts, /names frames 2\.\.4, message has 3/],
      [span(0, 3), parts, /message has 3/],
      [span(1, 0), parts, /message has 3/],
      [span(0xffffffff, 0xffffffff), parts, /message has 3/],
      [new Uint8Array(5), parts, /4-byte frame index, or an index and a frame count/],
      [span(1, 3), [frame(new Uint8Array(10).fill(0x55)), frame(new Uint8Array(10).fill(0x55)), frame(new Uint8Array(10).fill(0x55))], /not a valid Arrow IPC stream/],
    ];
    for (const [ext, frames, want] of cases) {
      assert.throws(() => codec.decodeRaw([envelope(ext), ...frames]), (e: unknown) => e instanceof BadFrameError && want.test(e.message), `${Buffer.from(ext).toString('hex')}`);
    }
  });
});
