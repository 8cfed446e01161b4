/**
 * The wire test vectors: one CALL and its reply per object type, the error replies, and the edge
 * cases a second implementation gets wrong first (a large Arrow attachment, an object reference,
 * nested maps and lists). Everything is fixed (client id, seqs, values, stacks) so the files are
 * identical on every run. `replay` marks vectors whose reply a fresh node reproduces (the test sends
 * the request to a real node and compares; error stacks excepted).
 */
import { Kind, ObjectRef, PROTOCOL_VERSION, type CallOptions } from '../protocol.ts';

/** The fixed client id of every request vector. */
export const CLIENT_ID = new Uint8Array([0xc0, 0xff, 0xee, 0x00, 0x00, 0x00, 0x00, 0x01]);

export interface VectorCase {
  /** File stem: `<name>.request.bin`, `<name>.response.bin`, `<name>.json`. */
  name: string;
  description: string;
  request: unknown[];
  response: unknown[];
  /** A fresh node answers `request` with `response` (for errors: same code, name and message). */
  replay: boolean;
}

let nextSeq = 0;
function call(type: string, key: string, method: string, args: unknown[], opts: CallOptions | null = null): unknown[] {
  return [PROTOCOL_VERSION, Kind.CALL, CLIENT_ID, ++nextSeq, type, key, method, args, opts];
}
const seqOf = (req: unknown[]) => req[3] as number;
const ok = (req: unknown[], value: unknown): unknown[] => [PROTOCOL_VERSION, Kind.OK, seqOf(req), value];
const error = (seq: number | null, code: string, name: string, message: string, stack = ''): unknown[] =>
  [PROTOCOL_VERSION, Kind.ERROR, seq, { code, name, message, stack }];

function pair(name: string, description: string, request: unknown[], value: unknown, replay = true): VectorCase {
  return { name, description, request, response: ok(request, value), replay };
}

/** A fixed, plausible remote stack: stacks are free text, so vectors need not come from a real throw. */
const REMOTE_STACK = 'RangeError: learning rate must be positive\n    at Trainer.step (file:///app/ml/sgd.ts:42:11)\n    at Worker.run (file:///app/workers/task.ts:17:5)';

function build(): VectorCase[] {
  nextSeq = 0;
  const out: VectorCase[] = [];
  const req = (type: string, key: string, method: string, args: unknown[], opts: CallOptions | null = null) => call(type, key, method, args, opts);

  out.push(pair('atomic-long', 'AtomicLong.addAndGet creating the object with init [10]; 64-bit values travel as Ext INT64',
    req('AtomicLong', 'v-long', 'addAndGet', [5n], { init: [10n] }), 15n));
  out.push(pair('atomic-int', 'AtomicInt.incrementAndGet wrapping from 2^31-1 to -2^31',
    req('AtomicInt', 'v-int', 'incrementAndGet', [], { init: [2147483647] }), -2147483648));
  out.push(pair('atomic-boolean', 'AtomicBoolean.compareAndSet(false, true) on a new object',
    req('AtomicBoolean', 'v-bool', 'compareAndSet', [false, true]), true));
  out.push(pair('atomic-reference', 'AtomicReference.getAndSet with a float and a string in a map; the old value is the init',
    req('AtomicReference', 'v-ref', 'getAndSet', [{ lr: 0.25, name: 'sgd' }], { init: ['old'] }), 'old'));
  out.push(pair('atomic-byte-array', 'AtomicByteArray.getAll; bytes travel as MessagePack bin',
    req('AtomicByteArray', 'v-bytes', 'getAll', [], { init: [new Uint8Array([0, 1, 127, 128, 255])] }), new Uint8Array([0, 1, 127, 128, 255])));
  out.push(pair('atomic-counter', 'AtomicCounter.increment(3)',
    req('AtomicCounter', 'v-counter', 'increment', [3]), 3));
  out.push(pair('atomic-list', 'AtomicList.addAll of mixed scalars',
    req('AtomicList', 'v-list', 'addAll', [[1, 'two', 3.5, null, true]]), true));
  out.push(pair('atomic-map', 'AtomicMap.merge with sum of a Float64Array on an absent key: the reply is the stored vector (Arrow in frame 1)',
    req('AtomicMap', 'v-map', 'merge', ['grad', new Float64Array([0.5, -1, 2]), 'sum']), new Float64Array([0.5, -1, 2])));
  out.push(pair('atomic-tree-map', 'AtomicTreeMap.top(2): [key, value] pairs, largest values first; keys may be numbers or strings',
    req('AtomicTreeMap', 'v-tree', 'top', [2], { init: [[['a', 9], [3, 5], ['b', 1]]] }), [['a', 9], [3, 5]]));
  out.push(pair('atomic-matrix', 'AtomicMatrix.getRow: a Float64Array reply',
    req('AtomicMatrix', 'v-matrix', 'getRow', [1], { init: [2, 2, new Float64Array([1, 2, 3, 4])] }), new Float64Array([3, 4])));
  out.push(pair('cyclic-barrier', 'CyclicBarrier.await with no timeout (nil) on a 1-party barrier: arrival index 0',
    req('CyclicBarrier', 'v-barrier', 'await', [null], { init: [1] }), 0));
  out.push(pair('future', 'Future.set completing a future; the reply to a void method is nil',
    req('Future', 'v-future', 'set', [42]), null));
  out.push(pair('semaphore', 'Semaphore.acquire(1, nil) with a permit available',
    req('Semaphore', 'v-sem', 'acquire', [1, null], { init: [1] }), null));
  out.push(pair('count-down-latch', "CountDownLatch.await(0) while the count is 1: false, as Java's timed await",
    req('CountDownLatch', 'v-latch', 'await', [0], { init: [1] }), false));
  out.push(pair('scalable-cyclic-barrier', 'ScalableCyclicBarrier.arrive(party, generation) on a 1-party barrier: a map reply',
    req('ScalableCyclicBarrier', 'v-sbarrier', 'arrive', ['party-1', 0], { init: [1] }), { generation: 1, index: 0 }));
  out.push(pair('system-ping', '$system.ping: liveness; the key of $system is the empty string',
    req('$system', '', 'ping', []), 'pong'));

  // Values that exercise the codec rather than an object type.
  const big = new Float64Array(100_000).map((_, i) => i * 0.5);
  out.push(pair('float64-1e5', 'AtomicMatrix.setRow with a 1e5-element Float64Array (v[i] = i * 0.5) in an Arrow frame; forceNew and persistent set',
    req('AtomicMatrix', 'v-wide', 'setRow', [0, big], { init: [1, 100_000], forceNew: true, persistent: true }), null));
  out.push(pair('object-ref', 'AtomicReference holding a reference to another shared object (Ext REF); the reply carries it back',
    req('AtomicReference', 'v-holds-ref', 'getAndSet', [new ObjectRef('AtomicLong', 'counter')], { init: [new ObjectRef('AtomicMap', 'model')] }),
    new ObjectRef('AtomicMap', 'model')));
  const nested = { model: { weights: [0.5, [1, 2, { deep: [true, null, 'x'] }]], meta: { epochs: 3, tags: ['a', 'b'] } }, empty: { map: {}, list: [] }, n: -129, u: 65536, f: -1.5 };
  out.push(pair('nested', 'Nested maps and lists with ints of several widths, a float and empty containers',
    req('AtomicReference', 'v-nested', 'getAndSet', [null], { init: [nested] }), nested));

  // Errors.
  const badArg = req('AtomicInt', 'v-int-bad', 'set', ['x']);
  out.push({ name: 'error-bad-argument', description: 'A string where AtomicInt.set wants an int: ERR_BAD_ARGUMENT', replay: true, request: badArg,
    response: error(seqOf(badArg), 'ERR_BAD_ARGUMENT', 'BadArgumentError', 'set(value) must be an integer, got string x') });
  const unknown = req('AtomicLong', 'v-long', 'frobnicate', []);
  out.push({ name: 'error-unknown-method', description: 'A method the type does not have: ERR_UNKNOWN_METHOD', replay: true, request: unknown,
    response: error(seqOf(unknown), 'ERR_UNKNOWN_METHOD', 'UnknownMethodError', 'AtomicLong has no method "frobnicate"') });
  const badFrame = [PROTOCOL_VERSION, Kind.CALL, CLIENT_ID, ++nextSeq, 'AtomicLong', 'v-long', 'get', 'not-a-list', null];
  out.push({ name: 'error-bad-frame', description: 'A CALL whose args is not an array: ERR_BAD_FRAME, answered with the seq when readable', replay: true, request: badFrame,
    response: error(seqOf(badFrame), 'ERR_BAD_FRAME', 'BadFrameError', 'CALL args must be an array') });
  const remote = req('Future', 'v-failed', 'get', [1000]);
  out.push({ name: 'error-remote', description: 'Future.get on a future completed with setError: ERR_REMOTE keeps the remote name and stack', replay: false, request: remote,
    response: error(seqOf(remote), 'ERR_REMOTE', 'RangeError', 'learning rate must be positive', REMOTE_STACK) });
  return out;
}

/** Every vector, freshly built. */
export function vectorCases(): VectorCase[] {
  return build();
}
