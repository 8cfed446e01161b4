import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { DedupCache, MAX_CACHED_BYTES } from '../../dso/dedup.ts';
import { CHUNKED_MAX_BYTES } from '../../dso/reply-chunks.ts';
import { mulberry32 } from '../../bench/lib/rng.ts';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);

/** One ring cell of the model: a client's seqs in arrival order, overwritten oldest first. */
interface Cell { seq: number; state: 'running' | 'forgotten' | 'lost' | 'kept'; joined: number; bytes?: string }

/**
 * The cache's contract for one client within its byte budget, as a plain ring scanned by seq (no
 * index, no chunks): what a begin of each seq must answer, and the reply bytes a replay must carry.
 */
class Model {
  cells: Cell[] = [];
  next = 0;
  constructor(private readonly per: number) {}
  find(seq: number): Cell | undefined { return this.cells.find((c) => c.seq === seq && c.state !== 'forgotten'); }
  begin(seq: number): string {
    const c = this.find(seq);
    if (c === undefined) {
      const cell: Cell = { seq, state: 'running', joined: 0 };
      if (this.cells.length < this.per) this.cells.push(cell);
      else { this.cells[this.next] = cell; this.next = (this.next + 1) % this.per; }
      return 'new';
    }
    if (c.state === 'running') { c.joined++; return 'joined'; }
    return c.state === 'lost' ? 'lost' : `replay:${c.bytes}`;
  }
  finish(seq: number, bytes: string, size: number): number {
    const c = this.find(seq);
    if (c?.state !== 'running') return 0;
    c.state = size > MAX_CACHED_BYTES ? 'lost' : 'kept';
    c.bytes = bytes;
    return c.joined;
  }
  forget(seq: number): boolean {
    const c = this.find(seq);
    if (c?.state !== 'running') return true;
    if (c.joined > 0) return false;
    c.state = 'forgotten';
    return true;
  }
}

/** A frame's length and digest (a failing comparison prints a line, not the bytes). */
const hex = (f: Uint8Array) => `${f.byteLength}:${createHash('sha1').update(f).digest('hex')}`;

describe('dso dedup against a model (ring of seqs scanned by seq)', () => {
  it('dedup-model - a call withdrawn, resent and finished is still replayed after the ring overwrites the withdrawn one\'s cell (before a5b534f the overwrite dropped the resend\'s reply: a third send ran the call again)', () => {
    const cache = new DedupCache(3);
    const id = new Uint8Array(8).fill(9);
    const r1 = [new TextEncoder().encode('r1')];
    assert.equal(cache.begin(id, 1, new Uint8Array([1])).kind, 'new');
    assert.equal(cache.forget(id, 1), true, 'its link went while it was parked');
    assert.equal(cache.begin(id, 1, new Uint8Array([2])).kind, 'new', 'the resend runs it afresh');
    cache.finish(id, 1, r1);
    for (const seq of [2, 3]) { assert.equal(cache.begin(id, seq, new Uint8Array([3])).kind, 'new'); cache.finish(id, seq, r1); }
    assert.deepEqual(cache.begin(id, 1, new Uint8Array([4])), { kind: 'replay', reply: r1 }, 'applied once: replayed, not run a third time');
  });

  it('dedup-model - begins, resends, finishes and withdrawals in any order, across ring wrap-arounds: every outcome is the model\'s and a replay carries its own call\'s reply bytes (replay: CRUCIAL_TEST_SEED)', () => {
    const random = mulberry32(SEED);
    for (let run = 0; run < 25; run++) {
      const per = 1 + Math.floor(random() * 24);
      const cache = new DedupCache(per);
      const id = new Uint8Array(8).fill(run + 1);
      const model = new Model(per);
      const running: number[] = [];
      let next = run % 2 === 0 ? 0 : 2 ** 52; // seqs near 2^53 too
      for (let op = 0; op < 1000; op++) {
        const where = `seed ${SEED} run ${run} op ${op}`;
        const r = random();
        if (r < 0.45) {
          // A new seq, or a resend of a recent (perhaps evicted or withdrawn) one.
          const seq = random() < 0.6 || next === 0 ? next++ : next - 1 - Math.floor(random() * Math.min(next, 2 * per));
          const got = cache.begin(id.slice(), seq, new Uint8Array([op & 255]));
          const want = model.begin(seq);
          const shown = got.kind === 'replay' ? `replay:${got.reply.map((f) => hex(f as Uint8Array)).join('|')}` : got.kind;
          assert.equal(shown, want, `${where}: begin ${seq}`);
          if (got.kind === 'new') running.push(seq);
        } else if (r < 0.85 && running.length > 0) {
          const seq = running.splice(Math.floor(random() * running.length), 1)[0]!;
          const kind = random();
          const len = kind < 0.8 ? Math.floor(random() * 300) : kind < 0.95 ? 4000 + Math.floor(random() * 200) : MAX_CACHED_BYTES + 1;
          const frame = new Uint8Array(len);
          for (let i = 0; i < len; i++) frame[i] = (seq * 31 + i * 7 + op) & 255;
          const want = model.finish(seq, hex(frame), len);
          assert.equal(cache.finish(id, seq, [frame]).length, want, `${where}: finish ${seq} routes`);
          if (len <= CHUNKED_MAX_BYTES) frame.fill(0xee); // the caller may reuse a small frame: the cache keeps its own copy (larger ones are handed over)
        } else if (running.length > 0) {
          const at = Math.floor(random() * running.length);
          const seq = running[at]!;
          const want = model.forget(seq);
          assert.equal(cache.forget(id, seq), want, `${where}: forget ${seq}`);
          // Withdrawn (its link gone): a resend runs it afresh. Not withdrawn (joined): it still finishes.
          if (want && model.find(seq) === undefined) running.splice(at, 1);
        }
      }
    }
  });
});
