/**
 * Node side of ScalableCyclicBarrier: the state of a resilient, poll-based barrier (seed §3.4.3).
 * Nothing parks here: `arrive` records a party and returns at once, and parties poll `generation`
 * until it moves past theirs (the client proxy does the polling, core/sync/scalable-cyclic-barrier.ts).
 * Arrival is idempotent per (party, generation), so a party whose await is retried after a crash or
 * a lost reply is counted once. Because no call is ever held open, a node restart or a client that
 * vanishes mid-wait leaves nothing dangling, which is what makes the barrier resilient.
 */
import { IllegalStateError } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { mapKey, type MapKey } from './values.ts';

/** Reply of `arrive`. */
export interface Arrival {
  /** The barrier's generation after this arrival (greater than the party's when the barrier tripped). */
  generation: number;
  /** Java's arrival index: parties-1 for the first to arrive, 0 for the last; -1 if too old to tell. */
  index: number;
}

export class ScalableCyclicBarrier {
  private readonly parties: number;
  private gen = 0;
  /** party → arrival index, for the current generation. */
  private arrived = new Map<MapKey, number>();
  /** The same for the previous generation, so a retried arrival there still gets its index back. */
  private previous = new Map<MapKey, number>();

  constructor(parties: unknown) {
    this.parties = arg.positiveInt(parties, 'ScalableCyclicBarrier(parties)');
  }

  /** Records that `party` reached the barrier of `generation`; repeated arrivals are no-ops. */
  arrive(party: unknown, generation: unknown): Arrival {
    const p = mapKey(party, 'arrive(party)');
    const g = arg.int(generation, 'arrive(generation)');
    if (g > this.gen) throw new IllegalStateError(`party ${String(p)} arrives at generation ${g}, barrier is at ${this.gen}`);
    if (g < this.gen) {
      const old = g === this.gen - 1 ? this.previous.get(p) : undefined;
      return { generation: this.gen, index: old ?? -1 };
    }
    let idx = this.arrived.get(p);
    if (idx === undefined) {
      idx = this.parties - 1 - this.arrived.size;
      this.arrived.set(p, idx);
      if (idx === 0) {
        this.previous = this.arrived;
        this.arrived = new Map();
        this.gen++;
      }
    }
    return { generation: this.gen, index: idx };
  }

  /** The current generation: how many times the barrier has tripped. */
  generation(): number { return this.gen; }
  getParties(): number { return this.parties; }
  getNumberWaiting(): number { return this.arrived.size; }
}
