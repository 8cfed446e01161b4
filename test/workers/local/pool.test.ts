import assert from 'node:assert/strict';
import { LocalPool, idleSpinFromEnv } from '../../../workers/local/pool.ts';
import { InvalidOptionError } from '../../../core/protocol/errors.ts';
import { ServerlessExecutorService } from '../../../core/index.ts';

describe('workers/local/pool: start gate', () => {
  let pool: LocalPool;
  afterEach(async () => { await pool?.close(); });

  it('tasks submitted together in a new pool start on distinct workers, side by side', async () => {
    pool = new LocalPool({ threads: 2 });
    const se = new ServerlessExecutorService({ runner: pool });
    // Each task holds its worker's thread busy, so two tasks on one worker would run in turns there.
    const ids = await se.invokeAll([1, 2].map(() => async () => {
      const { threadId } = await import('node:worker_threads');
      const end = Date.now() + 150;
      while (Date.now() < end);
      return threadId;
    }));
    assert.equal(new Set(ids).size, 2, `both tasks ran on worker ${ids[0]}`);
  });

  it('a lone first task runs, and later ones after it', async () => {
    pool = new LocalPool({ threads: 2 });
    const se = new ServerlessExecutorService({ runner: pool });
    assert.equal(await se.submit(() => 6 * 7), 42);
    assert.deepEqual(await se.invokeAll([() => 1, () => 2, () => 3]), [1, 2, 3]);
  });

  it('close() releases tasks still waiting for workers to load', async () => {
    pool = new LocalPool({ threads: 2 });
    const se = new ServerlessExecutorService({ runner: pool });
    const pending = se.submit(() => 1).get().then(() => 'ran', (e: Error) => `failed: ${e.message}`);
    await pool.close();
    // Released, it either ran before the pool closed or failed with the pool's error: never hangs.
    assert.match(await pending, /^(ran|failed: .+)$/);
  });
});

describe('workers/local/pool: idle spin', () => {
  it('CRUCIAL_IDLE_SPIN_US sets the default (200 µs when unset or blank, 0 turns it off) and refuses what is not a length', () => {
    assert.equal(idleSpinFromEnv({}), 200);
    assert.equal(idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: ' ' }), 200);
    assert.equal(idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: '0' }), 0);
    assert.equal(idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: '50.5' }), 50.5);
    assert.equal(idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: '1e3' }), 1000);
    // What Python's float reads differently is refused on both sides (bridges/python/tests/worker/test_idle_spin.py).
    for (const bad of ['-1', 'fast', 'Infinity', '1e400', '0x10', '0b11', '0o7', '1_000', '\u0661\u0662', '-0']) {
      assert.throws(() => idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: bad }), (e: unknown) => e instanceof InvalidOptionError && /CRUCIAL_IDLE_SPIN_US/.test((e as Error).message));
    }
  });

  it('options.idleSpinUs must be a non-negative number; with 0 the pool runs tasks as before', async () => {
    for (const bad of [-1, Number.NaN, Infinity, '5' as unknown as number]) {
      assert.throws(() => new LocalPool({ threads: 1, idleSpinUs: bad }), InvalidOptionError);
    }
    const pool = new LocalPool({ threads: 1, idleSpinUs: 0 });
    try {
      const se = new ServerlessExecutorService({ runner: pool });
      assert.deepEqual(await se.invokeAll([() => 1, () => 2]), [1, 2]);
    } finally { await pool.close(); }
  });
});
