/**
 * The progress sink of a fit (k-means and logistic regression): the caller's `onProgress`, and a
 * progress bar on stderr when `progress` is set.
 */
import type { FitOptions, FitProgress } from './run-tasks.ts';

/** Where a fit sends its progress; `stop` ends the bar. */
export interface ProgressSink {
  update(p: FitProgress): void;
  stop(): void;
}

/** A sink for `opts`, or null when nobody listens (the fit then does not poll the node). */
export function progressReporter(opts: FitOptions, _label: string): ProgressSink | null {
  const cb = opts.onProgress;
  if (!cb && !opts.progress) return null;
  return {
    update(p) {
      cb?.(p);
      if (opts.progress) process.stderr.write(`\r${p.label} step ${p.step}${p.total ? `/${p.total}` : ''}: ${p.metric ?? ''}   `);
    },
    stop() { if (opts.progress) process.stderr.write('\n'); },
  };
}
