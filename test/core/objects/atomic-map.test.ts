import { strict as assert } from 'node:assert';
import { AtomicMap } from '../../../core/objects/atomic-map.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-map', () => {
  const dso = withDso();

  it('atomic-map - get, put, putIfAbsent and remove follow java.util.Map', async () => {
    const m = new AtomicMap<string, number>(dso.key(), undefined, dso.opts);
    assert.equal(await m.get('a'), null);
    assert.equal(await m.put('a', 1), null);
    assert.equal(await m.put('a', 2), 1);
    assert.equal(await m.putIfAbsent('a', 3), 2);
    assert.equal(await m.putIfAbsent('b', 4), null);
    assert.equal(await m.containsKey('b'), true);
    assert.equal(await m.remove('b'), 4);
    assert.equal(await m.containsKey('b'), false);
    assert.equal(await m.getOrDefault('zz', 9), 9);
    assert.equal(await m.size(), 1);
  });

  it('atomic-map - number keys keep their type and differ from string keys', async () => {
    const m = new AtomicMap<string | number, string>(dso.key(), new Map<string | number, string>([[1, 'one'], ['1', 'string one']]), dso.opts);
    assert.equal(await m.get(1), 'one');
    assert.equal(await m.get('1'), 'string one');
    assert.deepEqual(await m.keys(), [1, '1']);
    assert.deepEqual(await m.entries(), [[1, 'one'], ['1', 'string one']]);
    assert.deepEqual(await m.values(), ['one', 'string one']);
  });

  it('atomic-map - merge puts when absent and combines with the named function otherwise', async () => {
    const m = new AtomicMap<string, unknown>(dso.key(), undefined, dso.opts);
    assert.equal(await m.merge('n', 2, 'sum'), 2);
    assert.equal(await m.merge('n', 3, 'sum'), 5);
    assert.equal(await m.merge('lo', 5, 'min'), 5);
    assert.equal(await m.merge('lo', 3, 'min'), 3);
    assert.equal(await m.merge('hi', 'b', 'max'), 'b');
    assert.equal(await m.merge('hi', 'c', 'max'), 'c');
    assert.equal(await m.merge('r', 1, 'replace'), 1);
    assert.equal(await m.merge('r', 2, 'replace'), 2);
    assert.deepEqual(await m.merge('l', [1], 'concat'), [1]);
    assert.deepEqual(await m.merge('l', [2, 3], 'concat'), [1, 2, 3]);
    assert.equal(await m.merge('s', 'ab', 'concat'), 'ab');
    assert.equal(await m.merge('s', 'cd', 'concat'), 'abcd');
    assert.equal(await m.merge('big', 2n ** 62n, 'sum'), 2n ** 62n);
  });

  it('atomic-map - merge with sum adds Float64Array values elementwise on the node', async () => {
    const key = dso.key();
    const n = 1000;
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      const m = new AtomicMap<string, Float64Array>(key, undefined, { connection: dso.connect() });
      for (let r = 0; r < 10; r++) await m.merge('grad', new Float64Array(n).fill(c), 'sum');
    }));
    const sum = await new AtomicMap<string, Float64Array>(key, undefined, dso.opts).get('grad');
    assert.ok(sum instanceof Float64Array);
    assert.equal(sum.length, n);
    assert.ok(sum.every((x) => x === 10 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7)));
  });

  it('atomic-map - mergeAll with sum adds every entry', async () => {
    const m = new AtomicMap<string, number>(dso.key(), { a: 1, b: 2 }, dso.opts);
    assert.equal(await m.mergeAll({ a: 10, c: 30 }, 'sum'), 3);
    assert.deepEqual(await m.entries(), [['a', 11], ['b', 2], ['c', 30]]);
  });

  it('atomic-map - word counts merged by 8 connections are exact', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async () => {
      const m = new AtomicMap<string, number>(key, undefined, { connection: dso.connect() });
      await Promise.all(Array.from({ length: 50 }, () => m.mergeAll({ the: 2, cloud: 1 }, 'sum')));
    }));
    const m = new AtomicMap<string, number>(key, undefined, dso.opts);
    assert.equal(await m.get('the'), 800);
    assert.equal(await m.get('cloud'), 400);
  });

  it('atomic-map - a failing mergeAll applies none of its entries', async () => {
    const m = new AtomicMap<string, unknown>(dso.key(), { a: 1, b: 'x' }, dso.opts);
    await rejectsWithCode(m.mergeAll([['a', 1], ['b', 2]], 'sum'), 'ERR_BAD_ARGUMENT');
    assert.equal(await m.get('a'), 1);
  });

  it('atomic-map - an unknown merge function, a bad key or mismatched vectors are ERR_BAD_ARGUMENT', async () => {
    const m = new AtomicMap<string, unknown>(dso.key(), undefined, dso.opts);
    await rejectsWithCode(m.merge('a', 1, 'product' as 'sum'), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(m.put({} as unknown as string, 1), 'ERR_BAD_ARGUMENT');
    await m.put('v', new Float64Array(2));
    await rejectsWithCode(m.merge('v', new Float64Array(3), 'sum'), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(m.merge('v', 'x', 'concat'), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-map - clear empties the map', async () => {
    const m = new AtomicMap<string, number>(dso.key(), { a: 1 }, dso.opts);
    await m.clear();
    assert.equal(await m.isEmpty(), true);
  });

  it('atomic-map - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicMap', dso.key(), 'compute', ['a']), 'ERR_UNKNOWN_METHOD');
  });

  it('atomic-map - remove(k, v) and replace(k, old, new) act only on a structurally equal value', async () => {
    const m = new AtomicMap<string, unknown>(dso.key(), { a: 1, b: [1, 2] }, dso.opts);
    assert.equal(await m.remove('a', 5), false);
    assert.equal(await m.remove('a', 1), true);
    assert.equal(await m.remove('a', 1), false, 'already gone');
    assert.equal(await m.containsKey('a'), false);
    assert.equal(await m.replace('zz', 1), null);
    assert.equal(await m.containsKey('zz'), false, 'replace never inserts');
    assert.deepEqual(await m.replace('b', [3]), [1, 2]);
    assert.equal(await m.replace('b', [1, 2], [9]), false);
    assert.equal(await m.replace('b', [3], [4]), true);
    assert.equal(await m.containsValue([4]), true);
    assert.equal(await m.containsValue([3]), false);
    assert.deepEqual(await m.remove('b'), [4], 'one argument still removes unconditionally');
    await rejectsWithCode(dso.connection.call('AtomicMap', dso.key(), 'replace', ['k']), 'ERR_BAD_ARGUMENT');
  });
});
