import { strict as assert } from 'node:assert';
import { AtomicTreeMap } from '../../../core/objects/atomic-tree-map.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';
import { mulberry32 } from '../../../bench/lib/rng.ts';

type K = number | string;

/** The tree map's order, written independently: numbers before strings, then natural order. */
const cmp = (a: K, b: K): number => (typeof a !== typeof b ? (typeof a === 'number' ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0);

/** A naive sorted-map model: linear scans over sorted pairs, the oracle for the node's binary searches. */
class Model {
  pairs: [K, number][] = [];
  put(k: K, v: number): void {
    const i = this.pairs.findIndex(([x]) => x === k);
    if (i >= 0) this.pairs[i] = [k, v];
    else { this.pairs.push([k, v]); this.pairs.sort((a, b) => cmp(a[0], b[0])); }
  }
  remove(k: K): void { this.pairs = this.pairs.filter(([x]) => x !== k); }
  floor(k: K) { return [...this.pairs].reverse().find(([x]) => cmp(x, k) <= 0) ?? null; }
  ceiling(k: K) { return this.pairs.find(([x]) => cmp(x, k) >= 0) ?? null; }
  lower(k: K) { return [...this.pairs].reverse().find(([x]) => cmp(x, k) < 0) ?? null; }
  higher(k: K) { return this.pairs.find(([x]) => cmp(x, k) > 0) ?? null; }
  range(lo: K | null, loIn: boolean, hi: K | null, hiIn: boolean) {
    return this.pairs.filter(([x]) => (lo === null || (loIn ? cmp(x, lo) >= 0 : cmp(x, lo) > 0)) && (hi === null || (hiIn ? cmp(x, hi) <= 0 : cmp(x, hi) < 0)));
  }
}

describe('atomic-tree-map - NavigableMap methods', () => {
  const dso = withDso();

  it('atomic-tree-map - putAll, putIfAbsent, getOrDefault, isEmpty, values and containsValue', async () => {
    const t = new AtomicTreeMap<K, number>(dso.key(), [], dso.opts);
    assert.equal(await t.isEmpty(), true);
    await t.putAll([['b', 2], [3, 30], ['a', 1]]);
    await t.putAll(new Map<K, number>([[1, 10]]));
    assert.deepEqual(await t.entries(), [[1, 10], [3, 30], ['a', 1], ['b', 2]]);
    assert.deepEqual(await t.values(), [10, 30, 1, 2]);
    assert.equal(await t.putIfAbsent('a', 99), 1);
    assert.equal(await t.putIfAbsent('c', 3), null);
    assert.equal(await t.getOrDefault('zz', -1), -1);
    assert.equal(await t.getOrDefault('c', -1), 3);
    assert.equal(await t.containsValue(30), true);
    assert.equal(await t.containsValue(31), false);
    assert.equal(await t.isEmpty(), false);
    await rejectsWithCode(t.putAll([['ok', 1], [{} as unknown as K, 2]]), 'ERR_BAD_ARGUMENT');
    assert.equal(await t.containsKey('ok'), false, 'a bad key refuses the whole putAll');
  });

  it('atomic-tree-map - conditional remove and replace, merge with a named function', async () => {
    const t = new AtomicTreeMap<string, number>(dso.key(), { a: 1, b: 2 }, dso.opts);
    assert.equal(await t.remove('a', 5), false);
    assert.equal(await t.remove('a', 1), true);
    assert.equal(await t.remove('a', 1), false);
    assert.equal(await t.replace('zz', 1), null);
    assert.equal(await t.containsKey('zz'), false, 'replace does not insert');
    assert.equal(await t.replace('b', 3), 2);
    assert.equal(await t.replace('b', 2, 9), false);
    assert.equal(await t.replace('b', 3, 4), true);
    assert.equal(await t.merge('b', 10, 'sum'), 14);
    assert.equal(await t.merge('c', 7, 'max'), 7);
    assert.deepEqual(await t.entries(), [['b', 14], ['c', 7]]);
  });

  it('atomic-tree-map - first/last entries, polls and descending views', async () => {
    const t = new AtomicTreeMap<K, number>(dso.key(), [], dso.opts);
    assert.equal(await t.firstEntry(), null);
    assert.equal(await t.pollFirstEntry(), null);
    assert.equal(await t.pollLastEntry(), null);
    await t.putAll([[5, 50], [1, 10], ['x', 0], [3, 30]]);
    assert.deepEqual(await t.firstEntry(), [1, 10]);
    assert.deepEqual(await t.lastEntry(), ['x', 0]);
    assert.deepEqual(await t.descendingKeys(), ['x', 5, 3, 1]);
    assert.deepEqual(await t.descendingMap(), [['x', 0], [5, 50], [3, 30], [1, 10]]);
    assert.deepEqual(await t.pollFirstEntry(), [1, 10]);
    assert.deepEqual(await t.pollLastEntry(), ['x', 0]);
    assert.deepEqual(await t.entries(), [[3, 30], [5, 50]]);
    assert.equal(await t.size(), 2);
  });

  it('atomic-tree-map - subMap with fromKey after toKey rejects with ERR_BAD_ARGUMENT, as Java', async () => {
    const t = new AtomicTreeMap<number, number>(dso.key(), [[1, 1]], dso.opts);
    await rejectsWithCode(t.subMap(5, 2), 'ERR_BAD_ARGUMENT');
    assert.deepEqual(await t.subMap(1, 1), [], '[k, k) is empty');
    assert.deepEqual(await t.subMap(1, 1, true, true), [[1, 1]]);
  });

  it('atomic-tree-map - navigation and ranges agree with a naive model on random maps', async () => {
    const seed = Number(process.env.CRUCIAL_TEST_SEED ?? Date.now() % 1_000_000);
    const rand = mulberry32(seed); // replayable with CRUCIAL_TEST_SEED
    const pick = (): K => (rand() < 0.7 ? Math.floor(rand() * 40) - 10 : String.fromCharCode(97 + Math.floor(rand() * 8)));
    const t = new AtomicTreeMap<K, number>(dso.key(), [], dso.opts);
    const model = new Model();
    try {
      for (let step = 0; step < 40; step++) {
        const k = pick();
        if (rand() < 0.75) { const v = Math.floor(rand() * 100); await t.put(k, v); model.put(k, v); } else { await t.remove(k); model.remove(k); }
        const q = pick();
        const [fe, ce, le, he] = await Promise.all([t.floorEntry(q), t.ceilingEntry(q), t.lowerEntry(q), t.higherEntry(q)]);
        assert.deepEqual([fe, ce, le, he], [model.floor(q), model.ceiling(q), model.lower(q), model.higher(q)], `entries around ${String(q)}`);
        const [fk, ck, lk, hk] = await Promise.all([t.floorKey(q), t.ceilingKey(q), t.lowerKey(q), t.higherKey(q)]);
        assert.deepEqual([fk, ck, lk, hk], [fe?.[0] ?? null, ce?.[0] ?? null, le?.[0] ?? null, he?.[0] ?? null]);
        const incl = rand() < 0.5;
        assert.deepEqual(await t.headMap(q, incl), model.range(null, true, q, incl), `headMap(${String(q)}, ${incl})`);
        assert.deepEqual(await t.tailMap(q, incl), model.range(q, incl, null, true), `tailMap(${String(q)}, ${incl})`);
        let [a, b] = [pick(), pick()];
        if (cmp(a, b) > 0) [a, b] = [b, a];
        const fi = rand() < 0.5, ti = rand() < 0.5;
        assert.deepEqual(await t.subMap(a, b, fi, ti), model.range(a, fi, b, ti), `subMap(${String(a)}, ${String(b)}, ${fi}, ${ti})`);
      }
      assert.deepEqual(await t.entries(), model.pairs);
    } catch (err) {
      (err as Error).message += ` (replay with CRUCIAL_TEST_SEED=${seed})`;
      throw err;
    }
  });
});
