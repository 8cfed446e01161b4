/**
 * Client proxy of `ml.LogRegState` (node side: ml/logreg/node/logreg-state.ts): the L-BFGS state of
 * one logistic-regression fit, to which every partition's cloud thread reports its loss and gradient.
 */
import { SharedObject, type SharedOptions } from '../../core/objects/shared-object.ts';
import { registerProxy } from '../../core/objects/proxy-registry.ts';
import type { LogRegProgress, LogRegResult, LogRegRound } from './node/logreg-state.ts';

export type { LogRegProgress, LogRegResult, LogRegRound };

/** Type name of the node-side object. */
export const LOGREG_STATE_TYPE = 'ml.LogRegState';

/** Constructor arguments of the node object. */
export interface LogRegStateInit {
  d: number;
  parts: number;
  C: number;
  maxIter: number;
  tol: number;
  multinomial: boolean;
  fitIntercept: boolean;
}

/** Proxy of one fit's `ml.LogRegState`. */
export class LogRegState extends SharedObject {
  readonly typeName = LOGREG_STATE_TYPE;

  /** `init` creates the node object if it does not exist yet (the driver passes it; workers do not). */
  constructor(key: string, init?: LogRegStateInit, options?: SharedOptions) {
    super(key, init ? [init.d, init.parts, init.C, init.maxIter, init.tol, init.multinomial, init.fitIntercept] : undefined, options);
  }

  /** A partition's distinct labels and row count; resolves to the first (or current) round. */
  init(part: number, labels: Float64Array, rows: number): Promise<LogRegRound> { return this.invoke('init', part, labels, rows); }

  /** A partition's Σ loss and Σ gradient at round `evaluation`'s point; resolves to the next round. */
  report(evaluation: number, part: number, loss: number, grad: Float64Array): Promise<LogRegRound> {
    return this.invoke('report', evaluation, part, loss, grad);
  }

  /** Resolves once an iteration after `afterIteration` is done. */
  progress(afterIteration: number): Promise<LogRegProgress> { return this.invoke('progress', afterIteration); }

  /** A one-partition fit's progress from its thread; rejects once the fit is aborted (cancelled). */
  tick(iteration: number, loss: number, done: boolean): Promise<null> { return this.invoke('tick', iteration, loss, done); }

  /** The fitted parameters, once done. */
  result(): Promise<LogRegResult> { return this.invoke('result'); }

  /** Fails every parked and later call. */
  abort(reason: string): Promise<void> { return this.invoke('abort', reason); }
}

registerProxy(LOGREG_STATE_TYPE, (key) => new LogRegState(key));
