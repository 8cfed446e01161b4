import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitLogisticRegression } from '../../../ml/logreg/fit.ts';
import { predictLogReg } from '../../../ml/logreg/predict.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import type { Dataset } from '../../../ml/data/dataset.ts';
import { CrucialError } from '../../../core/protocol/errors.ts';
import { gaussianBlobs } from '../fixtures/data.ts';
import { testSeed } from '../fixtures/sklearn.ts';

async function rejectsBadArgument(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CrucialError && e.code === 'ERR_BAD_ARGUMENT' && re.test(e.message));
}

function accuracy(m: Awaited<ReturnType<typeof fitLogisticRegression>>, d: Dataset): number {
  const { labels } = predictLogReg(m, d.X, d.nRows);
  let ok = 0;
  for (let i = 0; i < d.nRows; i++) if (labels[i] === d.y![i]) ok++;
  return ok / d.nRows;
}

describe('ml/logreg - fitLogisticRegression arguments and edge cases', function () {
  this.timeout(120_000);
  const seed = testSeed();
  const two = gaussianBlobs(400, 3, 2, 1, seed);

  it('fit - NaN or ±Inf features are ERR_BAD_ARGUMENT naming the row and feature', async () => {
    const X = two.X.slice();
    X[3 * 11] = Number.NaN;
    await rejectsBadArgument(fitLogisticRegression({ ...two, X }), /finite.*feature 0 of row 11/);
  });

  it('fit - bad parameters are ERR_BAD_ARGUMENT naming the parameter', async () => {
    await rejectsBadArgument(fitLogisticRegression(two, { C: 0 }), /params\.C/);
    await rejectsBadArgument(fitLogisticRegression(two, { C: -1 }), /params\.C/);
    await rejectsBadArgument(fitLogisticRegression(two, { C: Infinity }), /params\.C/);
    await rejectsBadArgument(fitLogisticRegression(two, { maxIter: 0 }), /params\.maxIter/);
    await rejectsBadArgument(fitLogisticRegression(two, { tol: -1 }), /params\.tol/);
    await rejectsBadArgument(fitLogisticRegression(two, { multiClass: 'ovr' as never }), /params\.multiClass/);
    await rejectsBadArgument(fitLogisticRegression(two, { fitIntercept: 'yes' as never }), /params\.fitIntercept/);
    await rejectsBadArgument(fitLogisticRegression(two, {}, { workers: -2 }), /workers/);
  });

  it('fit - data without labels, or with a single class, is a clear ERR_BAD_ARGUMENT', async () => {
    const { y: _y, ...noLabels } = two;
    await rejectsBadArgument(fitLogisticRegression(noLabels), /needs labels/);
    await rejectsBadArgument(fitLogisticRegression({ ...two, y: new Float64Array(two.nRows).fill(3) }), /at least 2 classes.*only class 3/);
  });

  it('fit - a single class in an Arrow file is found by the cloud threads and reported as ERR_BAD_ARGUMENT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucial-logreg-'));
    try {
      const path = join(dir, 'one-class.arrow');
      await writeDataset(path, { ...two, y: new Float64Array(two.nRows).fill(1) });
      await rejectsBadArgument(fitLogisticRegression(path, {}, { workers: 2 }), /at least 2 classes.*only class 1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fit - more workers than rows; a constant feature gets no weight; no intercept when fitIntercept is false', async () => {
    const tiny: Dataset = { X: Float64Array.from([0, -2, 0, -1, 0, 1, 0, 2]), y: Float64Array.from([0, 0, 1, 1]), nRows: 4, nCols: 2, featureNames: ['zero', 'x'] };
    const m = await fitLogisticRegression(tiny, { fitIntercept: false }, { workers: 6, minRowsPerPartition: 0 });
    assert.equal(accuracy(m, tiny), 1);
    assert.equal((m.arrays.coef.data as Float64Array)[0], 0, 'an all-zero column has zero gradient, so its weight stays 0');
    assert.deepEqual(Array.from(m.arrays.intercept.data), [0]);
    assert.equal(m.meta.workers, 6);
  });

  it('fit - three classes give a multinomial model (coef 3 × d) whose probabilities sum to 1; the loss history decreases', async () => {
    const three = gaussianBlobs(600, 4, 3, 1.5, seed);
    const m = await fitLogisticRegression(three, { C: 10 }, { workers: 3, minRowsPerPartition: 0 });
    assert.deepEqual(m.arrays.coef.shape, [3, 4]);
    assert.deepEqual(m.meta.classes, [0, 1, 2]);
    assert.ok(accuracy(m, three) > 0.9, `accuracy ${accuracy(m, three)} (CRUCIAL_ML_SEED=${seed})`);
    const { proba } = predictLogReg(m, three.X, three.nRows);
    for (let i = 0; i < three.nRows; i++) assert.ok(Math.abs(proba![3 * i]! + proba![3 * i + 1]! + proba![3 * i + 2]! - 1) < 1e-12);
    const h = m.meta.lossHistory as number[];
    assert.ok(h[h.length - 1]! < h[0]!);
    assert.ok(Math.abs(h[0]! - Math.log(3)) < 1e-12, `the start (all zeros) costs log 3 per row, got ${h[0]}`);
  });
});
