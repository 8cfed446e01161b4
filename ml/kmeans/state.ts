/**
 * Client proxy of `ml.KMeansState` (node side: ml/kmeans/node/kmeans-state.ts): the shared k-means
 * state the cloud threads of one fit report to. Arrays travel as Float64Array (Arrow frames).
 */
import { SharedObject, type SharedOptions } from '../../core/objects/shared-object.ts';
import { registerProxy } from '../../core/objects/proxy-registry.ts';
import type { KMeansProgress, KMeansResult, KMeansRound, KMeansSample } from './node/kmeans-state.ts';

export type { KMeansProgress, KMeansResult, KMeansRound, KMeansSample };

/** Run status values in a {@link KMeansRound} (the node's RUN_* constants). */
export const RUN_STATUS = { LLOYD: 0, FINAL: 1, DONE: 2 } as const;

/** Type name of the node-side object. */
export const KMEANS_STATE_TYPE = 'ml.KMeansState';

/** Constructor arguments of the node object, in order. */
export interface KMeansStateInit {
  k: number;
  d: number;
  parts: number;
  nInit: number;
  maxIter: number;
  tol: number;
}

/** Proxy of one fit's `ml.KMeansState`. */
export class KMeansState extends SharedObject {
  readonly typeName = KMEANS_STATE_TYPE;

  /** `init` creates the node object if it does not exist yet (the driver passes it; workers do not). */
  constructor(key: string, init?: KMeansStateInit, options?: SharedOptions) {
    super(key, init ? [init.k, init.d, init.parts, init.nInit, init.maxIter, init.tol] : undefined, options);
  }

  /** A partition's k-means++ sample and its `[n, mean(d), M2(d)]`; resolves to the first round once the driver started it (or to the current one). */
  init(part: number, sample: Float64Array, stats: Float64Array): Promise<KMeansRound> {
    return this.invoke('init', part, sample, stats);
  }

  /** The whole init sample and the tolerance, once every partition has sent its share. */
  sample(): Promise<KMeansSample> { return this.invoke('sample'); }

  /** Starts iteration 0 from the driver's k-means++ centroids (nInit·k·d). */
  start(centroids: Float64Array): Promise<KMeansRound> { return this.invoke('start', centroids); }

  /**
   * A partition's sums, counts and inertia for `iteration`, and its far rows for runs with a cluster
   * it left empty (entries `[run, dist, cluster, x(d)]`); resolves to the next round once every
   * partition reported.
   */
  report(iteration: number, part: number, sums: Float64Array, counts: Float64Array, inertia: Float64Array, far: Float64Array | null): Promise<KMeansRound> {
    return this.invoke('report', iteration, part, sums, counts, inertia, far);
  }

  /** Resolves once an iteration after `afterIteration` has closed. */
  progress(afterIteration: number, timeoutMs?: number): Promise<KMeansProgress> {
    return timeoutMs === undefined ? this.invoke('progress', afterIteration) : this.invoke('progress', afterIteration, timeoutMs);
  }

  /** A one-partition fit's progress from its thread; rejects once the fit is aborted (cancelled). */
  tick(iteration: number, inertia: number, done: boolean): Promise<null> { return this.invoke('tick', iteration, inertia, done); }

  /** The best run, once done. */
  result(): Promise<KMeansResult> { return this.invoke('result'); }

  /** Fails every parked and later call. */
  abort(reason: string): Promise<void> { return this.invoke('abort', reason); }
}

registerProxy(KMEANS_STATE_TYPE, (key) => new KMeansState(key));
