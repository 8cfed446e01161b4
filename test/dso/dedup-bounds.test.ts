import { strict as assert } from 'node:assert';
import { DedupCache } from '../../dso/dedup.ts';

const client = (n: number) => { const c = new Uint8Array(8); new DataView(c.buffer).setUint32(4, n); return c; };
const route = new Uint8Array([0, 0, 0, 0, 1]);
const reply = (bytes: number, tag = 0) => [new Uint8Array(bytes).fill(tag & 0xff)];
const liveBytes = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

describe('dedup bounds', () => {
  it('dedup bounds - 5,000 client ids with one small call each cost kilobytes apiece, not 33 KB', () => {
    const d = new DedupCache();
    const before = liveBytes();
    for (let i = 0; i < 5000; i++) { d.begin(client(i), 1, route); d.finish(client(i), 1, reply(16)); }
    const grown = liveBytes() - before;
    assert.equal(d.clientCount, 5000);
    assert.ok(grown < 40 * 1024 * 1024, `5,000 clients grew the heap by ${(grown / 1e6).toFixed(1)} MB`);
    assert.ok(d.byteCount < 5000 * 1024, `accounted ${d.byteCount} bytes`);
  });

  it('dedup bounds - past maxBytes the least recently seen clients are dropped, recent ones still replay', () => {
    const d = new DedupCache(4096, 600_000, { maxBytes: 1024 * 1024 });
    for (let i = 0; i < 20_000; i++) { d.begin(client(i), 1, route); d.finish(client(i), 1, reply(1024, i)); }
    assert.ok(d.byteCount <= 1024 * 1024, `accounted ${d.byteCount}`);
    assert.ok(d.clientCount < 20_000 && d.evictedClients > 0);
    for (let i = 19_900; i < 20_000; i++) assert.deepEqual(d.begin(client(i), 1, route), { kind: 'replay', reply: reply(1024, i) }, `client ${i}`);
    assert.equal(d.begin(client(0), 1, route).kind, 'new', 'the oldest client was forgotten');
  });

  it('dedup bounds - past maxClients the oldest ids go, but never one whose call is still running', () => {
    const d = new DedupCache(4096, 600_000, { maxClients: 100 });
    assert.equal(d.begin(client(1_000_000), 1, route).kind, 'new'); // parked, say a barrier await
    for (let i = 0; i < 1000; i++) { d.begin(client(i), 1, route); d.finish(client(i), 1, reply(8)); }
    assert.ok(d.clientCount <= 101, `${d.clientCount} clients`);
    assert.equal(d.begin(client(1_000_000), 1, route).kind, 'joined', 'the running call is still known: its resend joins it');
    assert.deepEqual(d.finish(client(1_000_000), 1, reply(8)), [route]);
  });

  it('dedup bounds - one client past its share keeps tombstones for its oldest replies: resends are refused, never rerun', () => {
    const d = new DedupCache(4096, 600_000, { maxBytes: 1024 * 1024, maxClientBytes: 100 * 1024 });
    for (let seq = 1; seq <= 100; seq++) { d.begin(client(7), seq, route); d.finish(client(7), seq, reply(10 * 1024, seq)); }
    assert.ok(d.byteCount < 200 * 1024, `accounted ${d.byteCount}`);
    assert.equal(d.begin(client(7), 1, route).kind, 'lost');
    assert.deepEqual(d.begin(client(7), 100, route), { kind: 'replay', reply: reply(10 * 1024, 100) });
  });
});
