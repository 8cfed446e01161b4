/**
 * ml serve - input tensors in every numeric datatype, as JSON and as Triton binary bytes, decode to
 * the same float64 features; outputs encode as JSON or little-endian bytes.
 */
import { strict as assert } from 'node:assert';
import { decodeFeatures, encodeOutput } from '../../../ml/serve/tensor.ts';
import { V2HttpError } from '../../../ml/serve/http-error.ts';

const VALUES = [0, 1, 2, 7, 100, 127];
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('ml serve - tensors', () => {
  const typed: Array<[string, ArrayBufferView]> = [
    ['FP64', Float64Array.from([...VALUES, -1.5].slice(0, 6))],
    ['FP32', Float32Array.from([...VALUES.slice(0, 5), -0.25])],
    ['INT64', BigInt64Array.from([...VALUES.slice(0, 5), -9].map(BigInt))],
    ['UINT64', BigUint64Array.from(VALUES.map(BigInt))],
    ['INT32', Int32Array.from([...VALUES.slice(0, 5), -70000])],
    ['UINT32', Uint32Array.from([...VALUES.slice(0, 5), 4000000000])],
    ['INT16', Int16Array.from([...VALUES.slice(0, 5), -300])],
    ['UINT16', Uint16Array.from([...VALUES.slice(0, 5), 60000])],
    ['INT8', Int8Array.from([...VALUES.slice(0, 5), -128])],
    ['UINT8', Uint8Array.from([...VALUES.slice(0, 5), 255])],
    ['BOOL', Uint8Array.from([1, 0, 1, 1, 0, 0])],
  ];
  for (const [datatype, arr] of typed) {
    it(`${datatype}: binary bytes and JSON data decode to the same [2, 3] features`, () => {
      const expected = Array.from(arr as unknown as ArrayLike<number | bigint>, Number);
      const bin = decodeFeatures({ name: 'x', shape: [2, 3], datatype }, 3, bytes(arr));
      assert.deepEqual([...bin.X], expected);
      assert.equal(bin.nRows, 2);
      const data = datatype === 'BOOL' ? expected.map(Boolean) : [[expected.slice(0, 3)], [expected.slice(3)]];
      assert.deepEqual([...decodeFeatures({ name: 'x', shape: [2, 3], datatype, data }, 3).X], expected);
    });
  }

  it('FP16 bytes: normal, negative, largest, subnormal and zero values', () => {
    const halves = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0000, 0x3555]);
    const { X } = decodeFeatures({ name: 'x', shape: [1, 6], datatype: 'FP16' }, 6, bytes(halves));
    assert.deepEqual([...X].slice(0, 5), [1, -2, 65504, 2 ** -24, 0]);
    assert.ok(Math.abs(X[5]! - 0.33325195) < 1e-8);
  });

  it('a binary buffer of the wrong length is a 400', () => {
    assert.throws(() => decodeFeatures({ name: 'x', shape: [2, 3], datatype: 'FP32' }, 3, new Uint8Array(20)),
      (e: unknown) => e instanceof V2HttpError && e.status === 400 && /20 bytes of binary data, shape \[2, 3\] of FP32 needs 24/.test(e.message));
  });

  it('a shape far larger than the data is a 400, before anything that size is allocated', () => {
    assert.throws(() => decodeFeatures({ name: 'x', shape: [4e9, 3], datatype: 'FP64', data: [1, 2, 3] }, 3),
      (e: unknown) => e instanceof V2HttpError && e.status === 400 && /3 values for shape \[4000000000, 3\]/.test(e.message));
    assert.throws(() => decodeFeatures({ name: 'x', shape: [4e9, 3], datatype: 'FP64' }, 3, new Uint8Array(24)),
      (e: unknown) => e instanceof V2HttpError && e.status === 400);
  });

  it('data nested deeper than 32 levels is a 400, not a stack overflow', () => {
    let deep: unknown = [1, 2, 3];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.throws(() => decodeFeatures({ name: 'x', shape: [1, 3], datatype: 'FP64', data: deep }, 3),
      (e: unknown) => e instanceof V2HttpError && e.status === 400 && /nested more than 32 deep/.test(e.message));
  });

  it('zero rows are a valid [0, d] tensor', () => {
    assert.deepEqual(decodeFeatures({ name: 'x', shape: [0, 3], datatype: 'FP64', data: [] }, 3), { X: new Float64Array(0), nRows: 0 });
  });

  it('outputs: JSON data, or FP64 / INT64 little-endian bytes with binary_data_size', () => {
    const v = Float64Array.from([3, 7, 7]);
    assert.deepEqual(encodeOutput('predict', v, [3, 1], 'INT64', false).output, { name: 'predict', shape: [3, 1], datatype: 'INT64', parameters: { content_type: 'np' }, data: [3, 7, 7] });
    const ints = encodeOutput('predict', v, [3, 1], 'INT64', true);
    assert.deepEqual(ints.output, { name: 'predict', shape: [3, 1], datatype: 'INT64', parameters: { binary_data_size: 24 } });
    assert.deepEqual([...new BigInt64Array(ints.binary!.slice().buffer)], [3n, 7n, 7n]);
    const p = Float64Array.from([0.25, 0.75, 0.5, 0.5]);
    const fl = encodeOutput('predict_proba', p, [2, 2], 'FP64', true);
    assert.deepEqual(fl.output.shape, [2, 2]);
    assert.deepEqual([...new Float64Array(fl.binary!.slice().buffer)], [...p]);
  });
});
