import { strict as assert } from 'node:assert';
import {
  POOL_MIN_BYTES, clearFramePool, framePoolStats, pinWrite, recycleFrame, takeFrame, trimIfIdle, unpinWrite,
} from '../../../../core/protocol/transport/frame-pool.ts';

const SIZE = POOL_MIN_BYTES + 8;

describe('frame pool', () => {
  beforeEach(() => clearFramePool());

  it('frame pool - a released buffer is detached at once: every view of it reads as empty, also after the memory is reused', () => {
    const a = takeFrame(SIZE).fill(0x11);
    const held = new Float64Array(a.buffer, 0, 16);
    const reused = framePoolStats.reused;
    assert.equal(recycleFrame(a), true);
    assert.equal(a.length, 0);
    assert.equal(held.length, 0);
    const b = takeFrame(SIZE);
    assert.equal(framePoolStats.reused, reused + 1, 'the next frame of that size reuses the released memory');
    b.fill(0x22);
    assert.equal(held.length, 0);
    assert.equal(held[0], undefined);
  });

  it('frame pool - a buffer released twice, or one it did not hand out, is not taken: no two frames ever share memory', () => {
    const a = takeFrame(SIZE);
    assert.equal(recycleFrame(a), true);
    assert.equal(recycleFrame(a), false);
    const mine = Buffer.allocUnsafe(SIZE);
    assert.equal(recycleFrame(mine), false);
    assert.equal(mine.length, SIZE, 'an array the pool did not hand out is left as it is');
    assert.equal(recycleFrame(new Float64Array(4)), false);
    assert.equal(recycleFrame('not a view'), false);
    const reused = framePoolStats.reused;
    const b = takeFrame(SIZE).fill(1);
    const c = takeFrame(SIZE).fill(2);
    assert.equal(framePoolStats.reused, reused + 1);
    assert.ok(b.every((x) => x === 1) && c.every((x) => x === 2), 'two frames taken after one release do not overlap');
  });

  it('frame pool - a buffer released while a write holds it is reused only after the write is done', () => {
    const a = takeFrame(SIZE).fill(0x33);
    assert.equal(pinWrite(a), true);
    assert.equal(pinWrite(a.subarray(0, 1024)), true, 'any view of the frame pins it');
    assert.equal(recycleFrame(a), true);
    assert.equal(a.length, SIZE, 'still attached while written');
    const other = takeFrame(SIZE).fill(0x44);
    assert.ok(a.every((x) => x === 0x33), 'a frame taken meanwhile is other memory');
    unpinWrite(a);
    assert.equal(a.length, SIZE, 'one write still holds it');
    unpinWrite(a.subarray(0, 1024));
    assert.equal(a.length, 0, 'released once the last write is done');
    const reused = framePoolStats.reused;
    takeFrame(SIZE);
    assert.equal(framePoolStats.reused, reused + 1);
    assert.equal(other.length, SIZE);
  });

  it('frame pool - a pool nobody took a frame from between two idle checks is emptied; one in use is kept', () => {
    recycleFrame(takeFrame(SIZE));
    trimIfIdle(); // a frame was taken since the last check: kept
    let reused = framePoolStats.reused;
    recycleFrame(takeFrame(SIZE));
    assert.equal(framePoolStats.reused, reused + 1);
    trimIfIdle(); // taken again since: kept
    trimIfIdle(); // nothing taken since: emptied
    reused = framePoolStats.reused;
    takeFrame(SIZE);
    assert.equal(framePoolStats.reused, reused, 'the idle pool gave its buffers to the GC');
  });

  it('frame pool - small frames are never pooled, and a pooled buffer serves only a frame of its exact size', () => {
    const small = takeFrame(POOL_MIN_BYTES - 1);
    assert.equal(recycleFrame(small), false);
    const a = takeFrame(SIZE);
    recycleFrame(a);
    const reused = framePoolStats.reused;
    assert.equal(takeFrame(SIZE + 8).length, SIZE + 8);
    assert.equal(framePoolStats.reused, reused);
  });
});
