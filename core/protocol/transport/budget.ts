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

  /** @param limit bytes all holders together may hold */
  constructor(readonly limit: number) {}

  get used(): number { return this._used; }

  /** Takes `n` bytes if they fit; false (nothing taken) otherwise. */
  tryTake(n: number): boolean {
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
