/**
 * `ml.fit` (PROTOCOL.md §11.2): trains one of ml/'s algorithms as cloud threads and publishes the
 * model in the node's model store. The trainers (ml/<alg>/fit.ts) and the store load on the first fit
 * only, so a node that never trains loads none of ml/, apache-arrow or the worker pool for it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BadArgumentError, IllegalStateError } from '../../../core/protocol/errors.ts';
import type { FitJobResult } from '../../../core/protocol/jobs.ts';
import { looksLikeTable } from '../../../core/protocol/wire/arrow.ts';
import { arg, describe } from '../../registry.ts';
import type { JobContext, JobKind } from './kinds.ts';
import { checkName } from '../../../ml/model/layout.ts';

/**
 * Set when this file runs compiled to CommonJS (tsx under mocha), as in dso/node.ts: there a dynamic
 * import would load second copies of the error classes and of the client context (a trainer's
 * BadArgumentError would then leave as ERR_REMOTE). The bundler sees no require() and inlines the imports.
 */
const cjsRequire = typeof __filename === 'string' && __filename !== (globalThis as { __filename?: unknown }).__filename ? createRequire(__filename) : undefined;

type Check = (v: unknown, what: string) => unknown;

const num: Check = (v, what) => arg.number(v, what);
const posInt: Check = (v, what) => arg.positiveInt(v, what);
const bool: Check = (v, what) => arg.bool(v, what);
const nonNegNum: Check = (v, what) => { const n = arg.number(v, what); if (!(n >= 0)) throw new BadArgumentError(`${what} must be >= 0, got ${n}`); return n; };
const posNum: Check = (v, what) => { const n = arg.number(v, what); if (!(n > 0)) throw new BadArgumentError(`${what} must be > 0, got ${n}`); return n; };
const int: Check = (v, what) => arg.int(v, what);
const oneOf = (...values: string[]): Check => (v, what) => {
  if (typeof v !== 'string' || !values.includes(v)) throw new BadArgumentError(`${what} must be one of ${values.map((s) => `'${s}'`).join(', ')}, got ${describe(v)}`);
  return v;
};
const nullable = (c: Check): Check => (v, what) => (v === null ? null : c(v, what));
const maxFeatures: Check = (v, what) => {
  if (v === null || v === 'sqrt' || v === 'log2') return v;
  const n = arg.number(v, what);
  if (!(n > 0)) throw new BadArgumentError(`${what} must be 'sqrt', 'log2', null, a fraction in (0, 1] or a positive integer, got ${n}`);
  return n;
};
const classWeight: Check = (v, what) => {
  if (v === null || v === 'balanced') return v;
  if (typeof v !== 'object' || Array.isArray(v)) throw new BadArgumentError(`${what} must be 'balanced', null or a map class → weight, got ${describe(v)}`);
  for (const [k, w] of Object.entries(v as Record<string, unknown>)) posNum(w, `${what}[${k}]`);
  return v;
};

/** Each algorithm's parameters (the contract's names, ML-CONTRACT.md "Training") and their checks. */
const PARAMS: Record<string, Record<string, Check>> = {
  kmeans: { k: posInt, nInit: posInt, maxIter: posInt, tol: nonNegNum, seed: int },
  logistic_regression: { C: posNum, maxIter: posInt, tol: nonNegNum, multiClass: oneOf('auto', 'multinomial'), fitIntercept: bool },
  random_forest: {
    nEstimators: posInt, criterion: oneOf('gini', 'entropy'), maxDepth: nullable(posInt), minSamplesSplit: posInt, minSamplesLeaf: posInt,
    maxFeatures, bootstrap: bool, oobScore: bool, classWeight, seed: int,
  },
};
const REQUIRED: Record<string, string[]> = { kmeans: ['k'], logistic_regression: [], random_forest: [] };

function validateFit(args: Record<string, unknown>): Record<string, unknown> {
  const algorithm = arg.string(args.algorithm, 'ml.fit(algorithm)');
  const checks = PARAMS[algorithm];
  if (!checks) throw new BadArgumentError(`ml.fit(algorithm) must be one of ${Object.keys(PARAMS).join(', ')}, got "${algorithm}"`);
  const params = args.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new BadArgumentError(`ml.fit(params) must be a map, got ${describe(params)}`);
  for (const [k, v] of Object.entries(params)) {
    const check = checks[k];
    if (!check) throw new BadArgumentError(`ml.fit: ${algorithm} has no parameter "${k}"; it takes ${Object.keys(checks).join(', ')}`);
    if (v !== undefined) check(v, `ml.fit(params.${k})`);
  }
  for (const k of REQUIRED[algorithm]!) {
    if ((params as Record<string, unknown>)[k] === undefined) throw new BadArgumentError(`ml.fit: ${algorithm} needs parameter "${k}"`);
  }
  if (args.modelName === undefined || args.modelName === null) throw new BadArgumentError('ml.fit(modelName) is required: the model is published under it');
  checkName(args.modelName);
  if (args.workers !== undefined && args.workers !== null) arg.positiveInt(args.workers, 'ml.fit(workers)');
  if (args.minRowsPerPartition !== undefined && args.minRowsPerPartition !== null) {
    const m = arg.int(args.minRowsPerPartition, 'ml.fit(minRowsPerPartition)');
    if (m < 0) throw new BadArgumentError(`ml.fit(minRowsPerPartition) must be >= 0, got ${m}`);
  }
  const label = args.label === undefined || args.label === null ? 'y' : arg.string(args.label, 'ml.fit(label)');
  const data = args.data;
  // The table is converted (and checked) here, once: the job runs on the converted rows.
  let dataset: unknown;
  if (typeof data === 'string') {
    if (!existsSync(data)) throw new BadArgumentError(`ml.fit(data): no file "${data}" on the node's machine`);
    dataset = data;
  } else if (looksLikeTable(data)) {
    dataset = tableToDataset(data as ArrowTable, label, algorithm !== 'kmeans');
  } else {
    throw new BadArgumentError(`ml.fit(data) must be an Arrow table (attachment) or the path of an Arrow file, got ${describe(data)}`);
  }
  return { ...args, params, label, data: dataset };
}

interface ArrowTable {
  numRows: number;
  schema: { fields: { name: string; typeId: number }[] };
  getChild(name: string): { toArray(): ArrayLike<number | bigint>; nullCount: number } | null;
}

/** The contract's Dataset (ml/data), row-major, from a table: every numeric column but the label is a feature. */
export function tableToDataset(table: ArrowTable, label: string, needsLabel: boolean): { X: Float64Array; y?: Float64Array; nRows: number; nCols: number; featureNames: string[] } {
  const numeric = table.schema.fields.filter((f) => f.typeId === 2 || f.typeId === 3);
  const features = numeric.filter((f) => f.name !== label).map((f) => f.name);
  const hasLabel = numeric.some((f) => f.name === label);
  if (needsLabel && !hasLabel) throw new BadArgumentError(`ml.fit(data) has no numeric label column "${label}"`);
  if (features.length === 0) throw new BadArgumentError('ml.fit(data) has no numeric feature column');
  const nRows = table.numRows;
  if (nRows === 0) throw new BadArgumentError('ml.fit(data) has no rows');
  const nCols = features.length;
  const X = new Float64Array(nRows * nCols);
  features.forEach((name, j) => {
    const col = table.getChild(name)!;
    if (col.nullCount > 0) throw new BadArgumentError(`ml.fit(data) column "${name}" holds nulls`);
    const v = col.toArray();
    for (let i = 0; i < nRows; i++) {
      const x = Number(v[i]);
      if (!Number.isFinite(x)) throw new BadArgumentError(`ml.fit(data) column "${name}" holds a non-finite value at row ${i}`);
      X[i * nCols + j] = x;
    }
  });
  let y: Float64Array | undefined;
  if (hasLabel) {
    const col = table.getChild(label)!;
    if (col.nullCount > 0) throw new BadArgumentError(`ml.fit(data) label column "${label}" holds nulls`);
    y = Float64Array.from(col.toArray(), Number);
  }
  return { X, y, nRows, nCols, featureNames: features };
}

/**
 * The trainers run against the process's crucial client (ModelStore and ServerlessExecutorService
 * use it): it must be this node. A process that hosts the node and points its client elsewhere
 * cannot train here.
 */
async function useThisNode(address: string): Promise<void> {
  const current = process.env.CRUCIAL_DSO;
  if (current === address) return;
  if (current) {
    throw new IllegalStateError(`this node (${address}) runs in a process whose crucial client uses another node (CRUCIAL_DSO=${current}); ml.fit jobs need them to be the same`);
  }
  const { useDso } = (cjsRequire ? cjsRequire('../../../core/client/context.ts') : await import('../../../core/client/context.ts')) as typeof import('../../../core/client/context.ts');
  await useDso(address);
}

type Fit = (data: unknown, params: Record<string, unknown>, opts: { workers?: number; minRowsPerPartition?: number; signal?: AbortSignal; onProgress?: (p: { step: number; total?: number; metric?: number; label: string }) => void }) => Promise<{ meta: Record<string, unknown> }>;

async function trainer(algorithm: string): Promise<Fit> {
  switch (algorithm) {
    case 'kmeans': return ((cjsRequire ? cjsRequire('../../../ml/kmeans/fit.ts') : await import('../../../ml/kmeans/fit.ts')) as typeof import('../../../ml/kmeans/fit.ts')).fitKMeans as unknown as Fit;
    case 'logistic_regression': return ((cjsRequire ? cjsRequire('../../../ml/logreg/fit.ts') : await import('../../../ml/logreg/fit.ts')) as typeof import('../../../ml/logreg/fit.ts')).fitLogisticRegression as unknown as Fit;
    default: return ((cjsRequire ? cjsRequire('../../../ml/forest/fit.ts') : await import('../../../ml/forest/fit.ts')) as typeof import('../../../ml/forest/fit.ts')).fitRandomForest as unknown as Fit;
  }
}

/** The `ml.fit` job kind. */
export const mlFitJob: JobKind = {
  validate: validateFit,
  async run(ctx: JobContext): Promise<FitJobResult> {
    const { algorithm, params, data, modelName, workers, minRowsPerPartition } = ctx.args as {
      algorithm: string; params: Record<string, unknown>; data: unknown; modelName: string; workers?: number; minRowsPerPartition?: number;
    };
    await useThisNode(ctx.dso);
    const fit = await trainer(algorithm);
    // The job's signal cancels the training itself: its cloud threads stop at their next iteration or tree.
    const model = await fit(data, params, { workers: workers ?? undefined, minRowsPerPartition: minRowsPerPartition ?? undefined, signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
    // A cancelled fit publishes nothing: the store's latest version stays the one before.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const { ModelStore } = (cjsRequire ? cjsRequire('../../../ml/model/store.ts') : await import('../../../ml/model/store.ts')) as typeof import('../../../ml/model/store.ts');
    const version = await new ModelStore().publish(modelName, model as never);
    return { modelName, version, meta: model.meta };
  },
};
