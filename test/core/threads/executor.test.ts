import { strict as assert } from 'node:assert';
import {
  AtomicLong, CloudThread, CyclicBarrier, ServerlessExecutorService, TaskFailedError, RejectedError,
  NotSerializableError, CrucialError,
} from 'crucial';
import { BarrierRounds, Flaky, Incrementer, NormTask, Point, Thrower } from '../../fixtures/tasks/workers.ts';
import { PiEstimator } from '../../fixtures/tasks/pi.ts';

describe('cloud threads on the embedded default', function () {
  this.timeout(60_000);
  const se = new ServerlessExecutorService();

  it('executor - 8 cloud threads x 10,000 increments give the exact total', async () => {
    const counter = new AtomicLong('exec-8x10k', 0);
    await se.invokeAll(Array.from({ length: 8 }, () => new Incrementer(counter, 10_000)));
    assert.equal(await counter.get(), 80_000n);
  });

  it('cloud-thread - start and join run Listing 1 and fill the shared counter', async () => {
    const threads = Array.from({ length: 4 }, () => new CloudThread(new PiEstimator(20_000)));
    threads.forEach((t) => t.start());
    await Promise.all(threads.map((t) => t.join()));
    const hits = await new AtomicLong('test-pi-counter').get();
    const pi = (4 * Number(hits)) / 80_000;
    assert.ok(Math.abs(pi - Math.PI) < 0.1, `pi estimate ${pi}`);
  });

  it('executor - 10 cloud threads meet at a barrier 10 times', async () => {
    const barrier = new CyclicBarrier('exec-barrier-10', 10);
    const arrivals = new AtomicLong('exec-barrier-arrivals', 0);
    const rounds = await se.invokeAll(Array.from({ length: 10 }, () => new BarrierRounds(barrier, arrivals, 10, 10)));
    assert.deepEqual(rounds, Array(10).fill(10));
    assert.equal(await arrivals.get(), 100n);
  });

  it('executor - a failed task rejects with the remote error and its stack', async () => {
    try {
      await se.submit(new Thrower());
      assert.fail('should have thrown');
    } catch (err) {
      assert.ok(err instanceof TaskFailedError);
      assert.equal(err.code, 'ERR_TASK_FAILED');
      assert.equal(err.remoteName, 'RangeError');
      assert.match(err.message, /value out of range in the cloud/);
      assert.match(err.remoteStack ?? '', /at deep .*workers\.ts/);
      assert.ok(err.cause instanceof CrucialError);
    }
  });

  it('executor - retries re-run a failed task until it succeeds', async () => {
    const retrying = new ServerlessExecutorService({ retries: 3, backoffMs: 1 });
    assert.equal(await retrying.submit(new Flaky(2)), 'succeeded on attempt 3');
  });

  it('executor - without retries the first failure is final', async () => {
    const attempts = new AtomicLong('flaky-attempts');
    await attempts.set(0);
    await assert.rejects(se.submit(new Flaky(1)).get(), TaskFailedError);
    assert.equal(await attempts.get(), 1n);
  });

  it('executor - @Serializable values cross to the worker by value', async () => {
    assert.equal(await se.submit(new NormTask(new Point(3, 4))), 5);
  });

  it('executor - an instance of an unmarked class is refused with ERR_NOT_SERIALIZABLE', async () => {
    class Local { call() { return 1; } }
    await assert.rejects(se.submit(new Local()).get(), NotSerializableError);
  });

  it('executor - function tasks run with their captured values', async () => {
    const factor = 7;
    assert.equal(await se.submit(() => factor * 6, { captures: { factor } }), 42);
  });

  it('executor - invokeIterativeTask covers every index of the range once', async () => {
    const sum = new AtomicLong('exec-iter-sum', 0);
    const count = new AtomicLong('exec-iter-count', 0);
    let finalized = false;
    await se.invokeIterativeTask(async (i: number) => { await sum.addAndGet(i); await count.incrementAndGet(); }, 7, 10, 110, {
      captures: { sum, count },
      finalizer: () => { finalized = true; },
    });
    assert.equal(await count.get(), 100n);
    assert.equal(await sum.get(), BigInt((10 + 109) * 50));
    assert.ok(finalized);
  });

  it('executor - invokeAny resolves to a successful task', async () => {
    const r = await se.invokeAny<number | never>([new Thrower(), () => 11]);
    assert.equal(r, 11);
  });

  it('executor - a shut down executor rejects new tasks and terminates', async () => {
    const ex = new ServerlessExecutorService();
    const running = ex.submit(() => new Promise((r) => setTimeout(() => r('done'), 100)));
    ex.shutdown();
    await assert.rejects(ex.submit(() => 1).get(), RejectedError);
    assert.equal(await ex.awaitTermination(10_000), true);
    assert.equal(await running, 'done');
    assert.ok(ex.isTerminated());
  });
});
