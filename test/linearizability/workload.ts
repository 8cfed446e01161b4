/**
 * What the clients of a history ask for: for every mutating built-in type, its constructor
 * arguments and a random call drawn from a small domain of values, so calls collide (compareAndSet
 * succeeds, removes find what adds put, indexes are sometimes out of range and fail). Only
 * methods that answer at once are drawn: a parked call (acquire, await without a timeout) has no
 * sequential specification; Future.get(0) and CountDownLatch.await(0) stand in for the waits.
 */
import type { Rng } from './rng.ts';

export interface Call {
  method: string;
  args: unknown[];
}

export interface TypeWorkload {
  /** Constructor arguments (the node builds the object from them). */
  init(r: Rng): unknown[];
  /** One random call. */
  call(r: Rng): Call;
  /** Methods that may park on the node: never resent twice on one socket (the node answers a joined resend once). */
  parks?: readonly string[];
}

const c = (method: string, ...args: unknown[]): Call => ({ method, args });
const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = 2n ** 63n - 1n;
const wrap32 = (v: number) => v | 0;

/** A value near `base`: the few values concurrent calls keep landing on. */
const near = (r: Rng, base: number) => wrap32(base + r.int(-1, 2));

/** Byte-like values: mostly 0..3 so compareAndSet succeeds, sometimes signed or the top byte. */
const byteish = (r: Rng) => (r.chance(0.8) ? r.int(0, 3) : r.pick([-1, -128, 255]));

/** Values an AtomicReference holds: structural equality makes 1 and 1n the same, [1,'a'] equal to its copy. */
const REFERENCE_VALUES: readonly (() => unknown)[] = [
  () => null, () => 1, () => 2, () => 1n, () => 'a', () => [1, 'a'], () => ({ x: 1 }), () => Uint8Array.of(1, 2),
];

const MAP_KEYS: readonly (string | number)[] = ['a', 'b', 'c', 1, '1'];
const TREE_KEYS: readonly (string | number)[] = [1, 2, 10, -1.5, 'a', 'b', '10'];
const TREE_VALUES: readonly unknown[] = [0, 1, 2, 3, 5, 'x', 'y', true];
const MERGE_FNS = ['sum', 'min', 'max', 'replace'] as const;
const half = (r: Rng) => r.int(-8, 8) / 2;

export const WORKLOADS: Readonly<Record<string, TypeWorkload>> = {
  AtomicInt: {
    init: (r) => [r.pick([0, 5, INT32_MAX - 1, -INT32_MAX])],
    call(r) {
      const m = r.weighted({ get: 3, set: 1, getAndSet: 1, addAndGet: 2, getAndAdd: 2, incrementAndGet: 1, decrementAndGet: 1, getAndIncrement: 1, getAndDecrement: 1, compareAndSet: 3 });
      const v = () => near(r, r.pick([0, 5, INT32_MAX, -INT32_MAX]));
      if (m === 'set' || m === 'getAndSet') return c(m, v());
      if (m === 'addAndGet' || m === 'getAndAdd') return c(m, r.int(-2, 2));
      if (m === 'compareAndSet') return c(m, v(), v());
      return c(m);
    },
  },
  AtomicLong: {
    init: (r) => [r.pick([0n, 7n, INT64_MAX - 1n, -INT64_MAX])],
    call(r) {
      const m = r.weighted({ get: 3, set: 1, getAndSet: 1, addAndGet: 2, getAndAdd: 2, incrementAndGet: 1, decrementAndGet: 1, getAndIncrement: 1, getAndDecrement: 1, compareAndSet: 3, multiply: 1 });
      // Arguments travel as bigint or as a safe number: the node must treat both alike.
      const long = (v: bigint) => (r.chance(0.5) && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v);
      const v = () => BigInt.asIntN(64, r.pick([0n, 7n, INT64_MAX, -INT64_MAX]) + BigInt(r.int(-1, 2)));
      if (m === 'set' || m === 'getAndSet') return c(m, long(v()));
      if (m === 'addAndGet' || m === 'getAndAdd') return c(m, long(BigInt(r.int(-2, 2))));
      if (m === 'compareAndSet') return c(m, long(v()), long(v()));
      if (m === 'multiply') return c(m, long(r.pick([-1n, 1n, 2n, 3n, 2n ** 40n])), r.int(0, 3));
      return c(m);
    },
  },
  AtomicBoolean: {
    init: (r) => [r.chance(0.5)],
    call(r) {
      const m = r.weighted({ get: 2, set: 1, getAndSet: 1, compareAndSet: 3 });
      if (m === 'set' || m === 'getAndSet') return c(m, r.chance(0.5));
      if (m === 'compareAndSet') return c(m, r.chance(0.5), r.chance(0.5));
      return c(m);
    },
  },
  AtomicReference: {
    init: (r) => [r.pick(REFERENCE_VALUES)()],
    call(r) {
      const m = r.weighted({ get: 2, set: 1, getAndSet: 1, compareAndSet: 3 });
      const v = () => r.pick(REFERENCE_VALUES)();
      if (m === 'set' || m === 'getAndSet') return c(m, v());
      if (m === 'compareAndSet') return c(m, v(), v());
      return c(m);
    },
  },
  AtomicByteArray: {
    init: (r) => [r.chance(0.5) ? 4 : Uint8Array.from({ length: 4 }, () => r.int(0, 3))],
    call(r) {
      const m = r.weighted({ length: 1, get: 3, set: 1, getAndSet: 1, getAndAdd: 1, addAndGet: 1, compareAndSet: 3, getAll: 2, setAll: 1 });
      const i = r.chance(0.95) ? r.int(0, 3) : r.pick([-1, 4]);
      if (m === 'get') return c(m, i);
      if (m === 'set' || m === 'getAndSet') return c(m, i, byteish(r));
      if (m === 'getAndAdd' || m === 'addAndGet') return c(m, i, r.pick([-1, 1, 2, 255, 300]));
      if (m === 'compareAndSet') return c(m, i, byteish(r), byteish(r));
      if (m === 'setAll') return c(m, Uint8Array.from({ length: r.chance(0.9) ? 4 : 3 }, () => byteish(r) & 0xff));
      return c(m);
    },
  },
  AtomicCounter: {
    init: (r) => [r.pick([0, 3, Number.MAX_SAFE_INTEGER - 4])],
    call(r) {
      const m = r.weighted({ increment: 3, decrement: 2, tally: 3, reset: 1 });
      if (m === 'increment' || m === 'decrement') return c(m, r.int(1, 3));
      return c(m);
    },
  },
  AtomicList: {
    init: (r) => [r.chance(0.5) ? [] : [1, 2]],
    call(r) {
      const m = r.weighted({ add: 3, insert: 2, addAll: 1, get: 2, set: 1, remove: 2, removeValue: 2, size: 1, isEmpty: 1, clear: 0.3, indexOf: 1, lastIndexOf: 1, contains: 1, toArray: 2, subList: 1 });
      const v = () => r.int(0, 3);
      const i = () => r.int(0, 4);
      if (m === 'add' || m === 'removeValue' || m === 'indexOf' || m === 'lastIndexOf' || m === 'contains') return c(m, v());
      if (m === 'insert' || m === 'set') return c(m, i(), v());
      if (m === 'addAll') return c(m, Array.from({ length: r.int(0, 2) }, v));
      if (m === 'get' || m === 'remove') return c(m, i());
      if (m === 'subList') { const f = r.int(0, 3); return c(m, f, f + r.int(0, 2)); }
      return c(m);
    },
  },
  AtomicMap: {
    init: (r) => [r.chance(0.5) ? [] : [['a', 1], [1, 2]]],
    call(r) {
      const m = r.weighted({ get: 2, getOrDefault: 1, put: 3, putAll: 1, putIfAbsent: 2, remove: 2, containsKey: 1, size: 1, isEmpty: 1, clear: 0.3, keys: 1, values: 1, entries: 2, merge: 3, mergeAll: 1 });
      const k = () => r.pick(MAP_KEYS);
      const v = () => r.int(0, 5);
      const pairs = () => Array.from({ length: r.int(0, 3) }, () => [k(), v()]);
      if (m === 'get' || m === 'remove' || m === 'containsKey') return c(m, k());
      if (m === 'getOrDefault') return c(m, k(), -1);
      if (m === 'put' || m === 'putIfAbsent') return c(m, k(), v());
      if (m === 'putAll') return c(m, pairs());
      if (m === 'merge') return c(m, k(), v(), r.pick(MERGE_FNS));
      if (m === 'mergeAll') return c(m, pairs(), r.pick(MERGE_FNS));
      return c(m);
    },
  },
  AtomicTreeMap: {
    init: (r) => [r.chance(0.5) ? [] : [['b', 1], [2, 3]]],
    call(r) {
      const m = r.weighted({ get: 2, put: 4, remove: 2, containsKey: 1, size: 1, clear: 0.3, firstKey: 1, lastKey: 1, keys: 1, entries: 1, headMap: 1, tailMap: 1, top: 2 });
      const k = () => r.pick(TREE_KEYS);
      if (m === 'get' || m === 'remove' || m === 'containsKey' || m === 'headMap' || m === 'tailMap') return c(m, k());
      if (m === 'put') return c(m, k(), r.pick(TREE_VALUES));
      if (m === 'top') return c(m, r.int(0, 4));
      return c(m);
    },
  },
  AtomicMatrix: {
    init: (r) => (r.chance(0.5) ? [2, 3] : [2, 3, Float64Array.from({ length: 6 }, () => half(r))]),
    call(r) {
      const m = r.weighted({ shape: 0.5, get: 3, set: 1, add: 3, getRow: 2, setRow: 1, addToRow: 2, toArray: 1 });
      const i = () => (r.chance(0.95) ? r.int(0, 1) : 2);
      const j = () => (r.chance(0.95) ? r.int(0, 2) : 3);
      // Rows travel as Float64Array (Arrow) or as a plain list: the node takes both.
      const row = () => { const xs = Array.from({ length: 3 }, () => half(r)); return r.chance(0.5) ? Float64Array.from(xs) : xs; };
      if (m === 'get') return c(m, i(), j());
      if (m === 'set' || m === 'add') return c(m, i(), j(), half(r));
      if (m === 'getRow') return c(m, i());
      if (m === 'setRow' || m === 'addToRow') return c(m, i(), row());
      return c(m);
    },
  },
  Semaphore: {
    init: (r) => [r.int(0, 3)],
    call(r) {
      const m = r.weighted({ tryAcquire: 3, release: 2, availablePermits: 2, drainPermits: 1 });
      // The proxy sends tryAcquire(permits, null): untimed, so it answers at once.
      if (m === 'tryAcquire') return c(m, r.int(0, 2), null);
      if (m === 'release') return c(m, r.int(0, 2));
      return c(m);
    },
  },
  CountDownLatch: {
    init: (r) => [r.int(1, 8)],
    call(r) {
      const m = r.weighted({ countDown: 2, getCount: 2, await: 1 });
      return m === 'await' ? c(m, 0) : c(m);
    },
  },
  Future: {
    init: () => [],
    parks: ['get'],
    call(r) {
      const m = r.weighted({ set: 1, isDone: 2, get: 3 });
      if (m === 'set') return c(m, r.pick([1, 'a', [1, 2]]));
      return m === 'get' ? c(m, 0) : c(m);
    },
  },
};

/** Every type the workload covers. */
export const TYPES: readonly string[] = Object.keys(WORKLOADS);
