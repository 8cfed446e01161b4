import { strict as assert } from 'node:assert';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { BadFrameError } from '../../../../core/protocol/errors.ts';

describe('wire - array headers', () => {
  it('array header - 5 bytes declaring 30 million elements are refused before anything is allocated (found by bench/fuzz)', () => {
    const frame = Buffer.from([0xdd, 0x01, 0xc9, 0xc3, 0x80]); // array32 of 30,000,000 (under V8's 32 Mi fast-array limit: a real allocation)
    const peakBefore = process.resourceUsage().maxRSS;
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) { try { new WireCodec().decodeValue([frame]); } catch (e) { errors.push(e); } }
    const grownKiB = process.resourceUsage().maxRSS - peakBefore;
    assert.ok(grownKiB < 100 * 1024, `peak RSS grew by ${grownKiB} KiB`);
    assert.equal(errors.length, 3);
    for (const e of errors) assert.ok(e instanceof BadFrameError && /declares 30000000 elements/.test(e.message), String(e));
  });

  it('array header - arrays that fit in their bytes decode as before, nested and empty ones too', () => {
    const c = new WireCodec();
    const v = [1, 0, new Uint8Array(8), 1, 'T', 'k', 'm', [[], [[1, 2, 3]], Array.from({ length: 1000 }, (_, i) => i)], null];
    assert.deepEqual(c.decodeValue(c.encodeValue(v)), v);
  });
});
