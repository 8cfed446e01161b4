import { strict as assert } from 'node:assert';
import { tableFromArrays } from 'apache-arrow';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { connect } from '../../../core/client/context.ts';
import type { Connection } from '../../../core/client/connection.ts';
import { JobClient, submitJob } from '../../../core/jobs/job-client.ts';
import { CrucialError } from '../../../core/protocol/errors.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<CrucialError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CrucialError, `expected a CrucialError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);
/** Replayable with CRUCIAL_TEST_SEED. */
const random = mulberry32(SEED);

describe('executor service ($jobs) - jobs any client submits run on the node', function () {
  let node: DsoNode;
  let conn: Connection;
  let jobs: JobClient;
  let latchN = 0;
  const latch = () => `latch-${process.pid}-${++latchN}`;

  before(async () => {
    node = await startDso({ port: 0 });
    conn = connect(node.address);
    jobs = new JobClient(conn);
  });
  after(async () => {
    await conn.close();
    await node.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`replay with CRUCIAL_TEST_SEED=${SEED}`);
  });

  it('executor - a job goes queued/running → succeeded, reports progress, and its result is read after it finished', async () => {
    const key = latch();
    const id = await jobs.submit('echo', { value: { a: [1, 'two'] }, after: key });
    assert.match(id, /^[0-9a-f-]{36}$/);
    const running = await jobs.status(id);
    assert.equal(running.kind, 'echo');
    assert.ok(running.state === 'running' || running.state === 'queued', running.state);
    assert.equal(running.finishedAt, null);
    // Parks on the node until the latch opens.
    const waiting = jobs.result(id);
    await conn.call('CountDownLatch', key, 'countDown', [], { init: [1] });
    assert.deepEqual(await waiting, { a: [1, 'two'] });
    const done = await jobs.status(id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.progress, { step: 1, total: 1, label: `latch ${key} open` });
    assert.ok(done.finishedAt! >= done.startedAt! && done.startedAt! >= done.submittedAt);
    assert.deepEqual(await jobs.result(id), { a: [1, 'two'] }, 'a finished job answers its result again');
    assert.ok((await jobs.list()).some((s) => s.id === id));
    assert.deepEqual(await jobs.kinds(), ['echo', 'sum', 'ml.fit']);
  });

  it('executor - sum adds the columns of an Arrow table attachment (checked against a sum in the test)', async () => {
    const n = 1000 + Math.floor(random() * 1000);
    const a = Float64Array.from({ length: n }, () => random() * 100 - 50);
    const b = Int32Array.from({ length: n }, () => Math.floor(random() * 1000));
    const table = tableFromArrays({ a, b, name: Array.from({ length: n }, (_, i) => `r${i}`) });
    const res = await submitJob<{ rows: number; sums: Record<string, number> }>('sum', { data: table }, conn);
    assert.equal(res.rows, n);
    assert.deepEqual(Object.keys(res.sums), ['a', 'b'], 'the string column is skipped');
    assert.ok(Math.abs(res.sums.a! - a.reduce((s, x) => s + x, 0)) < 1e-6);
    assert.equal(res.sums.b, b.reduce((s, x) => s + x, 0));
    const arr = await submitJob<{ rows: number; sums: Record<string, number> }>('sum', { data: a }, conn);
    assert.equal(arr.rows, n);
  });

  it('executor - an unknown job kind or method is a clear error, and the node keeps serving', async () => {
    await expectCode(jobs.submit('rm -rf', {}), 'ERR_BAD_ARGUMENT', /unknown job kind "rm -rf".*echo, sum, ml\.fit/);
    await expectCode(conn.call('$jobs', '', 'eval', ['1']), 'ERR_UNKNOWN_METHOD', /\$jobs has no method "eval"/);
    await expectCode(jobs.status('no-such-job'), 'ERR_BAD_ARGUMENT', /no job "no-such-job"/);
    await expectCode(conn.call('$jobs', '', 'submit', ['echo', [1, 2]]), 'ERR_BAD_ARGUMENT', /map of named arguments/);
    assert.equal(await submitJob('echo', { value: 7 }, conn), 7);
  });

  it('executor - bad ml.fit parameters fail the submit with ERR_BAD_ARGUMENT (no job is queued)', async () => {
    const data = tableFromArrays({ x0: Float64Array.of(1, 2, 3), y: Float64Array.of(0, 1, 0) });
    const before = (await jobs.list()).length;
    await expectCode(jobs.submit('ml.fit', { algorithm: 'svm', data, modelName: 'm' } as never), 'ERR_BAD_ARGUMENT', /algorithm\) must be one of kmeans, logistic_regression, random_forest/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'kmeans', params: { k: 0 }, data, modelName: 'm' }), 'ERR_BAD_ARGUMENT', /params\.k\) must be a positive integer/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'kmeans', params: {}, data, modelName: 'm' }), 'ERR_BAD_ARGUMENT', /needs parameter "k"/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'random_forest', params: { nTrees: 3 }, data, modelName: 'm' }), 'ERR_BAD_ARGUMENT', /no parameter "nTrees"/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'random_forest', params: { criterion: 'mse' }, data, modelName: 'm' }), 'ERR_BAD_ARGUMENT', /criterion\) must be one of 'gini', 'entropy'/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'logistic_regression', params: { C: -1 }, data, modelName: 'm' }), 'ERR_BAD_ARGUMENT', /C\) must be > 0/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'logistic_regression', data, modelName: '' }), 'ERR_BAD_ARGUMENT', /a model name must be 1-128 letters/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'logistic_regression', data: '/no/such/file.arrow', modelName: 'm' }), 'ERR_BAD_ARGUMENT', /no file/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'logistic_regression', data: tableFromArrays({ x0: Float64Array.of(1) }), modelName: 'm' }), 'ERR_BAD_ARGUMENT', /no numeric label column "y"/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'logistic_regression', data: tableFromArrays({ x0: Float64Array.of(1, NaN), y: Float64Array.of(0, 1) }), modelName: 'm' }), 'ERR_BAD_ARGUMENT', /non-finite value at row 1/);
    await expectCode(jobs.submit('ml.fit', { algorithm: 'kmeans', params: { k: 2 }, data, modelName: 'm', minRowsPerPartition: -1 }), 'ERR_BAD_ARGUMENT', /minRowsPerPartition\) must be >= 0/);
    await expectCode(jobs.submit('sum', { data: 'not a table' }), 'ERR_BAD_ARGUMENT', /Arrow table or a numeric array/);
    assert.equal((await jobs.list()).length, before, 'no job was queued by a refused submit');
  });

  it('executor - a job whose client disconnected still completes, and another client reads its result', async () => {
    const key = latch();
    const gone = connect(node.address);
    const id = await new JobClient(gone).submit('echo', { value: 'still here', after: key });
    await gone.close();
    await conn.call('CountDownLatch', key, 'countDown', [], { init: [1] });
    assert.equal(await jobs.result(id), 'still here');
    assert.equal((await jobs.status(id)).state, 'succeeded');
  });

  it('executor - options.jobs must hold positive integers: a node with maxRunning 0 or keepCount 1.5 refuses to start', async () => {
    await expectCode(startDso({ port: 0, jobs: { maxRunning: 0 } }), 'ERR_INVALID_OPTION', /jobs\.maxRunning must be a positive integer/);
    await expectCode(startDso({ port: 0, jobs: { keepCount: 1.5 } }), 'ERR_INVALID_OPTION', /jobs\.keepCount/);
  });

  it('executor - concurrent jobs from several clients: at most 4 run, the rest queue, all complete with their own results', async () => {
    const clients = [conn, connect(node.address), connect(node.address)];
    try {
      const keys = Array.from({ length: 7 }, latch);
      const ids: string[] = [];
      // Submitted one after the other so the queue order is known; from three different clients.
      for (const [i, k] of keys.entries()) ids.push(await new JobClient(clients[i % 3]).submit('echo', { value: i, after: k }));
      const states = await Promise.all(ids.map((id) => jobs.status(id).then((s) => s.state)));
      assert.deepEqual(states, ['running', 'running', 'running', 'running', 'queued', 'queued', 'queued']);
      const results = ids.map((id, i) => new JobClient(clients[(i + 1) % 3]).result(id));
      // Opened in reverse: each result is its own job's, whatever order they finish in.
      for (const k of [...keys].reverse()) await conn.call('CountDownLatch', k, 'countDown', [], { init: [1] });
      assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6]);
      const sums = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        submitJob<{ sums: { v: number } }>('sum', { data: Float64Array.from({ length: 100 }, () => i) }, clients[i % 3])));
      assert.deepEqual(sums.map((s) => s.sums.v), [0, 100, 200, 300, 400, 500]);
    } finally {
      await Promise.all(clients.slice(1).map((c) => c.close()));
    }
  });

  it('executor - cancel: a queued and a running job end cancelled, their waiters get ERR_ILLEGAL_STATE, finished jobs are not cancelled', async () => {
    const keys = Array.from({ length: 5 }, latch);
    const ids: string[] = [];
    for (const k of keys) ids.push(await jobs.submit('echo', { value: k, after: k }));
    const waitingQueued = expectCode(jobs.result(ids[4]!), 'ERR_ILLEGAL_STATE', /cancelled/);
    const waitingRunning = expectCode(jobs.result(ids[0]!), 'ERR_ILLEGAL_STATE', /cancelled/);
    assert.equal(await jobs.cancel(ids[4]!), true);
    assert.equal(await jobs.cancel(ids[0]!), true);
    await waitingQueued;
    await waitingRunning;
    assert.equal((await jobs.status(ids[0]!)).state, 'cancelled');
    for (const k of keys) await conn.call('CountDownLatch', k, 'countDown', [], { init: [1] });
    assert.deepEqual(await Promise.all(ids.slice(1, 4).map((id) => jobs.result(id))), keys.slice(1, 4));
    assert.equal(await jobs.cancel(ids[1]!), false);
    assert.equal((await jobs.status(ids[0]!)).state, 'cancelled', 'a cancelled job stays cancelled when its handler ends');
  });

  it('executor - result with a timeout answers ERR_TIMEOUT while the job runs on', async () => {
    const key = latch();
    const id = await jobs.submit('echo', { value: 1, after: key });
    await expectCode(jobs.result(id, 0), 'ERR_TIMEOUT', /is (running|queued)/);
    await expectCode(jobs.result(id, 20), 'ERR_TIMEOUT', /did not finish within 20 ms/);
    await conn.call('CountDownLatch', key, 'countDown', [], { init: [1] });
    assert.equal(await jobs.result(id, 60_000), 1);
  });
});
