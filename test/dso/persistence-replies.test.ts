/**
 * The durable dedup records (dso/persistence/replies.ts): a ring of slots per client, records
 * patched in place, tombstones for replies too large to keep, idle records swept, and a record
 * written inside a block that throws is not there.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Heap, PHashMap } from '../../pmem/index.ts';
import { ReplyLog } from '../../dso/persistence/replies.ts';

const client = (n: number) => new Uint8Array(8).fill(n);
const frames = (s: string) => [new TextEncoder().encode(s)];

describe('dso persistence - durable dedup records', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-replies-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replies - keeps the last perClient seqs of each client across a reopen, small replies in place, big ones as tombstones', async () => {
    const path = join(dir, 'ring.pmem');
    let heap = await Heap.open(path, { size: 8 << 20, flush: 'none' });
    const map = PHashMap.create(heap);
    heap.setRoot('r', map);
    const log = new ReplyLog(heap, map, 16, 1024);
    for (let seq = 1; seq <= 40; seq++) log.record(client(1), seq, frames(`reply ${seq} ${'x'.repeat(seq * 4)}`));
    log.record(client(2), 7, [new Uint8Array(2000)]);
    heap.close();

    heap = await Heap.open(path, { size: 8 << 20, flush: 'none' });
    const back = new ReplyLog(heap, heap.root<PHashMap>('r')!, 16, 1024).load();
    const mine = back.filter((r) => r.client[0] === 1).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(mine.map((r) => r.seq), Array.from({ length: 16 }, (_, i) => 25 + i), 'the last 16 seqs');
    for (const r of mine) assert.deepEqual(r.reply, frames(`reply ${r.seq} ${'x'.repeat(r.seq * 4)}`));
    const big = back.find((r) => r.client[0] === 2)!;
    assert.deepEqual([big.seq, big.reply], [7, null], 'a reply over the limit is a tombstone');
    heap.close();
  });

  it('replies - a record written in a block that throws is not kept; idle records are swept', async () => {
    const heap = await Heap.open(join(dir, 'tx.pmem'), { size: 8 << 20, flush: 'none' });
    const map = PHashMap.create(heap);
    heap.setRoot('r', map);
    const log = new ReplyLog(heap, map, 16, 1024, 1000);
    log.record(client(3), 1, frames('kept'), Date.now() - 5000);
    assert.throws(() => heap.atomic(() => { log.record(client(3), 17, frames('rolled back')); throw new Error('commit failed'); }), /commit failed/);
    assert.deepEqual(log.load().map((r) => [r.seq, r.reply]), [[1, frames('kept')]], 'slot 1 still holds seq 1');
    log.record(client(4), 2, frames('fresh'));
    assert.equal(log.sweep(), 1);
    assert.deepEqual(log.load().map((r) => r.seq), [2]);
    heap.close();
  });
});
