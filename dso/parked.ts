/**
 * Calls parked on the node (a Semaphore acquire, a barrier await, a latch or Future wait) belong to
 * a link. When the link is gone (the client closed it, or died: its TCP connection ends, or the
 * router's heartbeats say so), its parked calls are withdrawn: a released permit then goes to a
 * live waiter instead of a dead one, a barrier stops counting a dead party. The client, if it comes
 * back, resends the call (same client, seq) and it parks again: its dedup slot is forgotten.
 *
 * Object code that parks registers how to withdraw its waiter (`onWithdrawn`); a call that does not
 * park costs two assignments here, and one that parks a small entry in its link's set. (An
 * AbortController per parked call, and a closure and a result object per call, made an 8-party
 * barrier's await 4x the node's time of the tree before parked calls were tracked.)
 */
import { ClosedError } from '../core/protocol/errors.ts';

/** Takes a parked waiter out of its queue and fails it with {@link callerGone}. */
export type Withdraw = () => void;

/** Outside any node call: object code run otherwise (a test, a node-side reference) parks untracked. */
const OUTSIDE = null;
/** Inside a call that has not parked (yet). */
const NONE: Withdraw[] = [];
let pending: Withdraw[] | typeof OUTSIDE = OUTSIDE;

/**
 * Called by object code as it parks the running call: `withdraw` runs if the call's link goes
 * before the call completes. Returns false (nothing registered) outside a node call.
 */
export function onWithdrawn(withdraw: Withdraw): boolean {
  if (pending === OUTSIDE) return false;
  pending = pending === NONE ? [withdraw] : [...pending, withdraw];
  return true;
}

/** Why a parked call was withdrawn. */
export function callerGone(): ClosedError {
  return new ClosedError('the caller\'s link to the node is gone: its parked call was withdrawn');
}

/** A call that parked: its link's route, its withdrawals, and the call's (client, seq). */
export class ParkedCall {
  constructor(readonly route: Uint8Array, readonly withdraw: Withdraw[], readonly client: Uint8Array, readonly seq: number) {}
}

/**
 * The node's parked calls by link. A link is its route object: the zmtp router hands every message
 * of a link, and its disconnection, the same one (a peer that reconnects with the same identity gets
 * a new one, so the old link's end withdraws only the old link's calls). A link's set stays while
 * its route object lives (a WeakMap: no key string per parked call, no set made and dropped per wait).
 */
export class ParkedCalls {
  private readonly byRoute = new WeakMap<Uint8Array, Set<ParkedCall>>();

  /**
   * @param keep asked when a call's link goes: false keeps it parked (its client resent it on
   * another link already, dedup.ts `forget`); true withdraws it
   */
  constructor(private readonly keep: (client: Uint8Array, seq: number) => boolean = () => true) {}

  /**
   * Starts a call's synchronous part: what it parks from now on is its own. Returns the state to
   * give {@link ParkedCalls.leave} (calls nest: a node-side reference runs one inside another).
   */
  enter(): Withdraw[] | null {
    const outer = pending;
    pending = NONE;
    return outer;
  }

  /**
   * Ends a call's synchronous part (in a `finally`): the call, if it parked, is tracked under its
   * route until {@link ParkedCalls.done}; null if it did not park.
   */
  leave(outer: Withdraw[] | null, route: Uint8Array, client: Uint8Array, seq: number): ParkedCall | null {
    const mine = pending;
    pending = outer;
    if (mine === NONE || mine === OUTSIDE) return null;
    const p = new ParkedCall(route, mine, client, seq);
    let set = this.byRoute.get(route);
    if (!set) this.byRoute.set(route, (set = new Set()));
    set.add(p);
    return p;
  }

  /** A parked call completed (its waiter woke or failed): no longer withdrawn with its link. */
  done(p: ParkedCall): void {
    this.byRoute.get(p.route)?.delete(p);
  }

  /**
   * The caller gave up on its call `seq` (an interrupted wait: Ctrl-C in a notebook): withdraws it
   * as if its link had gone, so a permit or a barrier's count is not held by a caller no longer
   * waiting. Only the caller's own calls on its own link. Its dedup slot stays: the call ended.
   * Returns whether a parked call was found.
   */
  cancel(route: Uint8Array, client: Uint8Array, seq: number): boolean {
    const set = this.byRoute.get(route);
    if (!set) return false;
    for (const p of set) {
      if (p.seq !== seq || !sameBytes(p.client, client)) continue;
      set.delete(p);
      for (const w of p.withdraw) {
        try { w(); } catch (err) { console.error('crucial dso: withdrawing a cancelled call failed:', err); }
      }
      return true;
    }
    return false;
  }

  /** The link of `route` is gone: withdraws its parked calls. Returns how many. */
  linkGone(route: Uint8Array): number {
    const set = this.byRoute.get(route);
    if (!set) return 0;
    this.byRoute.delete(route);
    for (const p of set) {
      if (!this.keep(p.client, p.seq)) continue;
      for (const w of p.withdraw) {
        // One waiter's failure must not leave the link's other calls parked, nor reach the transport.
        try { w(); } catch (err) { console.error('crucial dso: withdrawing a parked call failed:', err); }
      }
    }
    return set.size;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
