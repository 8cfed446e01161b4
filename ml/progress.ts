/**
 * Progress of a long fit (iterations with loss or inertia, trees grown): the caller's `onProgress`
 * callback, and a cli-progress bar when `progress: true` and the bar's stream (stderr, so stdout
 * stays the program's own) is a terminal. Quiet otherwise: no escape codes in logs or CI output.
 */
import cliProgress from 'cli-progress';

/** One progress report. */
export interface ProgressEvent {
  /** Steps done (iterations, trees). */
  step: number;
  /** Steps expected, when known (max iterations, number of trees). */
  total?: number;
  /** The quantity being optimised at this step (loss, inertia), when there is one. */
  metric?: number;
  /** What is counted ("k-means iteration", "trees"). */
  label: string;
}

/** The progress options every fit takes (a subset of its FitOptions). */
export interface ProgressOptions {
  /** Show a progress bar (only on a terminal). */
  progress?: boolean;
  /** Called on every report. */
  onProgress?: (p: ProgressEvent) => void;
}

/** Where a fit sends its progress; `stop` ends the bar (call it in a `finally`). */
export interface ProgressReporter {
  /** Passes one report to the callback and redraws the bar. */
  update(p: ProgressEvent): void;
  /** Ends the bar (leaves its last state on the terminal); reports after it start a new one. */
  stop(): void;
}

/**
 * A reporter for `opts`, or null when nobody listens (a fit can then skip polling the node for progress).
 * @param opts the fit's options
 * @param stream where the bar goes (default `process.stderr`); a stream that is not a TTY gets none
 */
export function progressReporter(opts: ProgressOptions, stream: NodeJS.WriteStream = process.stderr): ProgressReporter | null {
  const cb = opts.onProgress;
  const showBar = opts.progress === true && stream.isTTY === true;
  if (!cb && !showBar) return null;
  let bar: cliProgress.SingleBar | undefined;
  let barTotal = 0;
  return {
    update(p) {
      cb?.(p);
      if (!showBar) return;
      const total = p.total ?? Math.max(p.step, 1);
      const payload = { label: p.label, metric: p.metric === undefined ? '' : `  ${p.metric.toPrecision(6)}` };
      if (!bar) {
        bar = new cliProgress.SingleBar({
          stream, format: '{label} [{bar}] {value}/{total}{metric}', hideCursor: true, clearOnComplete: false,
          barCompleteChar: '#', barIncompleteChar: '.',
        });
        bar.start(total, p.step, payload);
        barTotal = total;
        return;
      }
      if (total !== barTotal) { bar.setTotal(total); barTotal = total; }
      bar.update(p.step, payload);
    },
    stop() { bar?.stop(); bar = undefined; },
  };
}
