import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '../../../core/client/context.ts';
import { startDso } from '../../../dso/node.ts';

/**
 * The embedded default lets a program end when its own work does: a program that never calls
 * `shutdown()` still exits (its node's sockets and the idle default connection hold nothing), while
 * a call in flight keeps it running until answered. Each case is a fresh program.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const core = JSON.stringify(`${root}core/index.ts`);

function run(source: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.CRUCIAL_DSO;
  delete env.CRUCIAL_TOKEN;
  return new Promise((resolve) => {
    // The bound is the test's: a program that hangs is killed and fails below, not this suite. One
    // process (node with tsx's loader, not the tsx binary, which would leave its child running).
    execFile(process.execPath, ['--import', 'tsx', '-e', source], { cwd: root, env, timeout: 60_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

describe('context: a program ends without shutdown()', function () {
  this.timeout(90_000);

  it('exits by itself after using objects, a cloud thread and the executor, with its results printed', async () => {
    const r = await run(`(async () => {
      const { AtomicLong, CloudThread, ServerlessExecutorService } = await import(${core});
      const { CountByKey } = await import(${JSON.stringify(`${root}test/fixtures/tasks/by-key.ts`)});
      const c = new AtomicLong('exit.c', 0);
      await c.addAndGet(2);
      const t = new CloudThread(new CountByKey('exit.c'));
      t.start();
      await t.join();
      const counted = await new ServerlessExecutorService().invokeAll([new CountByKey('exit.c'), new CountByKey('exit.c')]);
      console.log(JSON.stringify({ value: Number(await c.get()), tasks: counted.length }));
    })().catch((e) => { console.error(e); process.exit(1); });`);
    assert.equal(r.signal, null, `the program did not end by itself (killed); stderr: ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { value: 5, tasks: 2 });
  });

  it('a call in flight holds the process until it is answered (a parked barrier await)', async () => {
    // Nothing but the pending await holds the program: the timer that crosses the barrier is unref'd.
    const r = await run(`(async () => {
      const { CyclicBarrier, AtomicLong } = await import(${core});
      await new AtomicLong('exit.warm', 0).get();
      const b = new CyclicBarrier('exit.b', 2);
      setTimeout(() => { void b.await(); }, 2500).unref();
      const index = await b.await();
      console.log(JSON.stringify({ crossed: true, index }));
    })().catch((e) => { console.error(e); process.exit(1); });`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { crossed: true, index: 1 });
  });

  it('a task still running in a cloud thread holds the process until join() returns', async () => {
    const r = await run(`(async () => {
      const { CloudThread, AtomicLong } = await import(${core});
      const { Sleep } = await import(${JSON.stringify(`${root}test/fixtures/tasks/workers.ts`)});
      await new AtomicLong('exit.w', 0).get();
      const t = new CloudThread(new Sleep(2500));
      t.start();
      await t.join();
      console.log(JSON.stringify({ joined: true }));
    })().catch((e) => { console.error(e); process.exit(1); });`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { joined: true });
  });

  it('holdsProcessWhenIdle and holdsProcess must be booleans', async () => {
    assert.throws(() => connect('tcp://127.0.0.1:1', { holdsProcessWhenIdle: 'no' as unknown as boolean }), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(startDso({ port: 0, holdsProcess: 0 as unknown as boolean }), { code: 'ERR_INVALID_OPTION' });
  });
});
