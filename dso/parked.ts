/**
 * Calls parked on the node (a Semaphore acquire, a barrier await, a latch or Future wait) belong to
 * a link. When the link is gone (the client closed it, or died: its TCP connection ends, or the
 * router's heartbeats say so), its parked calls are withdrawn: a released permit then goes to a
 * live waiter instead of a dead one, a barrier stops counting a dead party. The client, if it comes
 * back, resends the call (same client, seq) and it parks again: its dedup slot is forgotten.
 *
 * Object code asks for the running call's signal (`parkSignal`) only when it parks, so a call that
 * does not park costs nothing here.
 */
import { ClosedError } from '../core/protocol/errors.ts';

interface CallContext {
  route: string;
  controller?: AbortController;
}

let current: CallContext | null = null;

/** The abort signal of the call running now, made on first use; undefined outside a node call. */
export function parkSignal(): AbortSignal | undefined {
  if (!current) return undefined;
  current.controller ??= new AbortController();
  return current.controller.signal;
}

/** Why a parked call was withdrawn. */
export function callerGone(): ClosedError {
  return new ClosedError('the caller\'s link to the node is gone: its parked call was withdrawn');
}

/** The node's parked calls by link. */
export class ParkedCalls {
  private readonly byRoute = new Map<string, Set<() => void>>();

  /** Runs `fn` (a call's synchronous part) as the call from `route`; returns its result and, if it parked, a handle. */
  run<T>(route: Uint8Array, fn: () => T): { result: T; parked: boolean; done: () => void; onGone: (cb: () => boolean) => void } {
    const ctx: CallContext = { route: routeKey(route) };
    const outer = current;
    current = ctx;
    let result: T;
    try {
      result = fn();
    } finally {
      current = outer;
    }
    const controller = ctx.controller;
    let cancel: (() => void) | undefined;
    let extra: (() => boolean) | undefined;
    if (controller) {
      // `extra` answers false to keep the call parked (its client resent it on another link already).
      cancel = () => { if (extra && !extra()) return; controller.abort(callerGone()); };
      let set = this.byRoute.get(ctx.route);
      if (!set) this.byRoute.set(ctx.route, (set = new Set()));
      set.add(cancel);
    }
    return {
      result,
      parked: controller !== undefined,
      done: () => {
        if (!cancel) return;
        const set = this.byRoute.get(ctx.route);
        set?.delete(cancel);
        if (set?.size === 0) this.byRoute.delete(ctx.route);
      },
      onGone: (cb) => { extra = cb; },
    };
  }

  /** The link of `route` is gone: withdraws its parked calls. Returns how many. */
  linkGone(route: Uint8Array): number {
    const key = routeKey(route);
    const set = this.byRoute.get(key);
    if (!set) return 0;
    this.byRoute.delete(key);
    for (const cancel of set) cancel();
    return set.size;
  }
}

const routeKey = (r: Uint8Array) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('latin1');
