import { strict as assert } from 'node:assert';
import { ServerlessExecutorService } from 'crucial';
import type { TaskRequest, TaskResponse, TaskRunner } from '../../../workers/runner.ts';
import { LocalPool } from '../../../workers/local/pool.ts';
import {
  decodeResult, decodeTask, decodeTaskSpec, encodeFunctionTask, encodeResult, encodeTask, fromWire, toWire,
} from '../../../core/threads/task-codec.ts';

/** The codec's path without the kept bytes and compiled functions: the oracle. */
const slowSpec = async (frames: Uint8Array[]) => fromWire(await decodeTask(frames));

describe('task codec - function tasks kept by their bytes (issue 13)', function () {
  this.timeout(60_000);

  it('task-codec - a kept function task encodes to the bytes the walk and codec give, in fresh copies', async () => {
    const fns: Function[] = [() => null, (a: number) => a + 1, async () => 'x', function named() { return 7; }];
    for (const fn of fns) {
      const oracle = await encodeTask({ mode: 'task', task: toWire(fn) });
      for (let i = 0; i < 3; i++) {
        const frames = await encodeFunctionTask(fn);
        assert.deepEqual(frames.map((f) => [...f]), oracle.map((f) => [...f]));
        frames[0]!.fill(0); // a runner may reuse or transfer what it was given
      }
    }
  });

  it('task-codec - each decode of kept bytes is a new function, so state a task leaves on it does not carry over', async () => {
    // A function that counts its own calls on itself: rebuilt per task (as before), every task sees 1.
    const frames = await encodeFunctionTask(function counted(this: unknown) {
      const self = counted as unknown as { calls?: number };
      self.calls = (self.calls ?? 0) + 1;
      return self.calls;
    });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const spec = (await decodeTaskSpec(frames.map((f) => f.slice()))) as { mode: string; task: () => unknown };
      assert.equal(spec.mode, 'task');
      seen.push(spec.task());
    }
    assert.deepEqual(seen, [1, 1, 1]);
  });

  it('task-codec - specs that are not a bare function decode as the codec and walk decode them', async () => {
    const specs = [
      { mode: 'task', task: toWire(() => 3, { k: 2 }) },
      { mode: 'range', from: 0, to: 4, task: toWire((i: number) => i) },
      { mode: 'task', task: { $fn: '() => 1', extra: 1 } },
      { mode: 'task', task: { run: null } },
      [1, 2, 3],
      null,
    ];
    for (const spec of specs) {
      const frames = await encodeTask(spec);
      for (let i = 0; i < 2; i++) {
        const got = await decodeTaskSpec(frames);
        const want = await slowSpec(frames);
        const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'function' ? `fn:${x()}` : x)));
        if (spec && typeof spec === 'object' && 'mode' in spec && spec.mode === 'range') {
          assert.equal((got as { task: (i: number) => number }).task(3), 3);
          assert.deepEqual({ ...(got as object), task: 0 }, { ...(want as object), task: 0 });
        } else assert.deepEqual(plain(got), plain(want));
      }
    }
  });

  it('task-codec - results round-trip as before, null (and undefined) without the codec', async () => {
    const values: unknown[] = [null, undefined, 0, '', false, [null], { a: null }, 12n, 'null', [0xc0]];
    for (const v of values) {
      const frames = await encodeResult(v);
      const oracle = await slowSpec(await encodeTask(toWire(v ?? null)));
      assert.deepEqual(await decodeResult(frames), oracle, `value ${String(v)}`);
      frames[0]!.fill(0xff);
      assert.deepEqual(await decodeResult(await encodeResult(v)), oracle, `value ${String(v)} after its frames were overwritten`);
    }
  });
});

describe('executor - kept function tasks through a pool (issue 13)', function () {
  this.timeout(60_000);
  const pool = new LocalPool({ threads: 1 });
  after(() => pool.close());

  it('executor - a runner that overwrites a task\'s frames does not change the next task of the same function', async () => {
    const scribbler: TaskRunner = {
      async run(request: TaskRequest): Promise<TaskResponse> {
        const response = await pool.run(request);
        for (const f of request.frames) f.fill(0x20);
        return response;
      },
      close: async () => {},
    };
    const se = new ServerlessExecutorService({ runner: scribbler });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await se.submit(() => 6 * 7).get());
    assert.deepEqual(results, [42, 42, 42, 42]);
  });

  it('executor - a function task that keeps state on itself starts fresh in every task', async () => {
    const se = new ServerlessExecutorService({ runner: pool });
    const task = function tally() {
      const self = tally as unknown as { n?: number };
      self.n = (self.n ?? 0) + 1;
      return self.n;
    };
    const out = [];
    for (let i = 0; i < 4; i++) out.push(await se.submit(task).get());
    assert.deepEqual(out, [1, 1, 1, 1]);
  });

  it('executor - null, undefined and other results of function tasks arrive as before', async () => {
    const se = new ServerlessExecutorService({ runner: pool });
    const out = await se.invokeAll([() => null, () => undefined, () => 0, () => [null], async () => ({ a: null })]);
    assert.deepEqual(out, [null, null, 0, [null], { a: null }]);
  });
});
