/**
 * The last line of defence of a node that owns its process (`crucial dso start`, and the node the Python
 * package starts: bridges/python/node/embedded.ts, crucial.client.context's checkout command): a throw that
 * escaped every call's own try/catch (a user method's timer callback, a promise it dropped) is
 * logged and the node keeps serving everyone else. Each call already fails on its own faults (the
 * node catches synchronous throws and rejections of the call's promise, and the built-in objects'
 * timers fail their waiter), so what reaches here belongs to no call in flight.
 *
 * Not installed by `startDso()`: an embedded node lives in the user's program, whose process-wide
 * handlers are the user's decision.
 */

/** What the guard saw since it was installed. */
export interface GuardCounts {
  uncaughtExceptions: number;
  unhandledRejections: number;
}

const counts: GuardCounts = { uncaughtExceptions: 0, unhandledRejections: 0 };
let installed = false;

/**
 * Installs process-wide `uncaughtException` and `unhandledRejection` handlers that log and keep the
 * process alive (idempotent).
 * @param log where one line per fault goes; default stderr
 */
export function installProcessGuard(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (installed) return;
  installed = true;
  const describe = (e: unknown) => (e instanceof Error ? e.stack ?? `${e.name}: ${e.message}` : String(e));
  process.on('uncaughtException', (err) => {
    counts.uncaughtExceptions++;
    log(`crucial dso: an object's code threw outside any call; the node keeps serving: ${describe(err)}`);
  });
  process.on('unhandledRejection', (reason) => {
    counts.unhandledRejections++;
    log(`crucial dso: an object's code left a promise rejection unhandled; the node keeps serving: ${describe(reason)}`);
  });
}

/** Faults the guard has absorbed (for `$system.stats` and tests). */
export function guardCounts(): GuardCounts { return { ...counts }; }
