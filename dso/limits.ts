/**
 * Per-call limits of a node: how much work one call may ask of the node's single thread, and how
 * large an object one call may create. A call over a limit is refused with `ERR_LIMIT` before it
 * does the work: `AtomicLong.multiply(3, 1e308)` would hold the event loop for ever, and a 54-byte
 * `AtomicByteArray(2^29)` would allocate 512 MiB.
 *
 * The node sets its limits around each call it runs (`withLimits`), so the object code reads them
 * without a reference to its node; calls run one at a time on the event loop, and a built-in's
 * work is synchronous.
 */
import { InvalidOptionError, LimitExceededError } from '../core/protocol/errors.ts';

/** The limits a node enforces per call. */
export interface CallLimits {
  /** Loop iterations one call may run (`AtomicLong.multiply`'s `times`, ...). */
  maxWorkPerCall: number;
  /** Bytes one object may be created with or grow to in one call (`AtomicByteArray(length)`, a matrix, a concat). */
  maxObjectBytes: number;
}

/** Defaults: ~20 ms of `multiply` on one core; an object as large as the default largest request. */
export const DEFAULT_LIMITS: Readonly<CallLimits> = Object.freeze({
  maxWorkPerCall: 10_000_000,
  maxObjectBytes: 256 * 1024 * 1024,
});

let active: Readonly<CallLimits> = DEFAULT_LIMITS;

/** Runs `fn` (synchronously) under `limits`. */
export function withLimits<T>(limits: Readonly<CallLimits>, fn: () => T): T {
  const outer = enterLimits(limits);
  try {
    return fn();
  } finally {
    leaveLimits(outer);
  }
}

/**
 * Puts `limits` in force and returns the ones to restore with {@link leaveLimits} (in a `finally`):
 * {@link withLimits} without a closure, for the node's per-call path.
 */
export function enterLimits(limits: Readonly<CallLimits>): Readonly<CallLimits> {
  const outer = active;
  active = limits;
  return outer;
}

/** Restores the limits {@link enterLimits} returned. */
export function leaveLimits(outer: Readonly<CallLimits>): void { active = outer; }

/**
 * Refuses a call that asks for more than `maxWorkPerCall` iterations.
 * @throws {LimitExceededError} naming `what` and the limit
 */
export function chargeWork(iterations: number, what: string): void {
  if (iterations > active.maxWorkPerCall) {
    throw new LimitExceededError(`${what} asks for ${iterations} iterations; this node allows ${active.maxWorkPerCall} per call (--max-work)`);
  }
}

/**
 * Refuses an object of more than `maxObjectBytes`.
 * @throws {LimitExceededError} naming `what` and the limit
 */
export function chargeBytes(bytes: number, what: string): void {
  if (bytes > active.maxObjectBytes) {
    throw new LimitExceededError(`${what} needs ${bytes} bytes; this node allows objects of ${active.maxObjectBytes} (--max-object-bytes)`);
  }
}

/**
 * Checks limits given as node options; absent ones take their defaults.
 * @throws {InvalidOptionError} naming the first one that is not a positive safe integer
 */
export function resolveLimits(opts: Partial<CallLimits>): Readonly<CallLimits> {
  const out = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as CallLimits;
  for (const k of ['maxWorkPerCall', 'maxObjectBytes'] as const) {
    if (!Number.isSafeInteger(out[k]) || out[k] <= 0) throw new InvalidOptionError(`options.${k} must be a positive integer`);
  }
  return Object.freeze(out);
}
