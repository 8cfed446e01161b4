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

  it('store - a reader running during publishes of new versions always gets one whole version, never a mix', async function () {
    this.timeout(120_000);
    const versions = process.env.CI ? 12 : 30;
    const publisher = store();
    const readers = [new ModelStore({ connection: dso.connect() }), new ModelStore({ connection: dso.connect() })];
    await publisher.publish('atomic', taggedModel(1));
    let publishing = true;
    const seen: number[][] = readers.map(() => []);
    const readLoops = readers.map(async (r, i) => {
      while (publishing) {
        const m = await r.load('atomic');
        const tag = m.meta.tag as number;
        // Every array and the metadata come from the version the reader was told it got.
        assert.equal(tag, m.version, 'meta of another version');
        assert.ok(m.arrays.centroids!.data.every((x) => x === tag), `centroids of v${m.version} mix in other versions`);
        assert.ok(m.arrays.counts!.data.every((x) => x === tag), `counts of v${m.version} mix in other versions`);
        seen[i]!.push(tag);
      }
    });
    // Two publishers at once: their array writes interleave, and `latest` must never go back.
    const second = store();
    for (let v = 2; v <= versions; v += 2) {
      await Promise.all([publisher.publish('atomic', taggedModel(v)), second.publish('atomic', taggedModel(v + 1))]);
    }
    publishing = false;
    await Promise.all(readLoops);
    // (Both publishers share one connection, so the tag-v model takes version v: calls leave in order.)
    for (const s of seen) {
      assert.ok(s.length > 0, 'a reader read nothing');
      for (let i = 1; i < s.length; i++) assert.ok(s[i]! >= s[i - 1]!, `latest went back: ${s[i - 1]} then ${s[i]}`);
    }
    assert.equal(await publisher.latestVersion('atomic'), versions + 1);
    assert.deepEqual(await publisher.versions('atomic'), Array.from({ length: versions + 1 }, (_, i) => i + 1));
  });
});
