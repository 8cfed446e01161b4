/**
 * The method schema of the built-in object types: for each type its constructor arguments and
 * every method callable over the wire, with argument kinds, result kind, whether it changes the
 * object and whether it may park the caller. Data only, no logic: the node takes its callable
 * method names from here (dso/registry.ts), and tests in both languages check the node classes,
 * the TS proxies and the Python proxies against it (and against its JSON form,
 * core/protocol/wire/vectors/schema.json), so a method cannot exist on one side only.
 */

/** How the node checks an argument (dso/registry.ts `arg`, dso/objects/values.ts). */
export type ArgKind =
  | 'int' // an integer (number or safe bigint)
  | 'int32' // an integer that fits in 32 bits (Java int)
  | 'long' // a 64-bit integer (bigint or safe number)
  | 'number' // any number (float64)
  | 'bool'
  | 'byte' // an integer in -128..255, stored modulo 256
  | 'bytes' // MessagePack bin (Uint8Array / Python bytes)
  | 'lengthOrBytes' // AtomicByteArray's initial: a length or the content
  | 'index' // an integer index checked against the current size
  | 'count' // a non-negative integer
  | 'key' // a map key: string or finite number
  | 'value' // any wire value
  | 'list' // a MessagePack array
  | 'entries' // a map or a list of [key, value] pairs
  | 'vector' // a Float64Array or a list of numbers
  | 'mergeFn' // the name of a server-side merge function (dso/objects/merge-functions.ts)
  | 'timeoutMs' // milliseconds, nil = wait for ever
  | 'error'; // error data {code, name, message, stack}

/** What a method answers. */
export type ResultKind =
  | 'nil' | 'int' | 'long' | 'number' | 'bool' | 'bytes' | 'value' | 'list' | 'vector'
  | 'key?' // a key or nil
  | 'keys' // a list of keys
  | 'pair?' // a [key, value] pair or nil
  | 'pairs' // a list of [key, value] pairs
  | 'shape' // [rows, cols]
  | 'arrival' // {generation, index}
  | 'value|bool'; // the overloads of remove/replace: the old value, or whether it applied

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** May be left out (trailing arguments only); the node applies its default. */
  readonly optional?: true;
}

export interface MethodSpec {
  readonly args: readonly ArgSpec[];
  readonly result: ResultKind;
  /** May change the object's state (a read-only method never does). */
  readonly mutating: boolean;
  /** May park the caller on the node until another call (or a timeout) releases it. */
  readonly blocking: boolean;
}

/**
 * Where a proxy differs from the wire methods, on purpose. Everything not listed here must be a
 * method of both proxies under its wire name (TS) and its snake_case name (Python).
 */
export interface ProxyExceptions {
  /** Wire methods no proxy exposes as such (used inside a client-side method). */
  readonly wireOnly?: readonly string[];
  /** Client-side methods of both proxies built from wire calls, with no wire method of that name. */
  readonly clientSide?: readonly string[];
  /** Python-only idioms (aliases, dunder-like conveniences), each built on the wire methods. */
  readonly pythonOnly?: readonly string[];
}

export interface TypeSpec {
  /** Constructor arguments (the `init` call option). */
  readonly init: readonly ArgSpec[];
  /** Its blocking calls park on the node without holding up later calls on the object. */
  readonly parkable: boolean;
  readonly methods: Readonly<Record<string, MethodSpec>>;
  readonly proxy?: ProxyExceptions;
}

const a = (name: string, kind: ArgKind): ArgSpec => ({ name, kind });
const opt = (name: string, kind: ArgKind): ArgSpec => ({ name, kind, optional: true });
/** A read-only method. */
const read = (result: ResultKind, ...args: ArgSpec[]): MethodSpec => ({ args, result, mutating: false, blocking: false });
/** A method that may change the object. */
const write = (result: ResultKind, ...args: ArgSpec[]): MethodSpec => ({ args, result, mutating: true, blocking: false });
/** A method that may park the caller (and changes the object: it joins a wait queue). */
const park = (result: ResultKind, ...args: ArgSpec[]): MethodSpec => ({ args, result, mutating: true, blocking: true });

/** AtomicInt and AtomicLong share their methods; only the width differs. */
function integer(k: 'int32' | 'long', r: 'int' | 'long'): Record<string, MethodSpec> {
  return {
    get: read(r),
    set: write('nil', a('value', k)),
    getAndSet: write(r, a('value', k)),
    addAndGet: write(r, a('delta', k)),
    getAndAdd: write(r, a('delta', k)),
    incrementAndGet: write(r),
    decrementAndGet: write(r),
    getAndIncrement: write(r),
    getAndDecrement: write(r),
    compareAndSet: write('bool', a('expect', k), a('update', k)),
  };
}

/** The map methods AtomicMap and AtomicTreeMap share. */
const mapMethods: Record<string, MethodSpec> = {
  get: read('value', a('key', 'key')),
  getOrDefault: read('value', a('key', 'key'), opt('dflt', 'value')),
  put: write('value', a('key', 'key'), opt('value', 'value')),
  putAll: write('nil', a('map', 'entries')),
  putIfAbsent: write('value', a('key', 'key'), opt('value', 'value')),
  remove: write('value|bool', a('key', 'key'), opt('value', 'value')),
  replace: write('value|bool', a('key', 'key'), a('value', 'value'), opt('update', 'value')),
  merge: write('value', a('key', 'key'), a('value', 'value'), a('fn', 'mergeFn')),
  containsKey: read('bool', a('key', 'key')),
  containsValue: read('bool', opt('value', 'value')),
  size: read('int'),
  isEmpty: read('bool'),
  clear: write('nil'),
  keys: read('keys'),
  values: read('list'),
  entries: read('pairs'),
};

/** Every built-in type, by its wire name. */
export const BUILTIN_TYPES: Readonly<Record<string, TypeSpec>> = {
  AtomicInt: { init: [opt('initial', 'int32')], parkable: false, methods: integer('int32', 'int') },
  AtomicLong: {
    init: [opt('initial', 'long')],
    parkable: false,
    methods: { ...integer('long', 'long'), multiply: write('long', a('factor', 'long'), opt('times', 'int')) },
  },
  AtomicBoolean: {
    init: [opt('initial', 'bool')],
    parkable: false,
    methods: {
      get: read('bool'),
      set: write('nil', a('value', 'bool')),
      getAndSet: write('bool', a('value', 'bool')),
      compareAndSet: write('bool', a('expect', 'bool'), a('update', 'bool')),
    },
  },
  AtomicReference: {
    init: [opt('initial', 'value')],
    parkable: false,
    methods: {
      get: read('value'),
      set: write('nil', opt('value', 'value')),
      getAndSet: write('value', opt('value', 'value')),
      compareAndSet: write('bool', opt('expect', 'value'), opt('update', 'value')),
    },
  },
  AtomicByteArray: {
    init: [a('init', 'lengthOrBytes')],
    parkable: false,
    methods: {
      length: read('int'),
      get: read('int', a('index', 'index')),
      set: write('nil', a('index', 'index'), a('value', 'byte')),
      getAndSet: write('int', a('index', 'index'), a('value', 'byte')),
      getAndAdd: write('int', a('index', 'index'), a('delta', 'int')),
      addAndGet: write('int', a('index', 'index'), a('delta', 'int')),
      incrementAndGet: write('int', a('index', 'index')),
      decrementAndGet: write('int', a('index', 'index')),
      getAndIncrement: write('int', a('index', 'index')),
      getAndDecrement: write('int', a('index', 'index')),
      compareAndSet: write('bool', a('index', 'index'), a('expect', 'byte'), a('update', 'byte')),
      getAll: read('bytes'),
      setAll: write('nil', a('bytes', 'bytes')),
    },
  },
  AtomicCounter: {
    init: [opt('initial', 'int')],
    parkable: false,
    methods: {
      increment: write('int', opt('by', 'int')),
      decrement: write('int', opt('by', 'int')),
      tally: read('int'),
      reset: write('int'),
    },
  },
  AtomicList: {
    init: [opt('initial', 'list')],
    parkable: false,
    methods: {
      add: write('bool', opt('value', 'value')),
      insert: write('nil', a('index', 'int'), opt('value', 'value')),
      addAll: write('bool', a('values', 'list')),
      insertAll: write('bool', a('index', 'int'), a('values', 'list')),
      get: read('value', a('index', 'index')),
      set: write('value', a('index', 'index'), opt('value', 'value')),
      remove: write('value', a('index', 'index')),
      removeValue: write('bool', opt('value', 'value')),
      removeAll: write('bool', a('values', 'list')),
      retainAll: write('bool', a('values', 'list')),
      containsAll: read('bool', a('values', 'list')),
      size: read('int'),
      isEmpty: read('bool'),
      clear: write('nil'),
      indexOf: read('int', opt('value', 'value')),
      lastIndexOf: read('int', opt('value', 'value')),
      contains: read('bool', opt('value', 'value')),
      toArray: read('list'),
      subList: read('list', a('from', 'int'), a('to', 'int')),
    },
    proxy: { pythonOnly: ['append', 'extend', 'pop', 'to_list'] },
  },
  AtomicMap: {
    init: [opt('initial', 'entries')],
    parkable: false,
    methods: { ...mapMethods, mergeAll: write('int', a('map', 'entries'), a('fn', 'mergeFn')) },
    proxy: { pythonOnly: ['items', 'pop', 'setdefault', 'to_dict', 'update'] },
  },
  AtomicTreeMap: {
    init: [opt('initial', 'entries')],
    parkable: false,
    methods: {
      ...mapMethods,
      firstKey: read('key?'),
      lastKey: read('key?'),
      firstEntry: read('pair?'),
      lastEntry: read('pair?'),
      pollFirstEntry: write('pair?'),
      pollLastEntry: write('pair?'),
      floorKey: read('key?', a('key', 'key')),
      ceilingKey: read('key?', a('key', 'key')),
      lowerKey: read('key?', a('key', 'key')),
      higherKey: read('key?', a('key', 'key')),
      floorEntry: read('pair?', a('key', 'key')),
      ceilingEntry: read('pair?', a('key', 'key')),
      lowerEntry: read('pair?', a('key', 'key')),
      higherEntry: read('pair?', a('key', 'key')),
      descendingKeys: read('keys'),
      descendingMap: read('pairs'),
      headMap: read('pairs', a('toKey', 'key'), opt('inclusive', 'bool')),
      tailMap: read('pairs', a('fromKey', 'key'), opt('inclusive', 'bool')),
      subMap: read('pairs', a('fromKey', 'key'), a('toKey', 'key'), opt('fromInclusive', 'bool'), opt('toInclusive', 'bool')),
      top: read('pairs', a('k', 'count')),
    },
    proxy: { pythonOnly: ['items', 'update'] },
  },
  AtomicMatrix: {
    init: [a('rows', 'int'), a('cols', 'int'), opt('initial', 'vector')],
    parkable: false,
    methods: {
      shape: read('shape'),
      get: read('number', a('row', 'index'), a('col', 'index')),
      set: write('nil', a('row', 'index'), a('col', 'index'), a('value', 'number')),
      add: write('number', a('row', 'index'), a('col', 'index'), a('delta', 'number')),
      getRow: read('vector', a('row', 'index')),
      setRow: write('nil', a('row', 'index'), a('values', 'vector')),
      addToRow: write('nil', a('row', 'index'), a('values', 'vector')),
      toArray: read('vector'),
    },
    proxy: { pythonOnly: ['to_numpy'] },
  },
  CyclicBarrier: {
    init: [a('parties', 'int')],
    parkable: true,
    methods: {
      await: park('int', opt('timeoutMs', 'timeoutMs')),
      reset: write('nil'),
      isBroken: read('bool'),
      getParties: read('int'),
      getNumberWaiting: read('int'),
    },
    proxy: { pythonOnly: ['abort', 'wait'] },
  },
  ScalableCyclicBarrier: {
    init: [a('parties', 'int')],
    parkable: false,
    methods: {
      arrive: write('arrival', a('party', 'key'), a('generation', 'int')),
      generation: read('int'),
      getParties: read('int'),
      getNumberWaiting: read('int'),
    },
    // No call parks on the node: `await` arrives, then polls `generation` from the client.
    proxy: { wireOnly: ['arrive'], clientSide: ['await'], pythonOnly: ['wait'] },
  },
  Semaphore: {
    init: [a('permits', 'int')],
    parkable: true,
    methods: {
      acquire: park('nil', opt('permits', 'count'), opt('timeoutMs', 'timeoutMs')),
      tryAcquire: park('bool', opt('permits', 'count'), opt('timeoutMs', 'timeoutMs')),
      release: write('nil', opt('permits', 'count')),
      availablePermits: read('int'),
      drainPermits: write('int'),
      getQueueLength: read('int'),
    },
  },
  CountDownLatch: {
    init: [a('count', 'count')],
    parkable: true,
    methods: {
      countDown: write('nil'),
      getCount: read('int'),
      await: park('bool', opt('timeoutMs', 'timeoutMs')),
    },
    proxy: { pythonOnly: ['wait'] },
  },
  Future: {
    init: [],
    parkable: true,
    methods: {
      set: write('nil', opt('value', 'value')),
      setError: write('nil', a('error', 'error')),
      get: park('value', opt('timeoutMs', 'timeoutMs')),
      isDone: read('bool'),
    },
    // concurrent.futures.Future's names, on the same wire methods.
    proxy: { pythonOnly: ['done', 'result', 'set_result', 'set_exception'] },
  },
};
