import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { partitions } from '../../../ml/data/dataset.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { rejectsWithCode } from '../../helpers/dso.ts';

describe('ml/data partitions and writeDataset arguments', () => {
  it('partitions - n contiguous ranges covering [0, nRows) in order, sizes differing by at most one', () => {
    for (let nRows = 0; nRows <= 40; nRows++) {
      for (let n = 1; n <= 9; n++) {
        const p = partitions(nRows, n);
        assert.equal(p.length, n);
        assert.equal(p[0]![0], 0);
        assert.equal(p[n - 1]![1], nRows);
        for (let i = 1; i < n; i++) assert.equal(p[i]![0], p[i - 1]![1], `gap or overlap at ${i} for ${nRows}/${n}`);
        const sizes = p.map(([a, b]) => b - a);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${nRows}/${n}: ${sizes}`);
        assert.ok(sizes.every((s, i) => i === 0 || s <= sizes[i - 1]!), 'larger ranges first');
      }
    }
    assert.deepEqual(partitions(10, 3), [[0, 4], [4, 7], [7, 10]]);
    assert.deepEqual(partitions(1, 3), [[0, 1], [1, 1], [1, 1]]);
  });

  it('partitions - a non-integer or non-positive count is ERR_BAD_ARGUMENT', () => {
    for (const [rows, n] of [[10, 0], [10, -1], [10, 1.5], [-1, 2], [NaN, 2], [10, Infinity]]) {
      assert.throws(() => partitions(rows!, n!), (e: Error & { code?: string }) => e.code === ErrorCode.BAD_ARGUMENT);
    }
  });

  it('writeDataset - inconsistent lengths, bad batchRows and a feature named like the label are ERR_BAD_ARGUMENT', async () => {
    const ok = { X: new Float64Array(4), y: new Float64Array(2), nRows: 2, nCols: 2, featureNames: ['a', 'b'] };
    const path = '/nonexistent-dir/never-written.arrow';
    await rejectsWithCode(writeDataset(path, { ...ok, X: new Float64Array(5) }), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(writeDataset(path, { ...ok, y: new Float64Array(3) }), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(writeDataset(path, { ...ok, featureNames: ['a'] }), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(writeDataset(path, { ...ok, featureNames: ['a', 'a'] }), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(writeDataset(path, { ...ok, featureNames: ['a', 'y'] }), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(writeDataset(path, ok, { batchRows: 0 }), ErrorCode.BAD_ARGUMENT);
  });
});
