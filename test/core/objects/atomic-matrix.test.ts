import { strict as assert } from 'node:assert';
import { AtomicMatrix } from '../../../core/objects/atomic-matrix.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-matrix', () => {
  const dso = withDso();

  it('atomic-matrix - starts at zero with its shape and reads back row-major', async () => {
    const m = new AtomicMatrix(dso.key(), 2, 3, undefined, dso.opts);
    assert.deepEqual(await m.shape(), [2, 3]);
    await m.set(1, 2, 7.5);
    assert.equal(await m.get(1, 2), 7.5);
    assert.equal(await m.add(1, 2, 0.5), 8);
    const all = await m.toArray();
    assert.ok(all instanceof Float64Array);
    assert.deepEqual([...all], [0, 0, 0, 0, 0, 8]);
  });

  it('atomic-matrix - setRow and getRow move whole rows as Float64Array', async () => {
    const m = new AtomicMatrix(dso.key(), 2, 2, [1, 2, 3, 4], dso.opts);
    assert.deepEqual([...await m.getRow(1)], [3, 4]);
    await m.setRow(0, new Float64Array([9, 8]));
    assert.deepEqual([...await m.getRow(0)], [9, 8]);
  });

  it('atomic-matrix - addToRow from 8 connections sums elementwise exactly', async () => {
    const key = dso.key();
    const cols = 256;
    await Promise.all(Array.from({ length: 8 }, async () => {
      const m = new AtomicMatrix(key, 4, cols, undefined, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 25 }, (_, i) => m.addToRow(i % 4, new Float64Array(cols).fill(1))));
    }));
    const all = await new AtomicMatrix(key, 4, cols, undefined, dso.opts).toArray();
    for (let r = 0; r < 4; r++) {
      const expected = 8 * (r === 0 ? 7 : 6);
      assert.ok(all.subarray(r * cols, (r + 1) * cols).every((x) => x === expected), `row ${r}`);
    }
  });

  it('atomic-matrix - out-of-range cells and wrong row lengths are ERR_BAD_ARGUMENT', async () => {
    const m = new AtomicMatrix(dso.key(), 2, 2, undefined, dso.opts);
    await rejectsWithCode(m.get(2, 0), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(m.get(0, -1), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(m.setRow(0, [1, 2, 3]), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(m.addToRow(0, 'ab' as unknown as number[]), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(new AtomicMatrix(dso.key(), 0, 2, undefined, dso.opts).shape(), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-matrix - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicMatrix', dso.key(), 'transpose', [], { init: [1, 1] }), 'ERR_UNKNOWN_METHOD');
  });
});
