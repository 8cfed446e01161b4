import { strict as assert } from 'node:assert';
import { Flag, encodeMessage, frameHeader } from '../../../../../core/protocol/transport/zmtp/wire.ts';

/** The reference encoding of a long frame's size (spec 37: 8 bytes, network order), made with a BigInt. */
function longHeader(flags: number, size: number): Buffer {
  const h = Buffer.alloc(9);
  h[0] = flags | Flag.LONG;
  h.writeBigUInt64BE(BigInt(size), 1);
  return h;
}

describe('zmtp wire - frame sizes', () => {
  it('wire - frameHeader writes a long size byte for byte as 8 big-endian bytes, across the 32-bit boundary and up to 2^53 - 1', () => {
    for (const size of [256, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 3, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER]) {
      for (const flags of [0, Flag.MORE]) assert.deepEqual(frameHeader(flags, size), longHeader(flags, size), `size ${size}`);
    }
    assert.deepEqual(frameHeader(Flag.MORE, 255), Buffer.from([Flag.MORE, 255]));
  });

  it('wire - encodeMessage frames short and long frames as the spec says, MORE on all but the last', () => {
    const frames = [new Uint8Array(3).fill(1), new Uint8Array(256).fill(2), new Uint8Array(70_000).fill(3), new Uint8Array(0)];
    const expected = Buffer.concat([
      Buffer.from([Flag.MORE, 3]), frames[0]!,
      longHeader(Flag.MORE, 256), frames[1]!,
      longHeader(Flag.MORE, 70_000), frames[2]!,
      Buffer.from([0, 0]),
    ]);
    assert.deepEqual(encodeMessage(frames), expected);
  });
});
