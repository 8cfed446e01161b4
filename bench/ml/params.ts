/** The ml fit benches' algorithms and hyper-parameters (bench/ml/fit.ts, bench/ml/fit-small.ts), one set for every system. */
export type Alg = 'kmeans' | 'logreg' | 'forest';
export const ALGS: Alg[] = ['kmeans', 'logreg', 'forest'];

/** One set of hyper-parameters for all three systems (peers.py maps them onto each library). */
export const PARAMS: Record<Alg, Record<string, unknown>> = {
  kmeans: { k: 8, nInit: 1, maxIter: 100, tol: 1e-4, seed: 7 },
  logreg: { C: 1.0, maxIter: 100, tol: 1e-4 },
  forest: { nEstimators: 20, maxDepth: 12, maxFeatures: 'sqrt', seed: 7 },
};
