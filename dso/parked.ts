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

/** A call that parked: its link's key, its withdrawals, and the call's (client, seq). */
export class ParkedCall {
  constructor(readonly key: string, readonly withdraw: Withdraw[], readonly client: Uint8Array, readonly seq: number) {}
}

/** The node's parked calls by link. */
export class ParkedCalls {
  private readonly byRoute = new Map<string, Set<ParkedCall>>();

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
    const p = new ParkedCall(routeKey(route), mine, client, seq);
    let set = this.byRoute.get(p.key);
    if (!set) this.byRoute.set(p.key, (set = new Set()));
    set.add(p);
    return p;
  }

  /** A parked call completed (its waiter woke or failed): no longer withdrawn with its link. */
  done(p: ParkedCall): void {
    const set = this.byRoute.get(p.key);
    if (!set) return;
    set.delete(p);
    if (set.size === 0) this.byRoute.delete(p.key);
  }

  /** The link of `route` is gone: withdraws its parked calls. Returns how many. */
  linkGone(route: Uint8Array): number {
    const key = routeKey(route);
    const set = this.byRoute.get(key);
    if (!set) return 0;
    this.byRoute.delete(key);
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

const routeKey = (r: Uint8Array) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('latin1');
