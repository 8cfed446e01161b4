/**
 * Hand-built models for the serving tests, laid out as the contract's arrays, so every expected
 * prediction is known exactly; and an in-memory model source that can be made to fail like an
 * unreachable DSO node.
 */
import { MODEL_FORMAT, type Model } from '../../../ml/model/format.ts';
import { BadArgumentError, ModelNotFoundError, UnavailableError } from '../../../core/protocol/errors.ts';
import type { ModelSource } from '../../../ml/serve/model-cache.ts';

/** k-means with 3 centroids in 2-D: (0,0), (10,0), (0,10), shifted by `shift` along x. */
export function kmeansModel(shift = 0): Model {
  return {
    format: MODEL_FORMAT,
    algorithm: 'kmeans',
    params: { k: 3 },
    meta: { nFeatures: 2, inertia: 0, nIter: 1 },
    arrays: { centroids: { dtype: 'float64', shape: [3, 2], data: Float64Array.from([0 + shift, 0, 10 + shift, 0, 0 + shift, 10]) } },
  };
}

/** The cluster `kmeansModel(shift)` assigns (x, y) to: nearest centroid, first one on ties. */
export function kmeansOracle(x: number, y: number, shift = 0): number {
  const c = [[shift, 0], [10 + shift, 0], [shift, 10]];
  let best = 0;
  let bestD = Infinity;
  c.forEach(([cx, cy], i) => {
    const d = (x - cx!) ** 2 + (y - cy!) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  });
  return best;
}

/** Binary logistic regression on 3 features: coef [1, -2, 0.5], intercept `b`, classes [3, 7]. */
export function logregModel(b = 0.25): Model {
  return {
    format: MODEL_FORMAT,
    algorithm: 'logistic_regression',
    params: { C: 1 },
    meta: { nFeatures: 3, classes: [3, 7], lossHistory: [] },
    arrays: {
      coef: { dtype: 'float64', shape: [1, 3], data: Float64Array.from([1, -2, 0.5]) },
      intercept: { dtype: 'float64', shape: [1], data: Float64Array.from([b]) },
    },
  };
}

/** P(class 7) and the label of `logregModel(b)` for one row (sklearn: positive class = classes[1]). */
export function logregOracle(row: readonly number[], b = 0.25): { label: number; proba: [number, number] } {
  const z = row[0]! - 2 * row[1]! + 0.5 * row[2]! + b;
  const p = 1 / (1 + Math.exp(-z));
  return { label: p > 0.5 ? 7 : 3, proba: [1 - p, p] };
}

/** Models in memory, versioned like ModelStore; `down = true` makes every call fail as an unreachable node would. */
export class MemorySource implements ModelSource {
  down = false;
  /** Calls made, per method: a cached model must be answered without any. */
  calls = { load: 0, latestVersion: 0, versions: 0, list: 0 };
  private readonly models = new Map<string, Model[]>();

  publish(name: string, model: Model): number {
    const list = this.models.get(name) ?? [];
    list.push({ ...model, name, version: list.length + 1 });
    this.models.set(name, list);
    return list.length;
  }

  /** As ModelStore: down first, then a name the store would refuse. */
  private check(name?: string): void {
    if (this.down) throw new UnavailableError('no link to the DSO node (test: source down)');
    if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) throw new BadArgumentError(`a model name must be 1-128 letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}`);
  }

  async load(name: string, version?: number): Promise<Model> {
    this.calls.load++;
    this.check(name);
    const list = this.models.get(name);
    const m = list?.[(version ?? list.length) - 1];
    if (!m) throw new ModelNotFoundError(`no model ${name}${version ? ` version ${version}` : ''}`);
    return m;
  }

  async latestVersion(name: string): Promise<number | undefined> {
    this.calls.latestVersion++;
    this.check(name);
    return this.models.get(name)?.length;
  }

  async versions(name: string): Promise<number[]> {
    this.calls.versions++;
    this.check(name);
    return (this.models.get(name) ?? []).map((_, i) => i + 1);
  }

  async list(): Promise<string[]> {
    this.calls.list++;
    this.check();
    return [...this.models.keys()];
  }
}
