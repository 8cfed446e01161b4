/**
 * Hyper-parameters of the random forest, with scikit-learn's names (camelCase) and defaults, and
 * their checks: every bad value is refused up front with ERR_BAD_ARGUMENT, before any cloud thread
 * starts, so a typo never costs a whole fit.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';

/** `max_features`: how many features each split looks at. */
export type MaxFeatures = 'sqrt' | 'log2' | number | null;

/**
 * Parameters of {@link fitRandomForest} (scikit-learn's RandomForestClassifier, camelCase).
 * Numbers follow scikit-learn except where JavaScript cannot tell 1 from 1.0: an integer
 * `maxFeatures` is a count and a non-integer in (0, 1) a fraction (use `null` for all features).
 */
export interface ForestParams {
  /** Number of trees; default 100. */
  nEstimators?: number;
  /** Split quality; default 'gini'. */
  criterion?: 'gini' | 'entropy';
  /** Deepest level a node may sit at (root = 0); null (default) grows until leaves are pure. */
  maxDepth?: number | null;
  /** A node with fewer (distinct bootstrap) samples is a leaf: an integer >= 2, or a fraction in (0, 1]; default 2. */
  minSamplesSplit?: number;
  /** Each child keeps at least this many samples: an integer >= 1, or a fraction in (0, 0.5); default 1. */
  minSamplesLeaf?: number;
  /** Features tried per split; default 'sqrt' (scikit-learn's default for classifiers). */
  maxFeatures?: MaxFeatures;
  /** Draw each tree's rows with replacement; default true. */
  bootstrap?: boolean;
  /** Compute the out-of-bag accuracy (needs bootstrap); default false. */
  oobScore?: boolean;
  /** 'balanced' (n / (nClasses · count)), a weight per class value (keys are the class values as text; missing ones weigh 1), or null. */
  classWeight?: 'balanced' | Record<string, number> | null;
  /** Seed of the forest's random draws; the same seed and data give the same forest for any `workers`. Default 0. */
  seed?: number;
}

/** Parameters with every default filled in; JSON-safe (it is stored in the model's `params`). */
export interface ResolvedForestParams {
  nEstimators: number;
  criterion: 'gini' | 'entropy';
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxFeatures: MaxFeatures;
  bootstrap: boolean;
  oobScore: boolean;
  classWeight: 'balanced' | Record<string, number> | null;
  seed: number;
}

const KNOWN = new Set(['nEstimators', 'criterion', 'maxDepth', 'minSamplesSplit', 'minSamplesLeaf', 'maxFeatures', 'bootstrap', 'oobScore', 'classWeight', 'seed']);

/**
 * Fills defaults and checks every parameter.
 * @throws {BadArgumentError} naming the first bad parameter (unknown names included)
 */
export function resolveForestParams(p: ForestParams = {}): ResolvedForestParams {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new BadArgumentError('random forest params must be an object');
  for (const k of Object.keys(p)) if (!KNOWN.has(k)) throw new BadArgumentError(`unknown random forest parameter "${k}"`);
  const nEstimators = p.nEstimators ?? 100;
  if (!isPositiveInt(nEstimators)) throw new BadArgumentError(`nEstimators must be a positive integer, got ${show(nEstimators)}`);
  const criterion = p.criterion ?? 'gini';
  if (criterion !== 'gini' && criterion !== 'entropy') throw new BadArgumentError(`criterion must be 'gini' or 'entropy', got ${show(criterion)}`);
  const maxDepth = p.maxDepth ?? null;
  if (maxDepth !== null && !isPositiveInt(maxDepth)) throw new BadArgumentError(`maxDepth must be a positive integer or null, got ${show(maxDepth)}`);
  const minSamplesSplit = p.minSamplesSplit ?? 2;
  if (!(Number.isInteger(minSamplesSplit) ? minSamplesSplit >= 2 : isNum(minSamplesSplit) && minSamplesSplit > 0 && minSamplesSplit <= 1)) {
    throw new BadArgumentError(`minSamplesSplit must be an integer >= 2 or a fraction in (0, 1], got ${show(minSamplesSplit)}`);
  }
  const minSamplesLeaf = p.minSamplesLeaf ?? 1;
  if (!(Number.isInteger(minSamplesLeaf) ? minSamplesLeaf >= 1 : isNum(minSamplesLeaf) && minSamplesLeaf > 0 && minSamplesLeaf < 0.5)) {
    throw new BadArgumentError(`minSamplesLeaf must be an integer >= 1 or a fraction in (0, 0.5), got ${show(minSamplesLeaf)}`);
  }
  const maxFeatures = p.maxFeatures === undefined ? 'sqrt' : p.maxFeatures;
  if (!(maxFeatures === null || maxFeatures === 'sqrt' || maxFeatures === 'log2' || (isNum(maxFeatures) && maxFeatures > 0 && (Number.isInteger(maxFeatures) || maxFeatures < 1)))) {
    throw new BadArgumentError(`maxFeatures must be 'sqrt', 'log2', a positive integer, a fraction in (0, 1) or null, got ${show(maxFeatures)}`);
  }
  const bootstrap = p.bootstrap ?? true;
  if (typeof bootstrap !== 'boolean') throw new BadArgumentError(`bootstrap must be a boolean, got ${show(bootstrap)}`);
  const oobScore = p.oobScore ?? false;
  if (typeof oobScore !== 'boolean') throw new BadArgumentError(`oobScore must be a boolean, got ${show(oobScore)}`);
  if (oobScore && !bootstrap) throw new BadArgumentError('oobScore needs bootstrap: without it no row is out of bag');
  const classWeight = p.classWeight ?? null;
  if (classWeight !== null && classWeight !== 'balanced') {
    if (typeof classWeight !== 'object' || Array.isArray(classWeight)) throw new BadArgumentError(`classWeight must be 'balanced', an object of weights per class or null, got ${show(classWeight)}`);
    for (const [k, w] of Object.entries(classWeight)) {
      if (!Number.isFinite(Number(k))) throw new BadArgumentError(`classWeight key "${k}" is not a class value (a number)`);
      if (!isNum(w) || !(w >= 0)) throw new BadArgumentError(`classWeight["${k}"] must be a non-negative number, got ${show(w)}`);
    }
  }
  const seed = p.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new BadArgumentError(`seed must be an integer, got ${show(seed)}`);
  return { nEstimators, criterion, maxDepth, minSamplesSplit, minSamplesLeaf, maxFeatures, bootstrap, oobScore, classWeight, seed };
}

/**
 * The number of features a split tries, for `nCols` features (scikit-learn's rules).
 * @throws {BadArgumentError} if an integer `maxFeatures` exceeds `nCols`
 */
export function featuresPerSplit(maxFeatures: MaxFeatures, nCols: number): number {
  if (maxFeatures === null) return nCols;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nCols)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(nCols)));
  if (Number.isInteger(maxFeatures)) {
    if (maxFeatures > nCols) throw new BadArgumentError(`maxFeatures ${maxFeatures} exceeds the ${nCols} features of the data`);
    return maxFeatures;
  }
  return Math.max(1, Math.floor(maxFeatures * nCols));
}

/** An integer-or-fraction sample count resolved against `nRows` (scikit-learn: ceil(fraction · n)). */
export function sampleCount(v: number, nRows: number): number {
  return Number.isInteger(v) ? v : Math.ceil(v * nRows);
}

/**
 * The weight of each class index (classes sorted ascending), from `y`'s class indexes.
 * @throws {BadArgumentError} if a key of a weight map names no class of the data
 */
export function classWeights(cw: ResolvedForestParams['classWeight'], classes: Float64Array, yIdx: Int32Array): Float64Array {
  const k = classes.length;
  const out = new Float64Array(k).fill(1);
  if (cw === null) return out;
  if (cw === 'balanced') {
    const counts = new Float64Array(k);
    for (let i = 0; i < yIdx.length; i++) counts[yIdx[i]!]!++;
    for (let c = 0; c < k; c++) out[c] = yIdx.length / (k * counts[c]!);
    return out;
  }
  for (const [key, w] of Object.entries(cw)) {
    const c = classes.indexOf(Number(key));
    if (c < 0) throw new BadArgumentError(`classWeight names class ${key}, which is not in the labels (${[...classes].join(', ')})`);
    out[c] = w;
  }
  return out;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}
function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
