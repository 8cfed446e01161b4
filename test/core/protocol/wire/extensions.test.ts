import { strict as assert } from 'node:assert';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { BadArgumentError, NotSerializableError } from '../../../../core/protocol/errors.ts';
import { loadArrow } from '../../../../core/protocol/wire/arrow.ts';

/** What the value hooks refuse before anything is sent: values MessagePack would lose or misstate. */
describe('wire extensions: values refused before they are sent', () => {
  const codec = new WireCodec();
  const client = new Uint8Array(8);
  const encode = (args: unknown[]) => codec.encodeCallFast(client, 1, 'AtomicReference', 'k', 'set', args);
  const encodeSlow = (args: unknown[]) => codec.encodeCall(client, 1, 'AtomicReference', 'k', 'set', args);
  before(loadArrow);

  it('a bigint outside the signed 64-bit range is ERR_BAD_ARGUMENT; its bounds pass', () => {
    for (const v of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, [1, { deep: 2n ** 70n }]]) {
      for (const enc of [encode, encodeSlow]) {
        assert.throws(() => enc([v]), (e: unknown) => e instanceof BadArgumentError && e.code === 'ERR_BAD_ARGUMENT' && /does not fit in 64 bits/.test(e.message));
      }
    }
    for (const v of [2n ** 63n - 1n, -(2n ** 63n)]) assert.ok(encode([v]).length >= 1);
  });

  it('a Map, Set, function, symbol or promise anywhere in a value is ERR_NOT_SERIALIZABLE, named', () => {
    const cases: [unknown, string][] = [
      [new Map([['a', 1]]), 'a Map'], [new Set([1]), 'a Set'], [() => 1, 'a function'], [Symbol('s'), 'a symbol'],
      [Promise.resolve(1), 'a Promise'], [{ inner: [new Map()] }, 'a Map'], [new WeakMap(), 'a WeakMap'],
    ];
    for (const [v, name] of cases) {
      for (const enc of [encode, encodeSlow]) {
        assert.throws(() => enc([v]), (e: unknown) => e instanceof NotSerializableError && e.code === 'ERR_NOT_SERIALIZABLE' && e.message.startsWith(`${name} cannot travel as a value`));
      }
    }
  });

  it('plain objects, arrays, bytes and typed arrays still encode', () => {
    for (const v of [{ a: 1, b: [2, 'x'] }, new Uint8Array(3), new Float64Array(4), null, 'text']) assert.ok(encode([v]).length >= 1);
  });
});
