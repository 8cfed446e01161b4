import { strict as assert } from 'node:assert';
import { decodeTask, encodeTask, fromWire, toWire } from '../../../core/threads/task-codec.ts';

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), String);

describe('ml/logreg - a one-thread fit\'s result on its way back to the driver', () => {
  it('task - the result\'s typed arrays through the task codec (Arrow frames; the second time by shape template) keep every bit of x and classes (−0, subnormals, odd offsets)', async () => {
    const backing = new Float64Array(9);
    const x = backing.subarray(1, 8); // a view not starting at its buffer's start
    x.set([-0, 5e-324, -1.7976931348623157e308, 1 / 3, 0, -2.5e-310, 12345.678]);
    const r = { x, classes: Float64Array.from([-1, 3.5]), r: 1, lossHistory: [0.69, 0.5], nIter: 1, evaluations: 2, converged: true, message: 'CONVERGENCE' };
    for (let pass = 0; pass < 2; pass++) {
      const back = (await fromWire(await decodeTask(await encodeTask(toWire(r))))) as typeof r;
      assert.deepEqual(bits(back.x), bits(x));
      assert.deepEqual(bits(back.classes), bits(r.classes));
      assert.deepEqual({ ...back, x: null, classes: null }, { ...r, x: null, classes: null });
      x[3] = -x[3]!; // the second pass: same shape, other values
    }
  });
});
