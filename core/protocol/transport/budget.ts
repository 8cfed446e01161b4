/**
 * A byte budget several links draw from: a ROUTER's partial messages (frames of a message not yet
 * complete) are held against one, so many connections that each start a large message and stall
 * cannot together pin more than it. A frame the budget cannot take is skipped unbuffered and its
 * message is marked refused (`refusedMessage`): the node answers it `ERR_OVERLOADED` instead of
 * holding it.
 */

/** Bytes shared by several holders; `tryTake` never lets `used` pass `limit`. */
export class ByteBudget {
  private _used = 0;
  /**
   * Asked, when a take does not fit, to free at least `need` bytes by dropping holders that hold
   * budget without sending (the router drops its slowest links): otherwise a few connections that
   * each declare a large frame and trickle a byte now and then would refuse everyone else for good.
   */
  reclaim: ((need: number) => void) | undefined;

  /** @param limit bytes all holders together may hold */
  constructor(readonly limit: number) {}

  get used(): number { return this._used; }

  /** Takes `n` bytes if they fit, after `reclaim` if need be; false (nothing taken) otherwise. */
  tryTake(n: number): boolean {
    if (this._used + n > this.limit && this.reclaim && n <= this.limit) this.reclaim(this._used + n - this.limit);
    if (this._used + n > this.limit) return false;
    this._used += n;
    return true;
  }

  /** Gives back `n` bytes taken before. */
  give(n: number): void {
    this._used = Math.max(0, this._used - n);
  }
}

const refused = new WeakSet<object>();

/** Marks a delivered message whose frames were skipped because a budget was spent. */
export function markRefused(frames: object): void { refused.add(frames); }

/** Whether the transport skipped frames of this message for want of budget (the node then answers ERR_OVERLOADED). */
export function refusedMessage(frames: object): boolean { return refused.has(frames); }
