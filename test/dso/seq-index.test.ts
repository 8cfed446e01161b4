import { strict as assert } from 'node:assert';
import { SeqIndex } from '../../dso/seq-index.ts';
import { mulberry32 } from '../../bench/lib/rng.ts';

const SEED = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);

describe('dso seq index (a client log\'s seq → ring position table)', () => {
  it('seq-index - random adds, removes and lookups, seqs consecutive, colliding and past 2^32, agree with a Map (replay: CRUCIAL_TEST_SEED)', () => {
    const random = mulberry32(SEED);
    for (let run = 0; run < 30; run++) {
      const ringSize = 1 + Math.floor(random() * 300);
      const seqs: number[] = new Array<number>(ringSize).fill(-1);
      const index = new SeqIndex(seqs, (random() * 0x100000000) | 0);
      const oracle = new Map<number, number>(); // seq → pos
      const free: number[] = Array.from({ length: ringSize }, (_, i) => i);
      const kind = run % 3;
      let next = kind === 2 ? 2 ** 40 : 0;
      const pick = (): number => {
        if (kind === 0) return next++; // a client's seqs, one after the other
        if (kind === 1) return Math.floor(random() * 64) * 4096; // same low bits: one probe run if hashed by them
        return next += 1 + Math.floor(random() * 3) * 2 ** 32; // past 2^32, equal low halves
      };
      for (let op = 0; op < 3000; op++) {
        const r = random();
        if (r < 0.5 && free.length > 0) {
          const seq = pick();
          if (oracle.has(seq)) continue;
          const pos = free.splice(Math.floor(random() * free.length), 1)[0]!;
          seqs[pos] = seq;
          index.add(pos);
          oracle.set(seq, pos);
        } else if (r < 0.85 && oracle.size > 0) {
          const keys = [...oracle.keys()];
          const seq = keys[Math.floor(random() * keys.length)]!;
          const pos = oracle.get(seq)!;
          assert.equal(index.remove(pos), true, `seed ${SEED} run ${run} op ${op}: remove ${seq}`);
          oracle.delete(seq);
          seqs[pos] = -2 - op; // the ring cell is overwritten after its entry goes
          free.push(pos);
        } else {
          const seq = random() < 0.5 && oracle.size > 0 ? [...oracle.keys()][Math.floor(random() * oracle.size)]! : pick();
          assert.equal(index.find(seq), oracle.get(seq) ?? -1, `seed ${SEED} run ${run} op ${op}: find ${seq}`);
        }
        assert.equal(index.size, oracle.size);
      }
      for (const [seq, pos] of oracle) assert.equal(index.find(seq), pos, `seed ${SEED} run ${run}: final find ${seq}`);
      for (let pos = 0; pos < ringSize; pos++) if (!free.includes(pos)) continue; else assert.equal(index.remove(pos), false, `seed ${SEED} run ${run}: free ${pos} not indexed`);
    }
  });
});
