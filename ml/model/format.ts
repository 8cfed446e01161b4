/**
 * The one model format every part of crucial/ml shares (training, the store, serving, Python):
 * named numeric arrays plus JSON metadata. It is language-neutral on purpose: a model is what its
 * arrays and JSON say, so a reader in another language needs no code of ours, only ml/model/FORMAT.md.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';

/** The format tag every model carries; a reader refuses any other. */
export const MODEL_FORMAT = 'crucial-model/1';

/** Element type of a model array. */
export type ModelDType = 'float64' | 'int32';

/** One named array of a model: row-major data of `shape`'s product elements. */
export interface ModelArray {
  /** Element type; `data` is a Float64Array for float64, an Int32Array for int32. */
  dtype: ModelDType;
  /** Dimensions (1-D `[n]`, 2-D `[rows, cols]`, ...). */
  shape: number[];
  /** The elements, row-major. */
  data: Float64Array | Int32Array;
}

/** The algorithms a model may come from. */
export type Algorithm = 'kmeans' | 'logistic_regression' | 'random_forest';

/** The algorithms {@link validateModel} accepts. */
export const ALGORITHMS: readonly Algorithm[] = ['kmeans', 'logistic_regression', 'random_forest'];

/** A trained model: what predict needs, and nothing else (no code, no closures). */
export interface Model {
  /** Always {@link MODEL_FORMAT}. */
  format: typeof MODEL_FORMAT;
  /** Set by `ModelStore.publish`. */
  name?: string;
  /** Set by `ModelStore.publish` (1, 2, ...). */
  version?: number;
  /** Which algorithm's predict reads the arrays. */
  algorithm: Algorithm;
  /** Hyper-parameters (JSON). */
  params: Record<string, unknown>;
  /** JSON: `nFeatures` (required), `classes` (classifiers), `lossHistory`, `inertia`, `nIter`, `oobScore`, ... */
  meta: Record<string, unknown>;
  /** The named arrays. */
  arrays: Record<string, ModelArray>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * Checks that a value is a well-formed model and returns it typed. JSON parts must survive a JSON
 * round trip (they are stored as JSON text), and each array's length must match its shape.
 * @param m the candidate
 * @throws {BadArgumentError} naming the first thing that is wrong
 */
export function validateModel(m: unknown): Model {
  if (!isRecord(m)) throw new BadArgumentError('a model must be an object');
  if (m.format !== MODEL_FORMAT) throw new BadArgumentError(`model.format must be '${MODEL_FORMAT}', got ${JSON.stringify(m.format)}`);
  if (!ALGORITHMS.includes(m.algorithm as Algorithm)) throw new BadArgumentError(`model.algorithm must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(m.algorithm)}`);
  if (m.name !== undefined && (typeof m.name !== 'string' || m.name.length === 0)) throw new BadArgumentError('model.name must be a non-empty string when set');
  if (m.version !== undefined && !(Number.isSafeInteger(m.version) && (m.version as number) > 0)) throw new BadArgumentError('model.version must be a positive integer when set');
  for (const part of ['params', 'meta'] as const) {
    if (!isRecord(m[part])) throw new BadArgumentError(`model.${part} must be a plain object`);
    checkJson(m[part], `model.${part}`);
  }
  const meta = m.meta as Record<string, unknown>;
  if (!(Number.isSafeInteger(meta.nFeatures) && (meta.nFeatures as number) > 0)) throw new BadArgumentError('model.meta.nFeatures must be a positive integer');
  if (meta.classes !== undefined && !(Array.isArray(meta.classes) && meta.classes.every((c) => typeof c === 'number' && Number.isFinite(c)))) {
    throw new BadArgumentError('model.meta.classes must be an array of finite numbers');
  }
  if (!isRecord(m.arrays)) throw new BadArgumentError('model.arrays must be an object of named arrays');
  for (const [name, a] of Object.entries(m.arrays)) checkArray(a, name);
  return m as unknown as Model;
}

function checkArray(a: unknown, name: string): void {
  const what = `model.arrays.${name}`;
  if (name.length === 0 || name.includes('/')) throw new BadArgumentError(`array names must be non-empty and contain no '/', got ${JSON.stringify(name)}`);
  if (!isRecord(a)) throw new BadArgumentError(`${what} must be {dtype, shape, data}`);
  if (a.dtype !== 'float64' && a.dtype !== 'int32') throw new BadArgumentError(`${what}.dtype must be 'float64' or 'int32', got ${JSON.stringify(a.dtype)}`);
  if (!Array.isArray(a.shape) || a.shape.length === 0 || !a.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new BadArgumentError(`${what}.shape must be a non-empty array of non-negative integers`);
  }
  const Expected = a.dtype === 'float64' ? Float64Array : Int32Array;
  if (!(a.data instanceof Expected)) throw new BadArgumentError(`${what}.data must be a ${Expected.name} for dtype ${a.dtype}`);
  const n = (a.shape as number[]).reduce((p, d) => p * d, 1);
  if (a.data.length !== n) throw new BadArgumentError(`${what} has ${a.data.length} elements, its shape [${(a.shape as number[]).join(', ')}] needs ${n}`);
}

/** JSON parts are stored as JSON text: anything JSON.stringify would drop or change is refused here, not lost later. */
function checkJson(v: unknown, path: string): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new BadArgumentError(`${path} is ${v}: JSON has no NaN or Infinity`);
    return;
  }
  if (Array.isArray(v)) { v.forEach((x, i) => checkJson(x, `${path}[${i}]`)); return; }
  if (isRecord(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) checkJson(x, `${path}.${k}`);
    return;
  }
  throw new BadArgumentError(`${path} is not JSON (${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v})`);
}

/** The number of elements a shape holds. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
