/**
 * ml serve - every Open Inference Protocol endpoint answers as the spec says, with exact
 * predictions of hand-built models, and the V2 error body with 404 / 400 for what is wrong.
 */
import { strict as assert } from 'node:assert';
import { startModelServer, type ModelServer } from '../../../ml/serve/server.ts';
import { MemorySource, kmeansModel, kmeansOracle, logregModel, logregOracle } from './models.ts';

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
}

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) };
}

describe('ml serve - Open Inference Protocol endpoints', () => {
  const source = new MemorySource();
  let server: ModelServer;
  let base: string;

  before(async () => {
    source.publish('blobs', kmeansModel());
    source.publish('clf', logregModel(0.25));
    source.publish('clf', logregModel(-1));
    server = await startModelServer({ port: 0, models: ['blobs', 'clf'], store: source, pollMs: 0, batchSize: 1 });
    base = server.url;
    await server.refresh();
  });
  after(async () => { await server?.close(); });

  it('health: live and ready answer 200 with their JSON', async () => {
    assert.deepEqual(await get(`${base}/v2/health/live`), { status: 200, body: { live: true } });
    assert.deepEqual(await get(`${base}/v2/health/ready`), { status: 200, body: { ready: true } });
  });

  it('server metadata names the server and the binary tensor extension', async () => {
    const { status, body } = await get(`${base}/v2`);
    assert.equal(status, 200);
    assert.equal(body.name, 'crucial');
    assert.equal(typeof body.version, 'string');
    assert.deepEqual(body.extensions, ['binary_tensor_data', 'model_repository']);
  });

  it('model metadata: latest version, versions, inputs and outputs of a classifier and of k-means', async () => {
    const clf = await get(`${base}/v2/models/clf`);
    assert.equal(clf.status, 200);
    assert.deepEqual(clf.body.versions, ['1', '2']);
    assert.equal(clf.body.platform, 'crucial_logistic_regression');
    assert.deepEqual(clf.body.inputs, [{ name: 'input-0', datatype: 'FP64', shape: [-1, 3] }]);
    assert.deepEqual(clf.body.outputs, [
      { name: 'predict', datatype: 'INT64', shape: [-1, 1] },
      { name: 'predict_proba', datatype: 'FP64', shape: [-1, 2] },
    ]);
    assert.equal(clf.body.parameters.version, '2');
    const km = await get(`${base}/v2/models/blobs/versions/1`);
    assert.equal(km.status, 200);
    assert.deepEqual(km.body.outputs, [{ name: 'predict', datatype: 'INT64', shape: [-1, 1] }]);
    assert.deepEqual(km.body.inputs[0].shape, [-1, 2]);
  });

  it('repository index: every published model, the loaded ones READY with their version', async () => {
    source.publish('unloaded', kmeansModel());
    const r = await post(`${base}/v2/repository/index`, '');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, [
      { name: 'blobs', version: '1', state: 'READY' },
      { name: 'clf', version: '2', state: 'READY' },
      { name: 'unloaded', state: 'UNAVAILABLE', reason: 'not loaded yet: loads on first request' },
    ]);
  });

  it('model ready, latest and versioned', async () => {
    assert.deepEqual(await get(`${base}/v2/models/clf/ready`), { status: 200, body: { name: 'clf', ready: true } });
    assert.deepEqual(await get(`${base}/v2/models/clf/versions/1/ready`), { status: 200, body: { name: 'clf', ready: true } });
  });

  it('infer k-means: each row gets its nearest centroid, shape [n, 1], the request id echoed', async () => {
    const rows = [[1, 1], [9, -1], [-2, 8], [6, 0.5], [4.9, 0]];
    const { status, body } = await post(`${base}/v2/models/blobs/infer`, { id: 'req-1', inputs: [{ name: 'x', shape: [5, 2], datatype: 'FP64', data: rows.flat() }] });
    assert.equal(status, 200);
    assert.equal(body.model_name, 'blobs');
    assert.equal(body.model_version, '1');
    assert.equal(body.id, 'req-1');
    assert.equal(body.outputs.length, 1);
    assert.deepEqual({ ...body.outputs[0], parameters: undefined }, {
      name: 'predict', shape: [5, 1], datatype: 'INT64', parameters: undefined, data: rows.map(([x, y]) => kmeansOracle(x!, y!)),
    });
  });

  it('infer logistic regression: labels are class values, predict_proba when asked for, nested data accepted', async () => {
    const rows = [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 2], [-3, -1, 4]];
    const { status, body } = await post(`${base}/v2/models/clf/versions/1/infer`, {
      inputs: [{ name: 'x', shape: [4, 3], datatype: 'FP32', data: rows }],
      outputs: [{ name: 'predict' }, { name: 'predict_proba' }],
    });
    assert.equal(status, 200);
    assert.equal(body.model_version, '1');
    const [labels, proba] = body.outputs;
    assert.deepEqual(labels.data, rows.map((r) => logregOracle(r, 0.25).label));
    assert.equal(proba.name, 'predict_proba');
    assert.deepEqual(proba.shape, [4, 2]);
    assert.equal(proba.datatype, 'FP64');
    rows.forEach((r, i) => {
      const [p0, p1] = logregOracle(r, 0.25).proba;
      assert.ok(Math.abs(proba.data[2 * i] - p0) < 1e-12 && Math.abs(proba.data[2 * i + 1] - p1) < 1e-12, `row ${i}`);
    });
  });

  it('infer without a version uses the latest; INT64 inputs are read as numbers', async () => {
    const row = [2, 1, 0];
    const { body } = await post(`${base}/v2/models/clf/infer`, { inputs: [{ name: 'x', shape: [1, 3], datatype: 'INT64', data: row }] });
    assert.equal(body.model_version, '2');
    // intercept -1: z = 2 - 2 + 0 - 1 < 0 → class 3; with v1's +0.25 it would be 7... check both oracles differ.
    assert.equal(body.outputs[0].data[0], logregOracle(row, -1).label);
    assert.notEqual(logregOracle(row, -1).label, logregOracle(row, 0.25).label);
  });

  it('zero rows: empty outputs of shape [0, 1] and [0, classes]', async () => {
    const { status, body } = await post(`${base}/v2/models/clf/infer`, { inputs: [{ name: 'x', shape: [0, 3], datatype: 'FP64', data: [] }], outputs: [{ name: 'predict' }, { name: 'predict_proba' }] });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.outputs.map((o: any) => [o.shape, o.data]), [[[0, 1], []], [[0, 2], []]]);
  });

  it('binary tensor data extension: FP32 input bytes in, FP64 and INT64 output bytes out', async () => {
    const rows = [[1, 0, 0], [0, 1, 0]];
    const raw = Buffer.from(Float32Array.from(rows.flat()).buffer);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'x', shape: [2, 3], datatype: 'FP32', parameters: { binary_data_size: raw.length } }],
      outputs: [{ name: 'predict', parameters: { binary_data: true } }, { name: 'predict_proba', parameters: { binary_data: true } }],
    }));
    const r = await fetch(`${base}/v2/models/clf/versions/1/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, raw]),
    });
    assert.equal(r.status, 200);
    const buf = Buffer.from(await r.arrayBuffer());
    const n = Number(r.headers.get('inference-header-content-length'));
    const json = JSON.parse(buf.subarray(0, n).toString());
    assert.deepEqual(json.outputs.map((o: any) => [o.name, o.datatype, o.parameters.binary_data_size, o.data]), [
      ['predict', 'INT64', 16, undefined], ['predict_proba', 'FP64', 32, undefined],
    ]);
    const labels = new BigInt64Array(buf.buffer.slice(buf.byteOffset + n, buf.byteOffset + n + 16));
    const proba = new Float64Array(buf.buffer.slice(buf.byteOffset + n + 16, buf.byteOffset + n + 48));
    assert.deepEqual([...labels].map(Number), rows.map((row) => logregOracle(row).label));
    assert.ok(Math.abs(proba[1]! - logregOracle(rows[0]!).proba[1]) < 1e-12);
  });

  describe('errors: the V2 error body', () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['a name no model can have', '/v2/models/bad%20name/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] }, 404, /model 'bad name' not found: a model name must/],
      ['unknown model', '/v2/models/nope/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] }, 404, /model 'nope' not found/],
      ['unknown version', '/v2/models/blobs/versions/9/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] }, 404, /version 9 of model 'blobs' not found/],
      ['a version that is not a number', '/v2/models/blobs/versions/latest/infer', { inputs: [] }, 404, /version 'latest'/],
      ['a 1-D shape', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [2], datatype: 'FP64', data: [1, 2] }] }, 400, /shape must be \[rows, 2\]/],
      ['the wrong feature count', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] }, 400, /takes 2 features per row/],
      ['data that does not fill the shape', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3] }] }, 400, /3 values for shape \[2, 2\]/],
      ['a BYTES datatype', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'BYTES', data: ['a', 'b'] }] }, 400, /datatype "BYTES" is not a numeric/],
      ['an unknown datatype', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP128', data: [1, 2] }] }, 400, /datatype "FP128"/],
      ['a string among numbers', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, '2'] }] }, 400, /element "2" is not a number/],
      ['two inputs', '/v2/models/blobs/infer', { inputs: [{ name: 'a', shape: [1, 2], datatype: 'FP64', data: [1, 2] }, { name: 'b', shape: [1, 2], datatype: 'FP64', data: [1, 2] }] }, 400, /one input tensor/],
      ['no inputs array', '/v2/models/blobs/infer', { outputs: [] }, 400, /'inputs' array/],
      ['an unknown output', '/v2/models/clf/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }], outputs: [{ name: 'transform' }] }, 400, /"transform" was asked for/],
      ['predict_proba of k-means', '/v2/models/blobs/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [1, 2] }], outputs: [{ name: 'predict_proba' }] }, 400, /kmeans models do not support 'predict_proba'/],
      ['a body that is not JSON', '/v2/models/blobs/infer', '{"inputs": [', 400, /not a JSON inference request/],
    ];
    for (const [what, path, body, status, message] of cases) {
      it(`${status} for ${what}`, async () => {
        const r = await post(`${base}${path}`, body);
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.deepEqual(Object.keys(r.body), ['error']);
        assert.match(r.body.error, message);
      });
    }

    it('404 for metadata and readiness of an unknown model or version, and an unknown route', async () => {
      for (const path of ['/v2/models/nope', '/v2/models/nope/ready', '/v2/models/clf/versions/3', '/v2/models/clf/versions/3/ready', '/v2/nothing']) {
        const r = await get(`${base}${path}`);
        assert.equal(r.status, 404, path);
        assert.equal(typeof r.body.error, 'string', path);
      }
    });

    it('400 for binary data sizes that do not fit the body', async () => {
      const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', parameters: { binary_data_size: 16 } }] }));
      const r = await post(`${base}/v2/models/blobs/infer`, Buffer.concat([header, Buffer.alloc(8)]), { 'inference-header-content-length': String(header.length) });
      assert.equal(r.status, 400);
      assert.match(r.body.error, /binary_data_size 16 does not fit the 8 bytes/);
    });
  });

  it('ready is 503 until every listed model is loaded', async () => {
    const empty = new MemorySource();
    const s = await startModelServer({ port: 0, models: ['later'], store: empty, pollMs: 0 });
    try {
      await s.refresh();
      assert.deepEqual(await get(`${s.url}/v2/health/ready`), { status: 503, body: { ready: false } });
      empty.publish('later', kmeansModel());
      await s.refresh();
      assert.deepEqual(await get(`${s.url}/v2/health/ready`), { status: 200, body: { ready: true } });
    } finally {
      await s.close();
    }
  });

  it('options are validated with precise messages', async () => {
    await assert.rejects(startModelServer({ port: 0, batchSize: 0, store: source }), /options.batchSize must be an integer in 1\.\./);
    await assert.rejects(startModelServer({ port: 70000, store: source }), /options.port must be an integer in 0\.\.65535/);
    await assert.rejects(startModelServer({ port: 0, pollMs: -1, store: source }), /options.pollMs/);
  });
});
