import { strict as assert } from 'node:assert';
import { DedupCache } from '../../dso/dedup.ts';

const client = (n: number) => new Uint8Array(8).fill(n);
const route = (n: number) => new Uint8Array([0, 0, 0, 0, n]);
const reply = (s: string) => [new TextEncoder().encode(s)];

describe('dedup', () => {
  it('dedup - a resent call gets the first reply back; one resent while running joins it', () => {
    const d = new DedupCache();
    assert.equal(d.begin(client(1), 7, route(1)).kind, 'new');
    assert.equal(d.begin(client(1), 7, route(2)).kind, 'joined');
    assert.deepEqual(d.finish(client(1), 7, reply('r7')), [route(2)], 'the joined sender is answered too');
    assert.deepEqual(d.begin(client(1), 7, route(1)), { kind: 'replay', reply: reply('r7') });
    assert.equal(d.begin(client(2), 7, route(3)).kind, 'new', 'seqs are per client');
  });

  it('dedup - keeps the last perClient calls of each client and forgets older ones first', () => {
    const d = new DedupCache(4);
    for (let seq = 1; seq <= 6; seq++) { d.begin(client(1), seq, route(1)); d.finish(client(1), seq, reply(`r${seq}`)); }
    assert.equal(d.begin(client(1), 1, route(1)).kind, 'new', 'seq 1 was evicted');
    assert.equal(d.begin(client(1), 6, route(1)).kind, 'replay', 'seq 6 is still known');
  });

  it('dedup - a reply over 64 KiB is not kept but leaves a tombstone: its resend is not run again', () => {
    const d = new DedupCache();
    d.begin(client(1), 1, route(1));
    d.finish(client(1), 1, [new Uint8Array(65 * 1024)]);
    assert.equal(d.begin(client(1), 1, route(1)).kind, 'lost');
    assert.equal(d.begin(client(1), 1, route(2)).kind, 'lost', 'every resend, from any route');
  });

  it('dedup - records read back at start-up answer resends: a kept reply is replayed, a tombstone is lost', () => {
    const d = new DedupCache();
    d.preload(client(4), 10, reply('r10'));
    d.preload(client(4), 11, null);
    assert.deepEqual(d.begin(client(4), 10, route(1)), { kind: 'replay', reply: reply('r10') });
    assert.equal(d.begin(client(4), 11, route(1)).kind, 'lost');
    assert.equal(d.begin(client(4), 12, route(1)).kind, 'new');
  });

  it('dedup - client ids of any length are told apart, and idle clients are swept', () => {
    const d = new DedupCache(16, 1000);
    const ids = [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3, 0]), client(9)];
    for (const id of ids) d.begin(id, 1, route(1));
    assert.equal(d.clientCount, 3);
    for (const id of ids) d.finish(id, 1, reply('r'));
    d.sweep(Date.now() + 5000);
    assert.equal(d.clientCount, 0);
  });

  it('dedup - a client whose call is still running (parked) is not swept: its resend after the reply replays, never runs again', () => {
    const d = new DedupCache(16, 1000);
    const t0 = Date.now();
    assert.equal(d.begin(client(1), 1, route(1)).kind, 'new');
    d.begin(client(2), 1, route(2));
    d.finish(client(2), 1, reply('idle'));
    d.sweep(t0 + 5000); // client 1 parked for longer than idleMs; client 2 idle
    assert.equal(d.clientCount, 1);
    d.finish(client(1), 1, reply('done'));
    // Right after the reply a sweep must not drop it either: the parked client counted as seen at the last sweep.
    d.sweep(t0 + 5500);
    assert.deepEqual(d.begin(client(1), 1, route(1)), { kind: 'replay', reply: reply('done') });
    d.sweep(t0 + 7000);
    assert.equal(d.clientCount, 0, 'idle for longer than idleMs after its reply: swept');
  });

  it('dedup - past maxClients the least recently seen client goes first, not the first one seen', () => {
    const d = new DedupCache(16, 60_000, { maxClients: 3 });
    for (const c of [1, 2, 3]) { d.begin(client(c), 1, route(c)); d.finish(client(c), 1, reply(`r${c}`)); }
    // Client 1 calls again (and 3, interleaved): 2 is now the least recently seen.
    d.begin(client(1), 2, route(1));
    d.begin(client(3), 2, route(3));
    d.finish(client(1), 2, reply('r1b'));
    d.finish(client(3), 2, reply('r3b'));
    d.begin(client(4), 1, route(4));
    d.finish(client(4), 1, reply('r4'));
    assert.equal(d.clientCount, 3);
    assert.equal(d.evictedClients, 1);
    assert.deepEqual(d.begin(client(1), 1, route(1)), { kind: 'replay', reply: reply('r1') }, 'client 1, seen recently, is kept');
    assert.deepEqual(d.begin(client(3), 1, route(3)), { kind: 'replay', reply: reply('r3') });
    assert.equal(d.begin(client(2), 1, route(2)).kind, 'new', 'client 2, least recently seen, was dropped');
  });

  it('dedup - the last client, found by its bytes without a key, is a fresh log once swept or evicted', () => {
    const d = new DedupCache(16, 1000, { maxBytes: 2000, maxClientBytes: 2000 });
    d.begin(client(1), 1, route(1));
    d.finish(client(1), 1, reply('r1'));
    // Another object with the same bytes finds the same log (the fast path compares bytes).
    assert.deepEqual(d.begin(new Uint8Array(8).fill(1), 1, route(1)), { kind: 'replay', reply: reply('r1') });
    d.sweep(Date.now() + 5000);
    assert.equal(d.begin(client(1), 1, route(1)).kind, 'new', 'a swept client starts afresh');
    // Client 1's call 2 still runs (parked) while client 2 calls: client 2 is the last one touched.
    d.begin(client(1), 2, route(1));
    d.begin(client(2), 1, route(2));
    d.finish(client(2), 1, reply('y'));
    // Client 1's call ends with a large reply: past maxBytes, client 2 (idle) is evicted by it.
    d.finish(client(1), 2, reply('x'.repeat(1800)));
    assert.equal(d.clientCount, 1);
    assert.equal(d.begin(client(2), 1, route(2)).kind, 'new', 'an evicted client starts afresh, even the last one touched');
    assert.equal(d.begin(client(2), 1, route(2)).kind, 'joined', 'and its log is the cache\'s own again');
    assert.equal(d.clientCount, 2);
  });
});
