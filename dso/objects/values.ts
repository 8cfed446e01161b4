/**
 * Helpers the built-in container objects share: equality and ordering of wire values, map-key
 * normalisation and argument checks that `arg` (registry.ts) does not cover. Everything here works
 * on values as the codec decodes them, so a Python client and a TS client see the same behaviour.
 */
import { looksLikeTable } from '../../core/protocol/wire/arrow.ts';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { ObjectRef } from '../../core/protocol/wire/protocol.ts';
import { arg, describe } from '../registry.ts';

/**
 * Set to true by the store on an instance it holds in memory only (not persistent, so no stable
 * storage or kept reply refers to its values): such an object may give a large array it drops back
 * to the receive pool (core/protocol/transport/frame-pool.ts). Absent or false: it never does.
 */
export const IN_MEMORY_ONLY: unique symbol = Symbol('crucial.inMemoryOnly');

/** A value that may be a map key: strings and finite numbers (a safe bigint becomes a number). */
export type MapKey = string | number;

/** Normalises and checks a map key, so 5, 5n and an int from Python all name the same entry. */
export function mapKey(v: unknown, what: string): MapKey {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new BadArgumentError(`${what} must be a string or a finite number, got ${describe(v)}`);
}

/** The total order of tree-map keys: every number before every string; numbers numerically, strings by UTF-16 code units. */
export function compareKeys(a: MapKey, b: MapKey): number {
  const ta = typeof a, tb = typeof b;
  if (ta !== tb) return ta === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Order used to rank values (tree-map `top`): numbers and bigints numerically, then strings, then
 * booleans; anything else (arrays, maps, bytes, nil) ranks below all of them and ties with itself.
 */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 3) {
    const x = a as number | bigint, y = b as number | bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = a as string | boolean, y = b as string | boolean;
  return x < y ? -1 : x > y ? 1 : 0;
}
function rank(v: unknown): number {
  if (typeof v === 'number' || typeof v === 'bigint') return 3;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 1;
  return 0;
}

/**
 * Structural equality of wire values, used by compareAndSet, indexOf and contains. number and
 * bigint are equal when numerically equal (a Python int may arrive as either); typed arrays are
 * equal when of the same class with equal elements; references when they name the same object.
 * Arrow tables compare by identity only.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    try { return BigInt(a) === BigInt(b); } catch { return false; } // BigInt(1.5) throws: not equal
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof ObjectRef || b instanceof ObjectRef) {
    return a instanceof ObjectRef && b instanceof ObjectRef && a.type === b.type && a.key === b.key;
  }
  if (looksLikeTable(a) || looksLikeTable(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

/** Signed 32-bit integer argument (Java `int`): out-of-range values are rejected, not wrapped. */
export function int32(v: unknown, what: string): number {
  const n = arg.int(v, what);
  if (n < -0x80000000 || n > 0x7fffffff) throw new BadArgumentError(`${what} must fit in 32 bits, got ${n}`);
  return n;
}

/** An index in [0, size); out of range is Java's IndexOutOfBoundsException, reported as ERR_BAD_ARGUMENT. */
export function index(v: unknown, size: number, what: string): number {
  const i = arg.int(v, what);
  if (i < 0 || i >= size) throw new BadArgumentError(`${what} ${i} is out of bounds for length ${size}`);
  return i;
}

/** Optional non-negative integer with a default. */
export function count(v: unknown, dflt: number, what: string): number {
  if (v === undefined || v === null) return dflt;
  const n = arg.int(v, what);
  if (n < 0) throw new BadArgumentError(`${what} must be >= 0, got ${n}`);
  return n;
}

/** A numeric vector: any numeric TypedArray (not bigint) or an array of numbers; checks the length if given. */
export function vector(v: unknown, what: string, length?: number): ArrayLike<number> {
  let out: ArrayLike<number>;
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === 'number')) throw new BadArgumentError(`${what} must hold only numbers`);
    out = v;
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
    out = v as unknown as ArrayLike<number>;
  } else {
    throw new BadArgumentError(`${what} must be a Float64Array or an array of numbers, got ${describe(v)}`);
  }
  if (length !== undefined && out.length !== length) throw new BadArgumentError(`${what} must have length ${length}, got ${out.length}`);
  return out;
}

/** A list argument (MessagePack array). */
export function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new BadArgumentError(`${what} must be a list, got ${describe(v)}`);
  return v;
}

/**
 * Entries given either as a map (string keys) or as a list of `[key, value]` pairs (any key type);
 * pairs let number keys keep their type across the wire.
 */
export function entries(v: unknown, what: string): [MapKey, unknown][] {
  if (Array.isArray(v)) {
    return v.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new BadArgumentError(`${what}[${i}] must be a [key, value] pair`);
      return [mapKey(p[0], `${what}[${i}] key`), p[1]];
    });
  }
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ObjectRef) && !looksLikeTable(v)) {
    return Object.entries(v);
  }
  throw new BadArgumentError(`${what} must be a map or a list of [key, value] pairs, got ${describe(v)}`);
}
