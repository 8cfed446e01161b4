import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { loadArrow } from '../../../core/protocol/wire/arrow.ts';
import { framePoolStats } from '../../../core/protocol/transport/frame-pool.ts';
import { RawClient } from '../hardening-process.ts';
import type { Answer } from '../../../bench/lib/dso-process.ts';

const COLS = 256 * 1024; // a 2 MiB row: its frame is pooled
const row = (n: number) => Float64Array.from({ length: COLS }, (_, j) => n * 1000 + j);
const valueOf = (a: Answer): Float64Array => { if (!a.ok) throw a.error; return a.value as Float64Array; };

/** Pushes rows 1..5 into row 1 (setRow, then addToRow four times) and checks the sum against the same arithmetic here. */
// Persistent objects never recycle (the store's flag; atomic-reference-recycle.test.ts checks it on pmem:
// a persistent matrix's 2 MiB row is past the pmem transaction log's size).
async function pushRows(c: RawClient, key: string, opts: object): Promise<void> {
  let seq = 1;
  const ok = async (method: string, args: unknown[]) => {
    const a = await c.send(seq, c.frames(seq++, 'AtomicMatrix', key, method, args, { init: [2, COLS], ...opts }), 30_000);
    if (!a.ok) throw a.error;
  };
  await ok('setRow', [1, row(1)]);
  for (let n = 2; n <= 5; n++) await ok('addToRow', [1, row(n)]);
  const got = valueOf(await c.send(seq, c.frames(seq++, 'AtomicMatrix', key, 'getRow', [1], { init: [2, COLS], ...opts }), 30_000));
  const want = row(1);
  for (let n = 2; n <= 5; n++) { const r = row(n); for (let j = 0; j < COLS; j++) want[j]! += r[j]!; }
  assert.equal(got.findIndex((x, j) => x !== want[j]), -1, 'row 1 is the sum of the five rows pushed');
}

describe('atomic-matrix - rows pushed into an in-memory matrix give their frames back', () => {
  let node: DsoNode;
  before(async () => { await loadArrow(); node = await startDso({ port: 0, insecure: true }); });
  after(async () => { await node.close(); });

  it('atomic-matrix recycle - setRow and addToRow of large rows reuse the previous push\'s frame, and the sums are exact', async () => {
    const c = new RawClient(node.address, randomBytes(8));
    try {
      const [recycled, reused] = [framePoolStats.recycled, framePoolStats.reused];
      await pushRows(c, 'm', {});
      assert.ok(framePoolStats.recycled - recycled >= 5, `${framePoolStats.recycled - recycled} of 5 rows given back`);
      assert.ok(framePoolStats.reused - reused >= 4, `${framePoolStats.reused - reused} of 5 receives reused a frame`);
    } finally {
      c.close();
    }
  });
});
