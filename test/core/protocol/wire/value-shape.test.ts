import { strict as assert } from 'node:assert';
import { encode } from '@msgpack/msgpack';
import { checkValueShape } from '../../../../core/protocol/wire/value-shape.ts';
import { LimitExceededError, OverloadedError } from '../../../../core/protocol/errors.ts';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { loadArrow } from '../../../../core/protocol/wire/arrow.ts';

const limits = (maxDepth = 512, headroom = Infinity) => ({ maxDepth, headroom: () => headroom });
/** `depth` arrays, one in another, around 7. */
const nested = (depth: number): Uint8Array => new Uint8Array([...new Array(depth).fill(0x91), 7]);
const code = (f: () => void): string | null => { try { f(); return null; } catch (err) { return (err as { code?: string }).code ?? String(err); } };

describe('value-shape', () => {
  before(() => loadArrow());

  it('value-shape - nesting up to the limit passes, one level more is ERR_LIMIT, whatever the containers', () => {
    assert.equal(code(() => checkValueShape(nested(512), 0, limits())), null);
    assert.equal(code(() => checkValueShape(nested(513), 0, limits())), 'ERR_LIMIT');
    // Maps count as levels too: {"a": {"a": ... 7}}.
    const maps = (d: number) => new Uint8Array([...Array.from({ length: d }, () => [0x81, 0xa1, 0x61]).flat(), 7]);
    assert.equal(code(() => checkValueShape(maps(10), 0, limits(10))), null);
    assert.equal(code(() => checkValueShape(maps(11), 0, limits(10))), 'ERR_LIMIT');
    // 30 million levels (the request that took a node past V8's heap) stop at the limit, not at the end.
    const huge = new Uint8Array(30_000_000).fill(0x91);
    assert.throws(() => checkValueShape(huge, 0, limits()), (e: unknown) => e instanceof LimitExceededError && /deeper than 512/.test(e.message));
  });

  it('value-shape - a value that decodes to far more than its size (empty maps, empty arrays) is ERR_LIMIT past the 1 MiB floor', () => {
    const empties = (n: number, byte: number) => new Uint8Array([0xdd, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...new Array(n).fill(byte)]);
    assert.equal(code(() => checkValueShape(empties(10_000, 0x80), 0, limits())), null, '10,000 empty maps: under the floor');
    assert.equal(code(() => checkValueShape(empties(100_000, 0x80), 0, limits())), 'ERR_LIMIT');
    assert.equal(code(() => checkValueShape(empties(100_000, 0x90), 0, limits())), 'ERR_LIMIT');
  });

  it('value-shape - data programs send (numbers, strings, small records, bytes) passes however large', () => {
    const values: unknown[] = [
      Array.from({ length: 200_000 }, (_, i) => i * 1.5),
      Array.from({ length: 200_000 }, (_, i) => i % 100),
      Array.from({ length: 100_000 }, (_, i) => `w${i}`),
      Array.from({ length: 50_000 }, (_, i) => ({ x: i % 100, y: (i * 7) % 100 })),
      Array.from({ length: 20_000 }, (_, i) => [i, i + 1, `k${i}`]),
      new Uint8Array(10_000_000),
      'x'.repeat(5_000_000),
    ];
    for (const v of values) assert.equal(code(() => checkValueShape(encode(v), 0, limits())), null);
  });

  it('value-shape - a value past the heap headroom is ERR_OVERLOADED (retry later), not ERR_LIMIT', () => {
    const records = encode(Array.from({ length: 50_000 }, (_, i) => ({ x: i % 100 })));
    assert.throws(() => checkValueShape(records, 0, limits(512, 1024 * 1024)), OverloadedError);
    assert.equal(code(() => checkValueShape(records, 0, limits(512, 64 * 1024 * 1024))), null);
  });

  it('value-shape - truncated or malformed bytes end the pass quietly (the decoder reports them)', () => {
    for (const b of [new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), new Uint8Array([0x92, 0xc1]), new Uint8Array([0xc6, 0, 0, 0, 9, 1]), new Uint8Array(0)]) {
      assert.equal(code(() => checkValueShape(b, 0, limits())), null);
    }
  });

  it('value-shape - a codec with shape limits refuses a CALL whose args or opts are too deep, and decodes the rest as before', () => {
    const node = new WireCodec(undefined, { strictStrings: true, shapeLimits: limits(16) });
    const client = new Uint8Array(8).fill(1);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    const sender = new WireCodec();
    assert.throws(() => node.decodeCall(sender.encodeCall(client, 1, 'AtomicReference', 'k', 'set', [deep])), LimitExceededError);
    assert.throws(() => node.decodeCall(sender.encodeCall(client, 2, 'AtomicReference', 'k', 'get', [], { init: [deep] })), LimitExceededError);
    const ok = node.decodeCall(sender.encodeCall(client, 3, 'AtomicReference', 'k', 'set', [[[[1]]]]));
    assert.deepEqual(ok.args, [[[[1]]]]);
    assert.deepEqual(node.decodeCall(sender.encodeCall(client, 4, 'AtomicLong', 'k', 'addAndGet', [5])).args, [5]);
  });
});
