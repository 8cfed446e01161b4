/**
 * A coarse wall clock for the node's per-call bookkeeping (the memory budget's sampling, the reply
 * cache's last-seen times): `Date.now()` read at most once per `COARSE_MS`, where a read per call
 * cost 70-160 ns on the 2-core VM the benches run on (two per call: ~5 % of a small call's node time).
 * The cached value is dropped by an unref'd timer, armed only when the clock is read, so an idle
 * node keeps no timer.
 */

/** How stale `coarseNow()` may be, ms (the event loop may add a turn's length on top). */
export const COARSE_MS = 10;

let cached = 0;
let fresh = false;
const expire = (): void => { fresh = false; };

/** `Date.now()`, possibly up to `COARSE_MS` (plus one event-loop turn) old. */
export function coarseNow(): number {
  if (!fresh) {
    cached = Date.now();
    fresh = true;
    setTimeout(expire, COARSE_MS).unref();
  }
  return cached;
}
