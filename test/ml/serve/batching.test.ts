/**
 * ml serve - micro-batching stacks concurrent requests into one predict call and hands each caller
 * back exactly its own rows; with batch size 1 every request is its own call.
 */
import { strict as assert } from 'node:assert';
import { startModelServer, type ModelServer } from '../../../ml/serve/server.ts';
import { MicroBatcher } from '../../../ml/serve/batcher.ts';
import { MemorySource, logregModel, logregOracle } from './models.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

const seed = Number(process.env.SERVE_TEST_SEED ?? Date.now() % 1_000_000);

const rng = mulberry32;

async function infer(base: string, rows: number[][]): Promise<any> {
  const r = await fetch(`${base}/v2/models/clf/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [rows.length, 3], datatype: 'FP64', data: rows.flat() }], outputs: [{ name: 'predict' }, { name: 'predict_proba' }] }),
  });
  assert.equal(r.status, 200);
  return r.json();
}

describe(`ml serve - micro-batching (SERVE_TEST_SEED=${seed})`, () => {
  let server: ModelServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  for (const [label, batchSize, expectBatches] of [['batched', 0, 1], ['off (batch size 1)', 1, 0]] as const) {
    it(`concurrent requests with distinct rows each get their own predictions: ${label}`, async () => {
      const random = rng(seed);
      const requests = Array.from({ length: 12 }, () =>
        Array.from({ length: 1 + Math.floor(random() * 3) }, () => [random() * 8 - 4, random() * 4 - 2, random() * 6 - 3]));
      const totalRows = requests.reduce((n, r) => n + r.length, 0);
      const source = new MemorySource();
      source.publish('clf', logregModel());
      // The batch is full exactly when the last request arrives: one predict call for all, whatever the timing
      // (the wait is far longer than the test); batch size 1 is the control.
      server = await startModelServer({
        port: 0, models: ['clf'], store: source, pollMs: 0,
        batchSize: batchSize === 0 ? totalRows : 1, batchWaitUs: 30_000_000,
      });
      await server.refresh();
      const answers = await Promise.all(requests.map((rows) => infer(server!.url, rows)));
      answers.forEach((a, i) => {
        const rows = requests[i]!;
        assert.deepEqual(a.outputs[0].shape, [rows.length, 1]);
        assert.deepEqual(a.outputs[0].data, rows.map((r) => logregOracle(r).label), `request ${i}: labels`);
        assert.deepEqual(a.outputs[1].shape, [rows.length, 2]);
        rows.forEach((r, j) => assert.ok(Math.abs(a.outputs[1].data[2 * j + 1] - logregOracle(r).proba[1]) < 1e-12, `request ${i} row ${j}: proba`));
      });
      const stats = server.stats('clf')!;
      assert.equal(stats.requests, requests.length);
      assert.equal(stats.rows, totalRows);
      if (expectBatches === 1) assert.deepEqual([stats.batches, stats.maxRequestsPerBatch], [1, requests.length]);
      else assert.deepEqual([stats.batches, stats.maxRequestsPerBatch], [requests.length, 1]);
    });
  }

  it('a failing batch is rerun caller by caller, so only the caller whose rows fail gets the error', async () => {
    const predict = (X: Float64Array, n: number) => {
      if (X.includes(-1)) throw new RangeError('bad row');
      return { labels: Float64Array.from({ length: n }, (_, i) => X[i]! * 10) };
    };
    const b = new MicroBatcher(predict, { maxBatchSize: 3, maxWaitUs: 30_000_000 });
    const results = await Promise.allSettled([b.submit(Float64Array.of(1), 1), b.submit(Float64Array.of(-1), 1), b.submit(Float64Array.of(3), 1)]);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? [...r.value.labels] : (r.reason as Error).message)), [[10], 'bad row', [30]]);
  });

  it('a batch that never fills runs when its wait is over', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher((X, n) => { sizes.push(n); return { labels: X.map((v) => v + 1) }; }, { maxBatchSize: 64, maxWaitUs: 2000 });
    const out = await Promise.all([b.submit(Float64Array.of(1, 2), 2), b.submit(Float64Array.of(5), 1)]);
    assert.deepEqual(out.map((p) => [...p.labels]), [[2, 3], [6]]);
    assert.deepEqual(sizes, [3]);
  });

  it('with a 0 µs wait, requests queued in one event-loop turn share a call', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher((X, n) => { sizes.push(n); return { labels: X.slice() }; }, { maxBatchSize: 64, maxWaitUs: 0 });
    const out = await Promise.all([1, 2, 3, 4].map((v) => b.submit(Float64Array.of(v), 1)));
    assert.deepEqual(out.map((p) => [...p.labels]), [[1], [2], [3], [4]]);
    assert.deepEqual(sizes, [4]);
  });
});
