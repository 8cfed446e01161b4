import { strict as assert } from 'node:assert';
import { AtomicList } from '../../../core/objects/atomic-list.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('atomic-list', () => {
  const dso = withDso();

  it('atomic-list - add, get, set and remove follow java.util.List', async () => {
    const l = new AtomicList<string>(dso.key(), undefined, dso.opts);
    assert.equal(await l.add('a'), true);
    assert.equal(await l.addAll(['b', 'c']), true);
    assert.equal(await l.addAll([]), false);
    assert.equal(await l.get(1), 'b');
    assert.equal(await l.set(1, 'B'), 'b');
    await l.insert(0, 'z');
    assert.deepEqual(await l.toArray(), ['z', 'a', 'B', 'c']);
    assert.equal(await l.remove(0), 'z');
    assert.equal(await l.size(), 3);
  });

  it('atomic-list - indexOf, contains and removeValue compare values structurally', async () => {
    const l = new AtomicList<unknown>(dso.key(), [{ x: 1 }, [2, 3], 'y', [2, 3]], dso.opts);
    assert.equal(await l.indexOf([2, 3]), 1);
    assert.equal(await l.lastIndexOf([2, 3]), 3);
    assert.equal(await l.contains({ x: 1 }), true);
    assert.equal(await l.contains({ x: 2 }), false);
    assert.equal(await l.removeValue('y'), true);
    assert.equal(await l.removeValue('y'), false);
    assert.deepEqual(await l.subList(0, 2), [{ x: 1 }, [2, 3]]);
  });

  it('atomic-list - clear empties the list', async () => {
    const l = new AtomicList<number>(dso.key(), [1, 2], dso.opts);
    await l.clear();
    assert.equal(await l.isEmpty(), true);
  });

  it('atomic-list - concurrent adds from 8 connections lose nothing', async () => {
    const key = dso.key();
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      const l = new AtomicList<number>(key, [], { connection: dso.connect() });
      await Promise.all(Array.from({ length: 100 }, (_, i) => l.add(c * 100 + i)));
    }));
    const all = await new AtomicList<number>(key, [], dso.opts).toArray();
    assert.deepEqual(all.sort((a, b) => a - b), Array.from({ length: 800 }, (_, i) => i));
  });

  it('atomic-list - an index out of bounds is ERR_BAD_ARGUMENT', async () => {
    const l = new AtomicList<number>(dso.key(), [1], dso.opts);
    await rejectsWithCode(l.get(1), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(l.remove(-1), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(l.subList(0, 2), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(l.addAll('x' as unknown as number[]), 'ERR_BAD_ARGUMENT');
  });

  it('atomic-list - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('AtomicList', dso.key(), 'push', [1]), 'ERR_UNKNOWN_METHOD');
  });

  it('atomic-list - insertAll, removeAll, retainAll and containsAll follow java.util.List', async () => {
    const l = new AtomicList<unknown>(dso.key(), [1, 2, 3, 2], dso.opts);
    assert.equal(await l.insertAll(1, ['x', 'y']), true);
    assert.deepEqual(await l.toArray(), [1, 'x', 'y', 2, 3, 2]);
    assert.equal(await l.insertAll(0, []), false);
    await rejectsWithCode(l.insertAll(7, ['z']), 'ERR_BAD_ARGUMENT');
    assert.equal(await l.containsAll([2, 'x']), true);
    assert.equal(await l.containsAll([2, 'z']), false);
    assert.equal(await l.removeAll([2, 'y']), true, 'every occurrence goes');
    assert.deepEqual(await l.toArray(), [1, 'x', 3]);
    assert.equal(await l.removeAll([42]), false);
    assert.equal(await l.retainAll([3, 1]), true);
    assert.deepEqual(await l.toArray(), [1, 3]);
    assert.equal(await l.retainAll([1, 3]), false);
  });
});
