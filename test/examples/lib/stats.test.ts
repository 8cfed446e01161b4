import { strict as assert } from 'node:assert';
import { percentile } from '../../../examples/lib/stats.ts';

describe('examples/lib/stats', () => {
  it('stats - percentile is the nearest rank of the sorted values', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile(hundred, 0), 1);
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([0.3, 0.1], 50), 0.1);
    assert.equal(percentile([0.3, 0.1], 99), 0.3);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
