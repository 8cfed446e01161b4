import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * One program, one node: without CRUCIAL_DSO, cloud threads and the program share the node the
 * program embeds, whether an executor (or a CloudThread) or the first object came first. Each case
 * is a fresh program; the counts and the barrier are the oracle (two nodes would show per-node counts
 * and a barrier whose parties never meet).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;

type Order = 'executor-first' | 'object-first' | 'cloud-thread-first';

function program(order: Order): string {
  return `(async () => {
    const { AtomicLong, CloudThread, ServerlessExecutorService, dsoAddress, shutdown } = await import(${JSON.stringify(`${root}core/index.ts`)});
    const { CountByKey, MeetByKey } = await import(${JSON.stringify(`${root}test/fixtures/tasks/by-key.ts`)});
    const order = ${JSON.stringify(order)};
    if (order === 'object-first') await new AtomicLong('c').get();
    const threads = order === 'cloud-thread-first' ? [0, 1].map(() => new CloudThread(new MeetByKey('b', 2)).start()) : [];
    const se = new ServerlessExecutorService();
    const counted = await se.invokeAll(Array.from({ length: 8 }, () => new CountByKey('c')));
    const met = order === 'cloud-thread-first'
      ? (await Promise.all(threads.map((t) => t.join())), [0, 1])
      : (await se.invokeAll([new MeetByKey('b', 2), new MeetByKey('b', 2)])).sort();
    const out = {
      counts: counted.map(([n]) => Number(n)).sort((a, b) => a - b),
      nodes: [...new Set(counted.map(([, a]) => a))],
      parent: Number(await new AtomicLong('c').get()),
      address: await dsoAddress(),
      met,
    };
    await shutdown();
    console.log(JSON.stringify(out));
  })().catch((e) => { console.error(e); process.exit(1); });`;
}

/**
 * A runner the program owns outlives `shutdown()`; its worker thread, which used the first node,
 * must follow the program to the node it embeds next instead of calling the stopped one.
 */
function programAfterShutdown(): string {
  return `(async () => {
    const { ServerlessExecutorService, dsoAddress, shutdown } = await import(${JSON.stringify(`${root}core/index.ts`)});
    const { LocalPool } = await import(${JSON.stringify(`${root}dso/index.ts`)});
    const { CountByKey } = await import(${JSON.stringify(`${root}test/fixtures/tasks/by-key.ts`)});
    const pool = new LocalPool({ threads: 1 });
    const se = new ServerlessExecutorService({ runner: pool });
    const [[first, firstNode]] = await se.invokeAll([new CountByKey('c')]);
    const firstAddress = await dsoAddress();
    await shutdown();
    const [[second, secondNode]] = await se.invokeAll([new CountByKey('c')]);
    const out = { first: Number(first), second: Number(second), firstNode, secondNode, firstAddress, address: await dsoAddress() };
    await pool.close();
    await shutdown();
    console.log(JSON.stringify(out));
  })().catch((e) => { console.error(e); process.exit(1); });`;
}

function exec(source: string, extraEnv: Record<string, string> = {}): Promise<any> {
  const env: Record<string, string | undefined> = { ...process.env, ...extraEnv };
  delete env.CRUCIAL_DSO;
  return new Promise((resolve, reject) => {
    execFile(tsx, ['-e', source], { cwd: root, env, timeout: 90_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`program failed (${err.message}):\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

function run(order: Order): Promise<{ counts: number[]; nodes: string[]; parent: number; address: string; met: number[] }> {
  return exec(program(order));
}

describe('one program, one node (embedded default)', function () {
  this.timeout(120_000);

  for (const order of ['executor-first', 'object-first', 'cloud-thread-first'] as const) {
    it(`context - ${order}: cloud threads count and meet on the program's own node`, async () => {
      const got = await run(order);
      assert.deepEqual(got.counts, [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(got.parent, 8);
      assert.deepEqual(got.nodes, [got.address]);
      assert.deepEqual(got.met, [0, 1]);
    });
  }

  it('context - a worker of a runner that outlived shutdown() uses the node the program embeds next', async () => {
    const got = await exec(programAfterShutdown());
    assert.notEqual(got.address, got.firstAddress, 'shutdown() stopped the first node; a second one was embedded');
    assert.equal(got.firstNode, got.firstAddress);
    assert.equal(got.secondNode, got.address);
    assert.deepEqual([got.first, got.second], [1, 1], 'the second node starts empty');
  });

  it('context - a worker with no address from its parent fails instead of embedding a node', async () => {
    const got = await exec(`(async () => {
      const { AtomicLong, UnavailableError, shutdown } = await import(${JSON.stringify(`${root}core/index.ts`)});
      const out = await new AtomicLong('w').get().then(() => 'answered', (e) => e instanceof UnavailableError ? e.message : String(e));
      await shutdown();
      console.log(JSON.stringify({ out, env: process.env.CRUCIAL_DSO ?? null }));
    })();`, { CRUCIAL_WORKER: '1' });
    assert.match(got.out, /never starts a node of its own/);
    assert.equal(got.env, null);
  });
});
