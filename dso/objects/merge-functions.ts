/**
 * Server-side functions for `AtomicMap.merge` / `mergeAll`, named on the wire by a string so a
 * Python client can use them too. Running the combine on the node is the point of the seed's
 * design: N workers aggregating into one map cost N messages, not N round trips of read-modify-write.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { describe } from '../registry.ts';
import { compareValues } from './values.ts';
import { chargeBytes } from '../limits.ts';

/** Combines the current value with the given one; may update `old` in place when the map owns it. */
export type MergeFn = (old: unknown, value: unknown) => unknown;

const isTyped = (v: unknown): v is Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint16Array | Uint32Array =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Uint8Array) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

function sum(old: unknown, value: unknown): unknown {
  if (typeof old === 'number' && typeof value === 'number') return old + value;
  if (typeof old === 'bigint' || typeof value === 'bigint') {
    if ((typeof old === 'bigint' || Number.isSafeInteger(old)) && (typeof value === 'bigint' || Number.isSafeInteger(value))) {
      return BigInt.asIntN(64, BigInt(old as bigint) + BigInt(value as bigint));
    }
  }
  if (isTyped(old) && isTyped(value)) {
    if (old.length !== value.length) throw new BadArgumentError(`sum: vectors differ in length (${old.length} vs ${value.length})`);
    // Elementwise in place: the stored vector is the map's own copy (see AtomicMap.own).
    for (let i = 0; i < old.length; i++) old[i]! += value[i]!;
    return old;
  }
  if (Array.isArray(old) && Array.isArray(value) && old.every((x) => typeof x === 'number') && value.every((x) => typeof x === 'number')) {
    if (old.length !== value.length) throw new BadArgumentError(`sum: lists differ in length (${old.length} vs ${value.length})`);
    return old.map((x: number, i) => x + (value[i] as number));
  }
  throw new BadArgumentError(`sum cannot combine ${describe(old)} and ${describe(value)}`);
}

function comparable(old: unknown, value: unknown, fn: string): void {
  const ok = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string';
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (!ok(old) || !ok(value) || numeric(old) !== numeric(value)) throw new BadArgumentError(`${fn} cannot compare ${describe(old)} and ${describe(value)}`);
}

function concat(old: unknown, value: unknown): unknown {
  if (typeof old === 'string' && typeof value === 'string') { chargeBytes(2 * (old.length + value.length), 'concat'); return old + value; }
  if (Array.isArray(old) && Array.isArray(value)) { chargeBytes(8 * (old.length + value.length), 'concat'); return old.concat(value); }
  if (old instanceof Uint8Array && value instanceof Uint8Array) {
    chargeBytes(old.length + value.length, 'concat');
    const out = new Uint8Array(old.length + value.length);
    out.set(old);
    out.set(value, old.length);
    return out;
  }
  throw new BadArgumentError(`concat cannot combine ${describe(old)} and ${describe(value)} (both must be lists, strings or bytes)`);
}

/** The functions a merge may name. */
export const MERGE_FUNCTIONS: Readonly<Record<string, MergeFn>> = {
  sum,
  min: (a, b) => { comparable(a, b, 'min'); return compareValues(b, a) < 0 ? b : a; },
  max: (a, b) => { comparable(a, b, 'max'); return compareValues(b, a) > 0 ? b : a; },
  replace: (_a, b) => b,
  concat,
};

/** Looks up a merge function by name; unknown names are a bad argument. */
export function mergeFunction(name: unknown): MergeFn {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(MERGE_FUNCTIONS, name)) {
    throw new BadArgumentError(`merge function must be one of ${Object.keys(MERGE_FUNCTIONS).join(', ')}; got ${describe(name)}`);
  }
  return MERGE_FUNCTIONS[name]!;
}
