/**
 * How a one-partition fit's cloud thread, whose iterations run in the thread itself, stays in touch
 * with its node object: it reports its progress there (the driver's progress bar follows the node
 * object, as for a multi-partition fit) and learns there that the fit was cancelled (the object is
 * aborted, so the call fails). The loop never waits for the node: at most one call is in flight,
 * and its answer is looked at on a later iteration, so a cancel stops the loop one or two
 * iterations after it reaches the node, and progress may skip iterations (the last one is always sent).
 */

/** Sends one progress report to the node; rejects once the fit is aborted. */
export type TickFn = (iteration: number, metric: number, done: boolean) => Promise<unknown>;

/** See the module comment. Shared by k-means, logistic regression and the forest. */
export class Ticker {
  private inFlight: Promise<void> | null = null;
  private failed: { err: unknown } | null = null;

  constructor(private readonly send: TickFn) {}

  /**
   * Once per iteration: lets the last call's answer in, throws if the node refused it (the fit
   * was cancelled or failed), and sends this iteration's progress unless a call is still in flight.
   */
  async tick(iteration: number, metric: number): Promise<void> {
    // A macrotask turn, so the connection's socket is read: a resolved promise alone would not.
    await new Promise<void>((r) => setImmediate(r));
    this.check();
    if (this.inFlight) return;
    this.inFlight = this.send(iteration, metric, false).then(
      () => { this.inFlight = null; },
      (err: unknown) => { this.failed = { err }; this.inFlight = null; },
    );
  }

  /** The last report (done), awaited; throws if the fit was aborted meanwhile. */
  async finish(iteration: number, metric: number): Promise<void> {
    await this.inFlight;
    this.check();
    await this.send(iteration, metric, true);
  }

  private check(): void {
    if (this.failed) throw this.failed.err;
  }
}
