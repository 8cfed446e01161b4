import { strict as assert } from 'node:assert';
import { AtomicLong, InvalidOptionError, NotSerializableError, ServerlessExecutorService, connect, withCaptures } from 'crucial';
import { startDso } from '../../../dso/node.ts';
import { Incrementer, NormTask, Point } from '../../fixtures/tasks/workers.ts';

/** Compile-time equality of two types: `npx tsc --noEmit -p .` fails if an `expectType` line is wrong. */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false;
function expectType<T>(_value: T, _same: true): void { /* checked by tsc */ }

describe('executor - per-task captures and result types', function () {
  this.timeout(60_000);
  const se = new ServerlessExecutorService();

  it('executor - each task of invokeAll carries its own captured value', async () => {
    const inputs = [3, 5, 7, 11];
    const out = await se.invokeAll(inputs.map((x) => withCaptures(() => x * x, { x })));
    assert.deepEqual(out, inputs.map((x) => x * x));
  });

  it('executor - a task\'s own captures win over the call\'s, the rest of the call\'s still apply', async () => {
    const base = 100;
    const tasks = [1, 2].map((x) => withCaptures(() => base + x, x === 2 ? { x, base: 0 } : { x }));
    const out = await se.invokeAll(tasks, { captures: { base } });
    assert.deepEqual(out, [101, 2]);
  });

  it('executor - per-task captures carry shared objects, created before the tasks use them', async () => {
    const counters = [1, 2, 3].map((i) => new AtomicLong(`cap-counter-${i}`, i * 10));
    await se.invokeAll(counters.map((c, i) => withCaptures(async () => { await c.addAndGet(i + 1); }, { c, i })));
    assert.deepEqual(await Promise.all(counters.map((c) => c.get())), [11n, 22n, 33n]);
  });

  it('executor - an iterative body may carry its own captures', async () => {
    const sum = new AtomicLong('cap-iter-sum', 0);
    const k = 2;
    await se.invokeIterativeTask(withCaptures(async (i: number) => { await sum.addAndGet(i * k); }, { sum, k: 2 }), 3, 0, 10);
    assert.equal(await sum.get(), 90n);
  });

  it('executor - a task with no source a worker can compile (built-in, bound, method shorthand) is refused at submit with ERR_NOT_SERIALIZABLE', async () => {
    const shorthand = { run() { return 1; } }.run;
    const bound = function (this: { k: number }) { return this.k; }.bind({ k: 1 });
    for (const [what, fn] of [['built-in', Math.random], ['bound', bound], ['method shorthand', shorthand]] as const) {
      await assert.rejects(async () => { await se.submit(fn as () => unknown); }, (e: unknown) => e instanceof NotSerializableError && /source|built-in/.test(e.message), what);
      await assert.rejects(async () => { await se.submit(fn as () => unknown, { captures: { k: 1 } }); }, NotSerializableError, `${what} with captures`);
    }
    // A capture name that is no identifier, given through the call's option rather than withCaptures.
    await assert.rejects(async () => { await se.submit(() => 1, { captures: { 'a-b': 1 } }); }, InvalidOptionError);
    assert.equal(await se.submit(() => 41 + 1), 42, 'an arrow still runs');
  });

  it('executor - a shared object bound to another node than the workers\' is refused at submit, not silently used on theirs', async () => {
    const other = await startDso({ port: 0 });
    const conn = connect(other.address);
    try {
      const elsewhere = new AtomicLong('elsewhere', 5, { connection: conn });
      await assert.rejects(async () => { await se.submit(withCaptures(async () => elsewhere.addAndGet(100), { elsewhere })); },
        (e: unknown) => e instanceof InvalidOptionError && e.message.includes(other.address));
      assert.equal(await elsewhere.get(), 5n);
      // Bound to the default connection (the workers' node), the same call runs.
      const here = new AtomicLong('elsewhere', 5);
      await se.submit(withCaptures(async () => here.addAndGet(100), { here }));
      assert.equal(await here.get(), 105n);
    } finally {
      await conn.close();
      await other.close();
    }
  });

  it('withCaptures - capture names must be identifiers; the function must be one', () => {
    assert.throws(() => withCaptures(() => 1, { 'not valid': 1 }), InvalidOptionError);
    assert.throws(() => withCaptures(42 as unknown as () => number, {}), InvalidOptionError);
  });

  it('executor - results are typed from the tasks (compile-time, checked by tsc)', async () => {
    const nums = await se.invokeAll([() => 1]);
    expectType<[number]>(nums, true as Equal<typeof nums, [number]>);
    const many = await se.invokeAll([1, 2, 3].map((i) => withCaptures(() => i * 2, { i })));
    expectType<number[]>(many, true as Equal<typeof many, number[]>);
    const x = true;
    const mixed = await se.invokeAll([() => 1, async () => 'a', withCaptures(() => x, { x })]);
    expectType<[number, string, boolean]>(mixed, true as Equal<typeof mixed, [number, string, boolean]>);
    assert.deepEqual(mixed, [1, 'a', true]);
    const norm = await se.submit(new NormTask(new Point(3, 4)));
    expectType<number>(norm, true as Equal<typeof norm, number>);
    const ran = await se.invokeAll([new Incrementer(new AtomicLong('cap-typed', 0), 1)]);
    expectType<[null]>(ran, true as Equal<typeof ran, [null]>);
    const explicit = await se.invokeAll<number>([() => 2]);
    expectType<number[]>(explicit, true as Equal<typeof explicit, number[]>);
    assert.equal(norm, 5);
    assert.deepEqual([nums, many, ran, explicit], [[1], [2, 4, 6], [null], [2]]);
  });
});
