import { strict as assert } from 'node:assert';
import { ErrorCode, ModelNotFoundError } from '../../../core/protocol/errors.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import type { Model } from '../../../ml/model/format.ts';
import { rejectsWithCode, withDso } from '../../helpers/dso.ts';
import { SEED, assertSameModel, forestModel, taggedModel } from './models.ts';

describe('ml/model/store (ModelStore on a real node)', function () {
  const dso = withDso();
  const store = () => new ModelStore({ connection: dso.connection });
  afterEach(function () { if (this.currentTest?.state === 'failed') console.log(`    replay with ML_TEST_SEED=${SEED}`); });

  it('store - a published model loads back bit for bit, int32 arrays as Int32Array, with its name and version', async () => {
    const s = store();
    const model = forestModel(SEED, 5000);
    const v = await s.publish('roundtrip', model);
    assert.equal(v, 1);
    const got = await s.load('roundtrip');
    assert.equal(got.name, 'roundtrip');
    assert.equal(got.version, 1);
    assertSameModel(got, model);
    // Another connection (another process's view) reads the same.
    assertSameModel(await new ModelStore({ connection: dso.connect() }).load('roundtrip', 1), model);
  });

  it('store - versions are kept: each loads as published, the latest is the last, names are listed', async () => {
    const s = store();
    const models = [1, 2, 3].map((i) => forestModel(SEED + i, 300 * i, i + 1));
    for (const [i, m] of models.entries()) assert.equal(await s.publish('kept', m), i + 1);
    await s.publish('another', taggedModel(7));
    assert.deepEqual(await s.versions('kept'), [1, 2, 3]);
    assert.equal(await s.latestVersion('kept'), 3);
    for (const [i, m] of models.entries()) assertSameModel(await s.load('kept', i + 1), m, `v${i + 1}`);
    assertSameModel(await s.load('kept'), models[2]!, 'latest');
    const names = await s.list();
    assert.ok(names.includes('kept') && names.includes('another'), names.join());
    assert.deepEqual(names, [...names].sort());
  });

  it('store - an empty array (a zero dimension) round-trips with its shape', async () => {
    const s = store();
    const m: Model = { ...taggedModel(1, 2, 3), arrays: { none: { dtype: 'float64', shape: [0, 3], data: new Float64Array(0) }, one: { dtype: 'int32', shape: [1], data: Int32Array.of(-5) } } };
    await s.publish('empty-array', m);
    assertSameModel(await s.load('empty-array'), m);
  });

  it('store - an unknown model or version is ModelNotFoundError (ERR_NOT_FOUND), and a read of one creates nothing on the node', async () => {
    const s = store();
    const before = dso.node.store.size;
    const err = await rejectsWithCode(s.load('never-published'), ErrorCode.NOT_FOUND);
    assert.ok(err instanceof ModelNotFoundError);
    assert.match(err.message, /never-published/);
    await rejectsWithCode(s.load('never-published', 2), ErrorCode.NOT_FOUND);
    assert.equal(await s.latestVersion('never-published'), undefined);
    assert.deepEqual(await s.versions('never-published'), []);
    // At most the shared index map may have been created by these reads, nothing per model.
    assert.ok(dso.node.store.size <= before + 1, `objects ${before} → ${dso.node.store.size}`);
    await s.publish('has-one', taggedModel(1, 2, 2));
    await rejectsWithCode(s.load('has-one', 2), ErrorCode.NOT_FOUND);
  });

  it('store - a malformed model or name is refused with ERR_BAD_ARGUMENT and publishes nothing', async () => {
    const s = store();
    await rejectsWithCode(s.publish('bad name/with slash', taggedModel(1)), ErrorCode.BAD_ARGUMENT);
    const bad = taggedModel(1, 2, 2);
    bad.arrays.centroids!.shape = [3, 2];
    await rejectsWithCode(s.publish('refused', bad), ErrorCode.BAD_ARGUMENT);
    await rejectsWithCode(s.publish('refused', { ...taggedModel(1), meta: { nFeatures: 2, loss: NaN } }), ErrorCode.BAD_ARGUMENT);
    assert.equal(await s.latestVersion('refused'), undefined);
    await rejectsWithCode(s.load('refused', 0), ErrorCode.BAD_ARGUMENT);
  });

  it('store - readers during racing publishes get one whole version each, and latest never goes back', async function () {
    this.timeout(120_000);
    const rounds = process.env.CI ? 6 : 15;
    // Each publisher and each reader has its own connection: nothing orders their calls but the node.
    const slow = new ModelStore({ connection: dso.connect() });
    const fast = new ModelStore({ connection: dso.connect() });
    const readers = [new ModelStore({ connection: dso.connect() }), new ModelStore({ connection: dso.connect() })];
    const tagOf = new Map<number, number>([[await slow.publish('atomic', taggedModel(1)), 1]]);
    let publishing = true;
    const seen: Array<Array<[number, number]>> = readers.map(() => []);
    const readLoops = readers.map(async (r, i) => {
      while (publishing) {
        const m = await r.load('atomic');
        const tag = m.meta.tag as number;
        // Arrays and metadata all come from one published model, whichever it was.
        assert.ok(m.arrays.centroids!.data.every((x) => x === tag), `centroids of v${m.version} mix in another model`);
        assert.ok(m.arrays.counts!.data.every((x) => x === tag), `counts of v${m.version} mix in another model`);
        seen[i]!.push([m.version!, tag]);
      }
    });
    for (let round = 0; round < rounds; round++) {
      // A big model and, right behind it, a small one: the small one usually takes the later
      // version yet commits first, so the big one's commit arrives last and must not lower latest.
      const big = 1000 + round, small = 2000 + round;
      const [vb, vs] = await Promise.all([slow.publish('atomic', taggedModel(big, 256, 256)), fast.publish('atomic', taggedModel(small, 2, 2))]);
      tagOf.set(vb, big).set(vs, small);
      assert.equal(await fast.latestVersion('atomic'), Math.max(...tagOf.keys()), `round ${round}: latest is not the highest version`);
    }
    publishing = false;
    await Promise.all(readLoops);
    for (const s of seen) {
      assert.ok(s.length > 0, 'a reader read nothing');
      // The model a reader got as version v is the one published as v.
      for (const [v, tag] of s) assert.equal(tag, tagOf.get(v), `v${v} read with the model of another version`);
      for (let i = 1; i < s.length; i++) assert.ok(s[i]![0] >= s[i - 1]![0], `latest went back: v${s[i - 1]![0]} then v${s[i]![0]}`);
    }
    assert.deepEqual(await slow.versions('atomic'), Array.from({ length: 2 * rounds + 1 }, (_, i) => i + 1));
  });
});
