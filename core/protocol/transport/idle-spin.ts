/**
 * The idle spin of a link: after writing a call (client) or a reply (node), keep this thread's
 * event loop turning for a short while instead of sleeping in epoll at once.
 *
 * Why: on this kind of VM (no guest halt-polling) a core that sleeps halts, and waking it for the
 * next packet costs ~40-50 µs — half of a loopback round trip between two processes on two cores
 * (a bare node:net echo: ~110 µs sleeping, ~17 µs with both ends turning). A turning loop polls
 * epoll without blocking (setImmediate), so timers, other sockets and other work run as before.
 *
 * When not to: a core someone else needs is not spare. The spin runs only while the machine has
 * no more runnable threads than cores (/proc/loadavg's running count, this thread included), and
 * only while it measurably shortens the waits (IdleSpin): a peer pinned to this same core cannot
 * run while this thread turns, and there the spin switches itself off.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { InvalidOptionError } from '../errors.ts';

/** Default length of a spin (µs). */
const SPIN_US = 200;

/** The syntax CRUCIAL_IDLE_SPIN_US takes on both sides (TS and Python): ASCII decimal, optional exponent. */
const SPIN_SYNTAX = /^[ \t]*\+?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$/;

/**
 * The idle spin's length from `CRUCIAL_IDLE_SPIN_US` (µs; 0 = off), else 200.
 * @throws {InvalidOptionError} on anything but a non-negative decimal number
 */
export function idleSpinFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CRUCIAL_IDLE_SPIN_US;
  if (raw === undefined || raw.trim() === '') return SPIN_US;
  // A decimal number only, as the Python side reads it (Number alone also took '0x10', '0b11').
  const us = SPIN_SYNTAX.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(us) || us < 0) throw new InvalidOptionError(`CRUCIAL_IDLE_SPIN_US must be a non-negative number of microseconds, got ${JSON.stringify(raw)}`);
  return us;
}

/** Checks an `idleSpinUs` option; undefined takes the environment's. */
export function idleSpinOption(us: unknown, name = 'idleSpinUs'): number {
  if (us === undefined) return idleSpinFromEnv();
  if (typeof us !== 'number' || !Number.isFinite(us) || us < 0) throw new InvalidOptionError(`${name} must be a non-negative number of microseconds, got ${String(us)}`);
  return us;
}

/** Runnable threads on the machine from /proc/loadavg's fourth field ("running/total"), or null. */
export function runnableThreads(text: string): number | null {
  const m = /^\S+ \S+ \S+ (\d+)\//.exec(text);
  return m ? Number(m[1]) : null;
}

// The machine's cores, not this process's affinity: a process pinned to one core still has the others' to spare.
const CORES = cpus().length || 1;
/** How long one reading of the machine's runnable count stands (ms). */
const SAMPLE_MS = 5;
/** Weight of a new reading in the running average (~20 readings, ~0.1 s, carry it). */
const ALPHA = 0.05;
let sampledAt = -Infinity;
let runnable = 1;

/**
 * Whether every runnable thread has a core: the running average of the machine's runnable count
 * (this thread and a spinning peer included; read at most every 5 ms) within half a thread of the
 * cores. One reading is noisy (kernel threads, V8's helpers); two CPU burners beside a client and
 * its node hold it at ~4 on 2 cores, where the pair alone averages ~2.2.
 */
export function coresToSpare(): boolean {
  const now = performance.now();
  if (now - sampledAt >= SAMPLE_MS) {
    sampledAt = now;
    let running: number | null = null;
    try {
      running = runnableThreads(readFileSync('/proc/loadavg', 'latin1'));
    } catch {
      // No /proc (macOS): the last minute's load average is the nearest thing.
    }
    runnable += ALPHA * ((running ?? loadavg()[0]!) - runnable);
  }
  return runnable <= CORES + 0.5;
}

/**
 * A reason to keep this thread's loop turning: until `waiting()` is false or `until`
 * (performance.now(), ms) has passed. Its owner may move both while it runs.
 */
export interface Hold {
  until: number;
  waiting: () => boolean;
  /** Called once when the chain lets the hold go. */
  ended: () => void;
}

/** One turning chain per thread, however many holds (links, a pool) keep it turning. */
const holds: Hold[] = [];
let turning = false;

function turn(): void {
  const now = performance.now();
  for (let i = holds.length - 1; i >= 0; i--) {
    const h = holds[i]!;
    if (h.waiting() && now < h.until) continue;
    holds[i] = holds[holds.length - 1]!;
    holds.pop();
    h.ended();
  }
  if (holds.length > 0) setImmediate(turn);
  else turning = false;
}

/** Keeps the loop turning (setImmediate: nothing else blocked) for `hold`. */
export function keepTurning(hold: Hold): void {
  holds.push(hold);
  if (!turning) {
    turning = true;
    setImmediate(turn);
  }
}

/** Lets `hold` go before the chain would (its owner closed); `ended` is not called. */
export function stopTurning(hold: Hold): void {
  const i = holds.indexOf(hold);
  if (i >= 0) holds.splice(i, 1);
}

/** A wait longer than this many spins is left out of a round. */
const OUTLIER_SPINS = 10;
/** Waits measured per round: every other send spins. */
const SAMPLES = 16;
/** Sends a decision to spin stands before it is measured again. */
const KEEP_SENDS = 480;
/**
 * The longest a decision not to spin stands (sends): at once after a starved peer (a peer on this
 * core, whose every round costs it turns: the 99th percentile doubled with rounds every few
 * thousand sends), else after doubling from KEEP_SENDS.
 */
const MAX_OFF_SENDS = KEEP_SENDS << 8;
/** The spin stays on only if it cuts the median wait by at least this fraction... */
const MIN_GAIN = 0.1;
/** ...and its 15th wait of 16 (the tail a shared core adds) is at most a quarter longer than without it. */
const HIGH = SAMPLES - 2;

/**
 * One link's spin. Whether spinning helps depends on where the peer runs, which this side cannot
 * see: on another core it saves that core's wake-up; on this one (both pinned to one CPU) a
 * turning loop keeps the peer from running. So the spin measures itself, as a paired comparison
 * that the peer's own changes of mind hit on both sides alike: the wait from each send to the
 * next arrival (client: the reply; node: the next call), a coin deciding which sends spin, until
 * 16 waits each way. (Not every other send: a client and its node measuring at once fell in step,
 * each one's spinning sends meeting the other's still ones, and both saw no gain.)
 *
 * A link measures first after 480 sends. It stays on for the next 480 sends only if it cut the median by 10 % without lengthening the
 * 15th wait of 16 by more than a quarter; else it stays off, twice as long after each round it
 * loses, then measures again. Three spinning waits past 4 times the mean still wait (a peer on
 * this core kept from running) lose a round at once and keep the spin off for 122,880 sends.
 */
export class IdleSpin {
  /** The hold running for this link, if any. */
  private current: Hold | null = null;
  private sentAt = -1;
  /** Whether the last send spins: a measured round's spinning half, or a round the spin won. */
  private spinsNow = false;
  /** A link's first sends do not spin: links that make few calls (a barrier's parties) never pay for a round. */
  private measuring = false;
  private on = false;
  private keepLeft = KEEP_SENDS;
  private readonly spun = new Float64Array(SAMPLES);
  private readonly still = new Float64Array(SAMPLES);
  private nSpun = 0;
  private nStill = 0;
  private stillSum = 0;
  /** Spinning waits of this round past 4 times the mean still wait. */
  private slow = 0;
  private offSends = KEEP_SENDS;
  /** Rounds the spin won and lost (for tests and benches). */
  readonly counts = { kept: 0, dropped: 0, starved: 0 };

  /**
   * @param spinUs how long a hold turns at most (µs); 0: never
   * @param spareCores whether the machine has a core to spare now (tests pass their own)
   * @param now the clock waits are measured with (ms; tests pass their own)
   * @param coin which sends of a measured round spin (tests pass their own)
   */
  constructor(
    readonly spinUs: number,
    private readonly spareCores: () => boolean = coresToSpare,
    private readonly now: () => number = () => performance.now(),
    private readonly coin: () => boolean = () => Math.random() < 0.5,
  ) {}

  /** Whether the spin is on between measurements (it won the last round). */
  get spinning(): boolean { return this.spinUs > 0 && this.on; }

  /**
   * A send: keeps the loop turning for up to `spinUs` while `waiting()` is true, if the spin is on
   * for this send and the machine has cores to spare. One hold per owner: a running one is extended.
   */
  hold(waiting: () => boolean): void {
    if (this.spinUs <= 0) return;
    const now = this.now();
    this.sentAt = now;
    this.spinsNow = this.measuring ? this.coin() : this.on;
    if (!this.spinsNow) {
      this.cancel();
      return;
    }
    if (!this.spareCores()) {
      // No core to spare is not a lost round: this send's wait is not counted either way.
      this.sentAt = -1;
      return;
    }
    const until = performance.now() + this.spinUs / 1000;
    if (this.current) {
      this.current.until = until;
      this.current.waiting = waiting;
      return;
    }
    const hold: Hold = { until, waiting, ended: () => { if (this.current === hold) this.current = null; } };
    this.current = hold;
    keepTurning(hold);
  }

  /** What the last send waits for came in (client: a reply; node: a call). */
  arrived(): void {
    if (this.sentAt < 0) return;
    const wait = this.now() - this.sentAt;
    this.sentAt = -1;
    // A wait of many spins is the peer's own pause (a client between bursts, a GC), nothing a spin did.
    if (wait > this.spinUs * OUTLIER_SPINS / 1000) return;
    if (!this.measuring) {
      if (--this.keepLeft <= 0) this.measure();
      return;
    }
    if (this.spinsNow) {
      // On a core it shares with its peer, a spinning send can cost the peer whole turns: three of
      // them past 4 times the mean still wait so far lose the round at once.
      if (this.nStill >= 2 && wait > 4 * this.stillSum / this.nStill && ++this.slow >= 3) {
        this.counts.starved++;
        // A peer kept from running is this core's peer, and stays so: the longest wait before measuring again.
        this.offSends = MAX_OFF_SENDS;
        return this.decide(false);
      }
      if (this.nSpun < SAMPLES) this.spun[this.nSpun++] = wait;
    } else if (this.nStill < SAMPLES) {
      this.still[this.nStill++] = wait;
      this.stillSum += wait;
    }
    if (this.nSpun < SAMPLES || this.nStill < SAMPLES) return;
    this.spun.sort();
    this.still.sort();
    this.decide(this.spun[SAMPLES >> 1]! <= this.still[SAMPLES >> 1]! * (1 - MIN_GAIN) && this.spun[HIGH]! <= this.still[HIGH]! * 1.25);
  }

  private decide(keep: boolean): void {
    this.measuring = false;
    this.on = keep;
    if (keep) {
      this.counts.kept++;
      this.offSends = KEEP_SENDS;
      this.keepLeft = KEEP_SENDS;
    } else {
      // Each lost round cost its spinning sends (on a shared core, its peer's turns): rarer each time.
      this.counts.dropped++;
      this.keepLeft = this.offSends;
      this.offSends = Math.min(MAX_OFF_SENDS, this.offSends * 2);
    }
  }

  private measure(): void {
    this.measuring = true;
    this.nSpun = this.nStill = this.slow = 0;
    this.stillSum = 0;
  }

  /** Ends this link's hold now (its link closed, or this send does not spin). */
  cancel(): void {
    if (!this.current) return;
    stopTurning(this.current);
    this.current = null;
  }
}
