import { strict as assert } from 'node:assert';
import { AtomicTreeMap } from '../../../core/objects/atomic-tree-map.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-tree-map', () => {
  const dso = withDso();

  it('atomic-tree-map - keeps keys sorted with numbers before strings', async () => {
    const t = new AtomicTreeMap<string | number, number>(dso.key(), [['b', 1], [10, 2], [2, 3], ['a', 4]], dso.opts);
    assert.deepEqual(await t.keys(), [2, 10, 'a', 'b']);
    assert.equal(await t.firstKey(), 2);
    assert.equal(await t.lastKey(), 'b');
    assert.deepEqual(await t.entries(), [[2, 3], [10, 2], ['a', 4], ['b', 1]]);
  });

  it('atomic-tree-map - headMap is exclusive and tailMap inclusive, as in java.util.TreeMap', async () => {
    const t = new AtomicTreeMap<number, string>(dso.key(), [[1, 'a'], [2, 'b'], [3, 'c']], dso.opts);
    assert.deepEqual(await t.headMap(2), [[1, 'a']]);
    assert.deepEqual(await t.tailMap(2), [[2, 'b'], [3, 'c']]);
    assert.deepEqual(await t.headMap(0), []);
  });

  it('atomic-tree-map - top returns the k entries with the largest values, largest first', async () => {
    const t = new AtomicTreeMap<string, number>(dso.key(), { w1: 5, w2: 9, w3: 1, w4: 9 }, dso.opts);
    assert.deepEqual(await t.top(3), [['w2', 9], ['w4', 9], ['w1', 5]]);
    assert.deepEqual(await t.top(10), [['w2', 9], ['w4', 9], ['w1', 5], ['w3', 1]]);
    assert.deepEqual(await t.top(0), []);
  });

  it('atomic-tree-map - put, get and remove keep the order', async () => {
    const t = new AtomicTreeMap<string, number>(dso.key(), undefined, dso.opts);
    assert.equal(await t.firstKey(), null);
    assert.equal(await t.put('m', 1), null);
    assert.equal(await t.put('a', 2), null);
    assert.equal(await t.put('m', 3), 1);
    assert.equal(await t.get('m'), 3);
    assert.equal(await t.remove('a'), 2);
    assert.equal(await t.remove('a'), null);
    assert.equal(await t.size(), 1);
    assert.equal(await t.containsKey('m'), true);
  });

  it('atomic-tree-map - concurrent puts from 8 connections end sorted and complete', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      const t = new AtomicTreeMap<number, number>(key, undefined, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 50 }, (_, i) => t.put(i * 8 + c, c)));
    }));
    assert.deepEqual(await new AtomicTreeMap<number, number>(key, undefined, dso.opts).keys(), Array.from({ length: 400 }, (_, i) => i));
  });

  it('atomic-tree-map - a key that is neither string nor number is ERR_BAD_ARGUMENT', async () => {
    const t = new AtomicTreeMap<string, number>(dso.key(), undefined, dso.opts);
    await rejectsWithCode(t.put(true as unknown as string, 1), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(t.top(-1), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-tree-map - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicTreeMap', dso.key(), 'comparator', []), 'ERR_UNKNOWN_METHOD');
  });
});
