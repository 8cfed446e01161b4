import { strict as assert } from 'node:assert';
import { DedupCache } from '../../dso/dedup.ts';
import { ReplyChunks } from '../../dso/reply-chunks.ts';
import { mulberry32 } from '../../bench/lib/rng.ts';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);
const route = (n: number) => new Uint8Array([0, 0, 0, 0, n]);

/** A reply whose bytes say which call it answers (a reused chunk that overwrote it would show). */
function replyOf(random: () => number, client: number, seq: number): Uint8Array {
  const sizes = [1, 9, 18, 63, 64, 65, 1035, 2000, 4096, 4097, 9000];
  const n = sizes[Math.floor(random() * sizes.length)]!;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (client * 31 + seq * 7 + i) & 0xff;
  return b;
}

describe('dso reply chunks (kept small replies in reused chunks)', () => {
  it('reply-chunks - random calls of several clients, evictions and tombstones: every replay is the first reply, byte for byte (replay: CRUCIAL_TEST_SEED)', () => {
    const random = mulberry32(SEED);
    for (let run = 0; run < 20; run++) {
      const perClient = 1 + Math.floor(random() * 12);
      // A small per-client share makes the cache tombstone the oldest replies too.
      const d = new DedupCache(perClient, 60_000, { maxBytes: 200_000, maxClientBytes: random() < 0.5 ? 6_000 : 100_000 });
      const sent = new Map<string, Uint8Array>();
      const running: [number, number][] = [];
      const seqs = [0, 0, 0, 0];
      for (let op = 0; op < 2000; op++) {
        const c = Math.floor(random() * seqs.length);
        const id = new Uint8Array(8).fill(c + 1);
        const r = random();
        if (r < 0.5) {
          const seq = ++seqs[c]!;
          assert.equal(d.begin(id, seq, route(c)).kind, 'new', `seed ${SEED} run ${run}`);
          if (random() < 0.2) running.push([c, seq]); // finishes later, out of order
          else {
            const rep = replyOf(random, c, seq);
            d.finish(id, seq, [rep]);
            sent.set(`${c}/${seq}`, rep.slice());
          }
        } else if (r < 0.6 && running.length > 0) {
          const [rc, rseq] = running.splice(Math.floor(random() * running.length), 1)[0]!;
          const rep = replyOf(random, rc, rseq);
          d.finish(new Uint8Array(8).fill(rc + 1), rseq, [rep]);
          sent.set(`${rc}/${rseq}`, rep.slice());
        } else if (seqs[c]! > 0) {
          // A resend of one of this client's recent calls.
          const seq = Math.max(1, seqs[c]! - Math.floor(random() * (perClient + 2)));
          const out = d.begin(id, seq, route(c));
          const first = sent.get(`${c}/${seq}`);
          if (out.kind === 'replay') {
            assert.ok(first, `seed ${SEED} run ${run}: a replay of ${c}/${seq}, which has no reply yet`);
            assert.equal(out.reply.length, 1);
            assert.deepEqual(Uint8Array.from(out.reply[0] as Uint8Array), first, `seed ${SEED} run ${run}: replay of ${c}/${seq}`);
          } else if (out.kind === 'new') {
            // Evicted (even while running): it runs again, as before chunks; its reply now is this one.
            const at = running.findIndex(([rc, rs]) => rc === c && rs === seq);
            if (at >= 0) running.splice(at, 1);
            const rep = replyOf(random, c, seq);
            d.finish(id, seq, [rep]);
            sent.set(`${c}/${seq}`, rep.slice());
          } else if (out.kind === 'joined') {
            assert.ok(running.some(([rc, rs]) => rc === c && rs === seq), `seed ${SEED} run ${run}: joined ${c}/${seq}, not running`);
          }
        }
      }
    }
  });

  it('reply-chunks - a replayed reply is a copy: later replies written into reused space do not change it', () => {
    const chunks = new ReplyChunks();
    const a = chunks.keep(new Uint8Array(100).fill(1));
    chunks.release(a);
    const b = chunks.keep(new Uint8Array(100).fill(2));
    assert.equal(b.buffer, a.buffer, 'the released space is reused');
    assert.ok(b.every((x) => x === 2));
    const d = new DedupCache(1);
    const id = new Uint8Array(8).fill(9);
    d.begin(id, 1, route(1));
    d.finish(id, 1, [new Uint8Array(1024).fill(5)]); // fills its first chunk: the next reply starts it over
    const replay = d.begin(id, 1, route(1));
    assert.equal(replay.kind, 'replay');
    const copy = (replay as { reply: Uint8Array[] }).reply[0]!;
    d.begin(id, 2, route(1)); // evicts seq 1: its space may be reused
    d.finish(id, 2, [new Uint8Array(1024).fill(6)]);
    assert.ok(copy.every((x) => x === 5), 'the replay handed out earlier is intact');
  });

  it('reply-chunks - a client calling steadily reuses its chunks: no new chunk after the first few hundred calls', () => {
    const chunks = new ReplyChunks();
    const kept: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 20_000; i++) {
      const v = chunks.keep(new Uint8Array(1035).fill(i & 0xff));
      kept.push(v);
      if (kept.length > 64) chunks.release(kept.shift()!);
      if (i >= 1000) buffers.add(v.buffer);
    }
    assert.ok(buffers.size <= 4, `${buffers.size} chunks in use after warm-up (expected reuse of at most a few)`);
    for (const v of kept) assert.equal(v.length, 1035);
  });
});
