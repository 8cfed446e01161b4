import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { connect, shutdown } from '../../../core/client/context.ts';
import type { Connection } from '../../../core/client/connection.ts';
import { JobClient } from '../../../core/jobs/job-client.ts';
import { CrucialError } from '../../../core/protocol/errors.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { predict } from '../../../ml/model/predict.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import { mlFitJob } from '../../../dso/services/executor/ml-fit.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);
/** Replayable with CRUCIAL_TEST_SEED. */
const random = mulberry32(SEED);

/** Two Gaussian-ish blobs in d dimensions, classes 0 and 1, well apart (any sane classifier separates them). */
function blobs(n: number, d: number): { X: Float64Array; y: Float64Array } {
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < d; j++) X[i * d + j] = (y[i] ? 4 : -4) + (random() + random() + random() - 1.5);
  }
  return { X, y };
}

function asTable(X: Float64Array, y: Float64Array | undefined, d: number) {
  const cols: Record<string, Float64Array> = {};
  for (let j = 0; j < d; j++) cols[`x${j}`] = Float64Array.from({ length: X.length / d }, (_, i) => X[i * d + j]!);
  if (y) cols.y = y;
  return tableFromArrays(cols);
}

function accuracy(labels: Float64Array, y: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (labels[i] === y[i]) ok++;
  return ok / y.length;
}

describe('executor service ($jobs) - ml.fit trains on the node\'s workers and publishes the model', function () {
  this.timeout(120_000);
  let node: DsoNode;
  let conn: Connection;
  let jobs: JobClient;
  let store: ModelStore;
  let hadDso: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'crucial-mlfit-'));

  before(async () => {
    // The jobs' trainers use this process's default client, which ml.fit points at the node it runs
    // in: start from none (an earlier file's embedded node is closed by shutdown, and its address unset).
    await shutdown();
    hadDso = process.env.CRUCIAL_DSO;
    delete process.env.CRUCIAL_DSO;
    node = await startDso({ port: 0 });
    conn = connect(node.address);
    jobs = new JobClient(conn);
    store = new ModelStore({ connection: conn });
  });
  after(async () => {
    await conn.close();
    await shutdown();
    await node.close();
    delete process.env.CRUCIAL_DSO;
    if (hadDso !== undefined) process.env.CRUCIAL_DSO = hadDso;
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`replay with CRUCIAL_TEST_SEED=${SEED}`);
  });

  it('ml.fit - logistic regression on an Arrow attachment: result names the published version, the model separates the data, progress was reported', async () => {
    const { X, y } = blobs(400, 3);
    const id = await jobs.submit('ml.fit', { algorithm: 'logistic_regression', params: { C: 1 }, data: asTable(X, y, 3), modelName: 'svc-logreg' });
    const res = await jobs.result<{ modelName: string; version: number; meta: Record<string, unknown> }>(id);
    assert.equal(res.modelName, 'svc-logreg');
    assert.equal(res.version, await store.latestVersion('svc-logreg'));
    assert.deepEqual(res.meta.classes, [0, 1]);
    const model = await store.load('svc-logreg', res.version);
    assert.ok(accuracy(predict(model, X, 400).labels, y) > 0.98);
    const st = await jobs.status(id);
    assert.equal(st.state, 'succeeded');
    assert.ok(st.progress && st.progress.step >= 1, `progress ${JSON.stringify(st.progress)}`);
  });

  it('ml.fit - k-means from an Arrow file path on the node, and a random forest, run at the same time from two clients', async () => {
    const { X, y } = blobs(300, 2);
    const path = join(dir, 'blobs.arrow');
    await writeDataset(path, { X, y, nRows: 300, nCols: 2, featureNames: ['x0', 'x1'] });
    const other = new JobClient(connect(node.address));
    try {
      const [km, rf] = await Promise.all([
        other.submit('ml.fit', { algorithm: 'kmeans', params: { k: 2, seed: 1 }, data: path, modelName: 'svc-kmeans', workers: 2, minRowsPerPartition: 0 }),
        jobs.submit('ml.fit', { algorithm: 'random_forest', params: { nEstimators: 10, seed: 1, oobScore: true }, data: asTable(X, y, 2), modelName: 'svc-forest' }),
      ]);
      const [kmRes, rfRes] = await Promise.all([jobs.result<{ version: number }>(km), other.result<{ version: number; meta: { oobScore: number } }>(rf)]);
      const kmeans = await store.load('svc-kmeans', kmRes.version);
      assert.equal(kmeans.meta.workers, 2, 'minRowsPerPartition 0: split over the 2 workers even on 300 rows');
      const labels = predict(kmeans, X, 300).labels;
      // The two clusters are the two classes, whichever index each got.
      const agree = accuracy(labels, y);
      assert.ok(agree > 0.98 || agree < 0.02, `k-means agreement ${agree}`);
      assert.ok(rfRes.meta.oobScore > 0.95);
      assert.ok(accuracy(predict(await store.load('svc-forest'), X, 300).labels, y) > 0.98);
    } finally {
      await (other as unknown as { connection: Connection }).connection.close();
    }
  });

  it('ml.fit - a fit whose client disconnected still completes and publishes', async () => {
    const { X, y } = blobs(200, 2);
    const gone = connect(node.address);
    const id = await new JobClient(gone).submit('ml.fit', { algorithm: 'logistic_regression', data: asTable(X, y, 2), modelName: 'svc-orphan' });
    await gone.close();
    const res = await jobs.result<{ version: number }>(id);
    assert.equal(await store.latestVersion('svc-orphan'), res.version);
  });

  it('ml.fit - a fit cancelled while it trains publishes nothing (the handler, run to its end with its signal aborted)', async () => {
    const { X, y } = blobs(200, 2);
    const abort = new AbortController();
    abort.abort(new Error('cancelled by the test'));
    const args = mlFitJob.validate({ algorithm: 'logistic_regression', data: asTable(X, y, 2), modelName: 'svc-cancelled' });
    const run = mlFitJob.run({ id: 'test', args, signal: abort.signal, dso: node.address, progress: () => undefined, connection: async () => conn });
    await assert.rejects(run, /cancelled by the test/);
    assert.equal(await store.latestVersion('svc-cancelled'), undefined);
  });

  it('ml.fit - cancelling a training job stops the training itself: a 20,000-tree forest cancelled at its first progress report ends with far fewer trees merged', async () => {
    const { X, y } = blobs(200, 2);
    const abort = new AbortController();
    const steps: number[] = [];
    const args = mlFitJob.validate({ algorithm: 'random_forest', params: { nEstimators: 20_000, maxDepth: 1, seed: 3 }, data: asTable(X, y, 2), modelName: 'svc-cancel-trees' });
    const progress = (p: { step: number }): void => {
      steps.push(p.step);
      if (!abort.signal.aborted) abort.abort(new Error('cancelled by the test'));
    };
    const run = mlFitJob.run({ id: 'test-trees', args, signal: abort.signal, dso: node.address, progress, connection: async () => conn });
    await assert.rejects(run, /cancelled by the test/);
    // The fit's last report is the node's tree count once every cloud thread ended.
    const trees = steps[steps.length - 1]!;
    assert.ok(abort.signal.aborted && trees < 10_000, `the cancelled forest merged ${trees} of 20,000 trees (reports ${steps.join(', ')})`);
    assert.equal(await store.latestVersion('svc-cancel-trees'), undefined);
  });

  it('ml.fit - an error the trainer raises fails the job with its own code (k > rows is ERR_BAD_ARGUMENT from fitKMeans)', async () => {
    const { X } = blobs(5, 2);
    const id = await jobs.submit('ml.fit', { algorithm: 'kmeans', params: { k: 6 }, data: asTable(X, undefined, 2), modelName: 'svc-bad' });
    await assert.rejects(jobs.result(id), (err: unknown) => err instanceof CrucialError && err.code === 'ERR_BAD_ARGUMENT' && /greater than the 5 rows/.test(err.message));
    const st = await jobs.status(id);
    assert.equal(st.state, 'failed');
    assert.equal(st.error?.code, 'ERR_BAD_ARGUMENT');
    assert.equal(await store.latestVersion('svc-bad'), undefined, 'a failed fit publishes nothing');
  });
});
