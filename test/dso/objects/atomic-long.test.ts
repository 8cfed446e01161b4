import { strict as assert } from 'node:assert';
import { AtomicLong, mulHigh32 } from '../../../dso/objects/atomic-long.ts';

describe('dso atomic-long', () => {
  it('atomic-long - multiply wraps like Java long arithmetic for any operands', () => {
    let seed = 12345;
    const next32 = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return BigInt(seed); };
    const rnd = () => BigInt.asIntN(64, (next32() << 32n) | next32());
    for (let t = 0; t < 500; t++) {
      const v = rnd();
      const f = t % 4 === 0 ? BigInt(t - 250) : rnd();
      const n = t % 9;
      let expected = v;
      for (let i = 0; i < n; i++) expected = BigInt.asIntN(64, expected * f);
      assert.equal(new AtomicLong(v).multiply(f, n), expected, `v=${v} f=${f} n=${n}`);
    }
  });

  it('atomic-long - mulHigh32 is the exact high word of a 32x32 product', () => {
    for (const [a, b] of [[0xffffffff, 0xffffffff], [0x80000000, 2], [123456789, 987654321], [0, 0xffffffff]] as const) {
      assert.equal(BigInt(mulHigh32(a, b)), (BigInt(a) * BigInt(b)) >> 32n);
    }
  });

  it('atomic-long - a negative repetition count is refused', () => {
    assert.throws(() => new AtomicLong(1n).multiply(2, -1), /must be >= 0/);
  });
});
