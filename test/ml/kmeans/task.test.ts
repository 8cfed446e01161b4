import { strict as assert } from 'node:assert';
import { decodeTask, encodeTask, fromWire, toWire } from '../../../core/threads/task-codec.ts';

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), String);

describe('ml/kmeans - a one-thread fit\'s result on its way back to the driver', () => {
  it('task - the result\'s typed arrays through the task codec (Arrow frames; the second time by shape template) keep every bit of the centroids, inertias and iterations (−0, subnormals, views)', async () => {
    const backing = new Float64Array(9);
    const centroids = backing.subarray(1, 7); // a view not starting at its buffer's start
    centroids.set([-0, 5e-324, -1.7976931348623157e308, 1 / 3, -2.5e-310, 12345.678]);
    const r = { centroids, inertia: 2.5, nIter: 4, inertias: Float64Array.from([2.5, NaN]), nIters: Float64Array.from([4, 7]), bestRun: 0, tolerance: 1e-4 };
    for (let pass = 0; pass < 2; pass++) {
      const back = (await fromWire(await decodeTask(await encodeTask(toWire(r))))) as typeof r;
      assert.deepEqual(bits(back.centroids), bits(centroids));
      assert.deepEqual(bits(back.inertias), bits(r.inertias));
      assert.deepEqual(bits(back.nIters), bits(r.nIters));
      assert.deepEqual({ ...back, centroids: null, inertias: null, nIters: null }, { ...r, centroids: null, inertias: null, nIters: null });
      centroids[3] = -centroids[3]!; // the second pass: same shape, other values
    }
  });
});
