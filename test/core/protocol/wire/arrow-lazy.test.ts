/**
 * apache-arrow loads on the first payload that carries Arrow (core/protocol/wire/arrow.ts). In a
 * fresh process (this mocha process has it loaded already), the first calls with arrays must still
 * arrive, apply and answer in program order: a `set` of an array not awaited before the `get` that
 * follows it, an array reply, and a Table.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect } from '../../../../core/index.ts';
import { loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const url = (p: string) => pathToFileURL(join(ROOT, p)).href;

const PROGRAM = `
const { startDso } = await import(${JSON.stringify(url('dso/index.ts'))});
const { connect } = await import(${JSON.stringify(url('core/index.ts'))});
const { arrowReady } = await import(${JSON.stringify(url('core/protocol/wire/arrow.ts'))});
const out = { readyAtStart: arrowReady() };
const node = await startDso({ host: '127.0.0.1', port: 0 });
const c = connect(node.address);
out.scalar = await c.call('AtomicLong', 'n', 'addAndGet', [1n]);
out.readyAfterScalar = arrowReady();
// Not awaited one by one: the set waits for apache-arrow, the gets must not overtake it.
const calls = [
  c.call('AtomicReference', 'r', 'set', [new Float64Array([1.5, 2.5, 3.5])]),
  c.call('AtomicReference', 'r', 'get', []),
  c.call('AtomicLong', 'n', 'addAndGet', [1n]),
];
const [, got, n] = await Promise.all(calls);
out.got = [got.constructor.name, ...got];
out.n = String(n);
const { tableFromArrays } = await import('apache-arrow');
await c.call('AtomicReference', 't', 'set', [tableFromArrays({ a: Int32Array.from([7, 8]) })]);
const t = await c.call('AtomicReference', 't', 'get', []);
out.table = [t.numRows, [...t.getChild('a').toArray()]];
await c.close();
await node.close();
console.log(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? String(v) : v)));
`;

describe('wire - apache-arrow loaded on first use', () => {
  it('arrow - the first array calls of a fresh process arrive in order and come back equal', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out, {
      readyAtStart: false, scalar: '1', readyAfterScalar: false,
      got: ['Float64Array', 1.5, 2.5, 3.5], n: '2', table: [2, [7, 8]],
    });
  });

  /**
   * Starts a node in a fresh process (apache-arrow not loaded there), runs `body` against it. Started
   * the way the Python bridge starts one from a checkout (a CommonJS `-e` that imports dso/node.ts,
   * where a global `__filename` exists), which once left the node holding requests forever.
   */
  /** The fresh node's token (the node of another process: its clients here are given it). */
  const TOKEN = 'arrow-lazy-test-token-0123456789';
  async function withFreshNode(body: (address: string) => Promise<void>): Promise<void> {
    const program = `import(${JSON.stringify(url('dso/node.ts'))}).then((m) => m.startDso({ host: '127.0.0.1', port: 0, token: process.env.CRUCIAL_TOKEN })).then((node) => {
      console.log('READY ' + node.address);
      process.on('SIGTERM', () => { void node.close().then(() => process.exit(0)); });
    });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', program], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CRUCIAL_TOKEN: TOKEN } });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      assert.match(line, /^READY tcp:/);
      await body(line.slice('READY '.length));
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }

  // Requests the node cannot decode yet, and the ones behind them, wait for apache-arrow in arrival order.
  it('arrow - a fresh node applies array requests, and the requests behind them, in order while it loads apache-arrow', async () => {
    await loadArrow(); // this side sends its arrays at once
    await withFreshNode(async (address) => {
      const c = connect(address, { token: TOKEN });
      try {
        const [, got, n] = await Promise.all([
          c.call('AtomicReference', 'r', 'set', [new Int32Array([4, 5, 6])]),
          c.call('AtomicReference', 'r', 'get', []),
          c.call('AtomicLong', 'n', 'addAndGet', [1n]),
        ]);
        assert.deepEqual(got, new Int32Array([4, 5, 6]));
        assert.equal(n, 1n);
      } finally {
        await c.close();
      }
    });
  });

  // A result the node makes as an array is encoded once apache-arrow is loaded; later calls wait behind it.
  it('arrow - a fresh node answers an array result it made itself, then the calls behind it', async () => {
    await withFreshNode(async (address) => {
      const c = connect(address, { token: TOKEN });
      try {
        const [row, , got] = await Promise.all([
          c.call('AtomicMatrix', 'm', 'getRow', [1], { init: [2, 3] }),
          c.call('AtomicMatrix', 'm', 'set', [1, 2, 9]),
          c.call('AtomicMatrix', 'm', 'getRow', [1]),
        ]);
        assert.deepEqual(row, new Float64Array([0, 0, 0]));
        assert.deepEqual(got, new Float64Array([0, 0, 9]));
      } finally {
        await c.close();
      }
    });
  });
});
