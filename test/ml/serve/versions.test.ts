/**
 * ml serve - a newly published version goes live without a restart (by poll or refresh), older
 * versions stay servable by number, and a cached model keeps answering while its source is down.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { startModelServer, type ModelServer } from '../../../ml/serve/server.ts';
import { MemorySource, kmeansModel, kmeansOracle } from './models.ts';

async function infer(base: string, path: string, rows: number[][]): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [rows.length, 2], datatype: 'FP64', data: rows.flat() }] }),
  });
  return { status: r.status, body: await r.json() };
}

// (6, 0) is nearest (10, 0) → cluster 1 in version 1; version 2's centroids (8,0), (18,0), (8,10) put it in cluster 0.
const ROW = [6, 0];
const SHIFT = 8;

describe('ml serve - versions and the cached copy', () => {
  let server: ModelServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('oracle sanity: the two versions answer differently for the probe row', () => {
    assert.notEqual(kmeansOracle(ROW[0]!, ROW[1]!), kmeansOracle(ROW[0]!, ROW[1]!, SHIFT));
  });

  it('a new version is served after refresh(), without a restart; version 1 stays servable by number', async () => {
    const source = new MemorySource();
    source.publish('m', kmeansModel());
    server = await startModelServer({ port: 0, models: ['m'], store: source, pollMs: 0 });
    await server.refresh();
    let r = await infer(server.url, '/v2/models/m/infer', [ROW]);
    assert.deepEqual([r.body.model_version, r.body.outputs[0].data], ['1', [kmeansOracle(ROW[0]!, ROW[1]!)]]);
    source.publish('m', kmeansModel(SHIFT));
    await server.refresh();
    r = await infer(server.url, '/v2/models/m/infer', [ROW]);
    assert.deepEqual([r.body.model_version, r.body.outputs[0].data], ['2', [kmeansOracle(ROW[0]!, ROW[1]!, SHIFT)]]);
    r = await infer(server.url, '/v2/models/m/versions/1/infer', [ROW]);
    assert.deepEqual([r.body.model_version, r.body.outputs[0].data], ['1', [kmeansOracle(ROW[0]!, ROW[1]!)]]);
    const meta = await (await fetch(`${server.url}/v2/models/m`)).json() as { versions: string[] };
    assert.deepEqual(meta.versions, ['1', '2']);
  });

  it('the poll swaps a newly published version in by itself', async () => {
    const source = new MemorySource();
    source.publish('m', kmeansModel());
    server = await startModelServer({ port: 0, models: ['m'], store: source, pollMs: 20 });
    await server.refresh();
    const swapped = once(server.events, 'version');
    source.publish('m', kmeansModel(SHIFT));
    assert.deepEqual(await swapped, ['m', 2]);
    const r = await infer(server.url, '/v2/models/m/infer', [ROW]);
    assert.deepEqual([r.body.model_version, r.body.outputs[0].data], ['2', [kmeansOracle(ROW[0]!, ROW[1]!, SHIFT)]]);
  });

  it('while the source is down, a cached model answers from memory without calling it; an uncached one gets 503; after it is back, the new version is served', async () => {
    const source = new MemorySource();
    source.publish('m', kmeansModel());
    source.publish('other', kmeansModel());
    server = await startModelServer({ port: 0, models: ['m'], store: source, pollMs: 0 });
    await server.refresh();
    source.down = true;
    const errors: unknown[] = [];
    server.events.on('pollError', (_n, e) => errors.push(e));
    await server.refresh();
    assert.equal(errors.length, 1, 'the failed poll is reported');
    const before = { ...source.calls };
    for (let i = 0; i < 20; i++) {
      const r = await infer(server.url, '/v2/models/m/infer', [[i, 0]]);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.outputs[0].data, [kmeansOracle(i, 0)]);
    }
    assert.deepEqual(source.calls, before, 'answers from the cache make no source call');
    assert.deepEqual((await fetch(`${server.url}/v2/health/ready`)).status, 200);
    const other = await infer(server.url, '/v2/models/other/infer', [ROW]);
    assert.equal(other.status, 503);
    assert.match(other.body.error, /model 'other' is not loaded and the DSO did not answer/);
    source.publish('m', kmeansModel(SHIFT));
    source.down = false;
    await server.refresh();
    const r = await infer(server.url, '/v2/models/m/infer', [ROW]);
    assert.deepEqual([r.body.model_version, r.body.outputs[0].data], ['2', [kmeansOracle(ROW[0]!, ROW[1]!, SHIFT)]]);
    // Down again: the replaced version 1, asked for by number, is still answered from memory.
    source.down = true;
    const v1 = await infer(server.url, '/v2/models/m/versions/1/infer', [ROW]);
    assert.deepEqual([v1.status, v1.body.model_version, v1.body.outputs[0].data], [200, '1', [kmeansOracle(ROW[0]!, ROW[1]!)]]);
  });
});
