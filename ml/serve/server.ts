/**
 * The model server: the Open Inference Protocol (KServe V2) REST API over the models in the DSO, on
 * fastify. Existing clients (tritonclient.http, KServe's and MLServer's) work unchanged, including
 * Triton's binary tensor data extension that tritonclient uses by default. Outputs follow MLServer's
 * scikit-learn runtime: `predict` by default, `predict_proba` when asked for by name (classifiers).
 */
import type { EventEmitter } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidOptionError } from '../../core/protocol/errors.ts';
import { ModelCache, type ModelSource, type PredictFn, type ServedModel } from './model-cache.ts';
import type { BatchStats } from './batcher.ts';
import { V2HttpError, badRequest, notFound } from './http-error.ts';
import { decodeFeatures, encodeOutput, type EncodedOutput } from './tensor.ts';
import {
  EXTENSIONS, HEADER_LENGTH, PREDICT_OUTPUT, PREDICT_PROBA_OUTPUT,
  type V2InferenceRequest, type V2InferenceResponse, type V2ModelMetadata, type V2RequestOutput,
} from './protocol.ts';

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 8080, 0 picks a free one. */
  port?: number;
  /**
   * Models loaded at start (the server is ready once they are); others are loaded on first request.
   * Default: none listed, every model in the DSO is servable on demand.
   */
  models?: string[];
  /** Rows per predict call at most when batching concurrent requests; 1 turns micro-batching off. Default 64. */
  batchSize?: number;
  /** How long a batch waits for more requests, µs; 0 = the requests of one event-loop turn. Default 0. */
  batchWaitUs?: number;
  /** How often cached models are checked for a newer version, ms; 0 = never (call `refresh`). Default 1000. */
  pollMs?: number;
  /** Largest request body, bytes. Default 64 MiB. */
  bodyLimit?: number;
  /** Where models come from; default a `ModelStore` on the process's DSO (CRUCIAL_DSO or the embedded node). */
  store?: ModelSource;
  /** Prediction function; default ml/model/predict.ts's. */
  predict?: PredictFn;
}

/** A running model server. */
export interface ModelServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Port bound. */
  port: number;
  /** Checks the DSO for newer versions now; resolves when done (the poll does the same every `pollMs`). */
  refresh(): Promise<void>;
  /** Micro-batching counters of the cached latest version of `model`. */
  stats(model: string): BatchStats | undefined;
  /**
   * `version` (name, version) when a model's new latest version goes live; `pollError` (name, error)
   * when a look for one failed (the DSO unreachable: the cached copy keeps answering).
   */
  events: EventEmitter;
  /** True once the latest version of `model` is in memory (answered without the DSO). */
  isCached(model: string): boolean;
  /** Stops listening and polling; answers what is in flight first. */
  close(): Promise<void>;
}

function checkCount(name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= min && v <= max)) {
    throw new InvalidOptionError(`options.${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
}

/**
 * Starts a model server.
 * @throws {InvalidOptionError} on an option out of range.
 */
export async function startModelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  checkCount('port', opts.port, 0, 65535);
  checkCount('batchSize', opts.batchSize, 1);
  checkCount('batchWaitUs', opts.batchWaitUs, 0, 60_000_000);
  checkCount('pollMs', opts.pollMs, 0);
  checkCount('bodyLimit', opts.bodyLimit, 1);
  const models = opts.models ?? [];
  // Loaded only when not given, so a server over another source does not load the DSO client.
  const store = opts.store ?? new (await import('../model/store.ts')).ModelStore();
  const predict = opts.predict ?? (await import('../model/predict.ts')).predict;
  const cache = new ModelCache(store, predict, {
    maxBatchSize: opts.batchSize ?? 64,
    maxWaitUs: opts.batchWaitUs ?? 0,
  });
  const app = await buildApp(cache, models, opts.bodyLimit ?? 64 * 1024 * 1024);
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  // Listed models load in the background: the server is live at once and ready when they are.
  void cache.refresh(models);
  const pollMs = opts.pollMs ?? 1000;
  const timer = pollMs > 0 ? setInterval(() => void cache.refresh(models), pollMs) : null;
  timer?.unref();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8080);
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    events: cache,
    isCached: (model) => cache.cached(model) !== undefined,
    refresh: () => cache.refresh(models),
    stats(model) {
      const m = cache.cached(model);
      return m ? { ...m.batcher.stats } : undefined;
    },
    async close() {
      if (timer) clearInterval(timer);
      cache.flush();
      await app.close();
    },
  };
}

function parseVersion(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,14}$/.test(v)) throw notFound(`version '${v}' of model '${name}' not found (versions are 1, 2, ...)`);
  return Number(v);
}

type ModelParams = { name: string; version?: string };

async function buildApp(cache: ModelCache, models: string[], bodyLimit: number): Promise<FastifyInstance> {
  // Loaded on start: importing crucial/ml (to train, or to use the store) does not load fastify.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit });
  // Bodies are read raw: a binary-extension request is JSON followed by tensor bytes, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setNotFoundHandler((req, reply) => { void reply.code(404).send({ error: `no route ${req.method} ${req.url}` }); });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err instanceof V2HttpError ? err.status : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(status).send({ error: err.message });
  });

  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    const ready = models.every((m) => cache.cached(m));
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2', async () => ({ name: 'crucial', version: SERVER_VERSION, extensions: EXTENSIONS }));
  // Triton's model repository extension, index only (loading and unloading are the DSO's business).
  app.post('/v2/repository/index', async () => cache.index());

  const served = (req: FastifyRequest<{ Params: ModelParams }>): Promise<ServedModel> =>
    cache.get(req.params.name, parseVersion(req.params.name, req.params.version));

  const metadata = async (req: FastifyRequest<{ Params: ModelParams }>) => describe(await served(req), cache.knownVersions(req.params.name));
  app.get<{ Params: ModelParams }>('/v2/models/:name', metadata);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version', metadata);

  const ready = async (req: FastifyRequest<{ Params: ModelParams }>) => ({ name: (await served(req)).name, ready: true });
  app.get<{ Params: ModelParams }>('/v2/models/:name/ready', ready);
  app.get<{ Params: ModelParams }>('/v2/models/:name/versions/:version/ready', ready);

  const infer = async (req: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => {
    const model = await served(req);
    return answer(reply, await runInference(model, req.body as Buffer | undefined, req.headers[HEADER_LENGTH]));
  };
  app.post<{ Params: ModelParams }>('/v2/models/:name/infer', infer);
  app.post<{ Params: ModelParams }>('/v2/models/:name/versions/:version/infer', infer);
  return app;
}

const SERVER_VERSION = '0.1.0';

/** `$metadata_model_response` of a served model. */
function describe(m: ServedModel, versions: number[]): V2ModelMetadata {
  const outputs: V2ModelMetadata['outputs'] = [{ name: PREDICT_OUTPUT, datatype: m.labelDatatype, shape: [-1, 1] }];
  if (m.classes) outputs.push({ name: PREDICT_PROBA_OUTPUT, datatype: 'FP64', shape: [-1, m.classes.length] });
  return {
    name: m.name,
    versions: versions.map(String),
    platform: `crucial_${m.model.algorithm}`,
    inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, m.nFeatures] }],
    outputs,
    parameters: { version: String(m.version), ...(m.classes ? { classes: m.classes } : {}) },
  };
}

interface InferenceResult {
  response: V2InferenceResponse;
  binaries: Uint8Array[];
}

async function runInference(m: ServedModel, body: Buffer | undefined, headerLength: string | string[] | undefined): Promise<InferenceResult> {
  const raw = body ?? Buffer.alloc(0);
  let jsonEnd = raw.length;
  if (headerLength !== undefined) {
    const n = Number(headerLength);
    if (!Number.isSafeInteger(n) || n < 0 || n > raw.length) throw badRequest(`Inference-Header-Content-Length ${String(headerLength)} does not fit a body of ${raw.length} bytes`);
    jsonEnd = n;
  }
  let request: V2InferenceRequest;
  try {
    request = JSON.parse(raw.toString('utf8', 0, jsonEnd)) as V2InferenceRequest;
  } catch (e) {
    throw badRequest(`the body is not a JSON inference request: ${(e as Error).message}`);
  }
  if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs)) throw badRequest("an inference request needs an 'inputs' array");
  if (request.inputs.length !== 1) throw badRequest(`model '${m.name}' takes one input tensor of shape [rows, ${m.nFeatures}], got ${request.inputs.length}`);
  const input = request.inputs[0]!;
  let binary: Uint8Array | undefined;
  const size = input.parameters?.binary_data_size;
  if (size !== undefined) {
    if (!(Number.isSafeInteger(size) && (size as number) >= 0 && jsonEnd + (size as number) <= raw.length)) {
      throw badRequest(`input '${input.name}': binary_data_size ${String(size)} does not fit the ${raw.length - jsonEnd} bytes after the JSON header`);
    }
    binary = raw.subarray(jsonEnd, jsonEnd + (size as number));
  }
  const wanted = requestedOutputs(m, request);
  const features = decodeFeatures(input, m.nFeatures, binary);
  const pred = await m.batcher.submit(features.X, features.nRows);
  const encoded: EncodedOutput[] = wanted.map(({ name, binary: bin }) => name === PREDICT_OUTPUT
    ? encodeOutput(name, pred.labels, [features.nRows, 1], m.labelDatatype, bin)
    : encodeOutput(name, pred.proba!, [features.nRows, m.classes!.length], 'FP64', bin));
  const response: V2InferenceResponse = {
    model_name: m.name,
    model_version: String(m.version),
    ...(typeof request.id === 'string' ? { id: request.id } : {}),
    outputs: encoded.map((e) => e.output),
  };
  return { response, binaries: encoded.flatMap((e) => (e.binary ? [e.binary] : [])) };
}

/** The outputs to send (MLServer: `predict` unless named) and whether each goes as binary data. */
function requestedOutputs(m: ServedModel, request: V2InferenceRequest): Array<{ name: string; binary: boolean }> {
  const allBinary = request.parameters?.binary_data_output === true;
  const outs: V2RequestOutput[] = Array.isArray(request.outputs) && request.outputs.length > 0 ? request.outputs : [{ name: PREDICT_OUTPUT }];
  return outs.map((o) => {
    if (o?.name !== PREDICT_OUTPUT && o?.name !== PREDICT_PROBA_OUTPUT) {
      throw badRequest(`model '${m.name}' has outputs '${PREDICT_OUTPUT}' and '${PREDICT_PROBA_OUTPUT}' (${JSON.stringify(o?.name)} was asked for)`);
    }
    if (o.name === PREDICT_PROBA_OUTPUT && !m.classes) throw badRequest(`${m.model.algorithm} models do not support '${PREDICT_PROBA_OUTPUT}'`);
    const flag = o.parameters?.binary_data;
    return { name: o.name, binary: flag === true || (flag === undefined && allBinary) };
  });
}

function answer(reply: FastifyReply, r: InferenceResult): FastifyReply {
  if (r.binaries.length === 0) return reply.send(r.response);
  const header = Buffer.from(JSON.stringify(r.response));
  return reply
    .header('Inference-Header-Content-Length', String(header.length))
    .type('application/octet-stream')
    .send(Buffer.concat([header, ...r.binaries]));
}
