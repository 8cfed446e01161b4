/**
 * Where a model lives in the DSO: object types, keys and value encodings. ml/model/FORMAT.md is
 * the normative text (the Python bridge reads and publishes models by it); these are its names.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { MODEL_FORMAT, type Algorithm, type ModelDType } from './format.ts';

/** `AtomicMap`: model name → its latest committed version (a number). Updated with `merge(name, v, 'max')`: the commit point of a publish. */
export const INDEX_KEY = 'ml/models';

/** `AtomicMap`: version (a number) → the manifest of that version as JSON text; an entry exists once every array of the version is written. */
export const versionsKey = (name: string): string => `ml/model/${name}/versions`;

/** `AtomicLong`: the last version number handed out (versions are allocated by `incrementAndGet`, never reused). */
export const counterKey = (name: string): string => `ml/model/${name}/next`;

/** `AtomicMatrix`: one array of one version, float64 row-major, written once and never changed. */
export const arrayKey = (name: string, version: number, array: string): string => `ml/model/${name}/v${version}/${array}`;

/** Model names: what fits a URL path segment and a DSO key without quoting (KServe-style). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a model name.
 * @throws {BadArgumentError} if it is not 1-128 characters of letters, digits, `.`, `_`, `-` starting with a letter or digit
 */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new BadArgumentError(`a model name must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(name)}`);
  }
  return name;
}

/** One array's entry in a manifest. */
export interface ManifestArray {
  /** The array's dtype in the model (int32 arrays are stored as float64: exact below 2^53). */
  dtype: ModelDType;
  /** The array's shape in the model. */
  shape: number[];
  /** The AtomicMatrix holding it (float64, `[rows, cols]` = `[shape[0], product of the rest]`, `[n, 1]` for 1-D); null for an empty array, which is not stored. */
  key: string | null;
}

/** The JSON text stored per version: the model minus its array data, plus where each array is. */
export interface Manifest {
  format: typeof MODEL_FORMAT;
  name: string;
  version: number;
  algorithm: Algorithm;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  arrays: Record<string, ManifestArray>;
  /** ISO-8601 time of the publish (informational). */
  publishedAt: string;
}

/** The AtomicMatrix dimensions an array of `shape` is stored with; null when it has no element. */
export function matrixShape(shape: readonly number[]): [number, number] | null {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n === 0) return null;
  return [shape[0]!, n / shape[0]!];
}
