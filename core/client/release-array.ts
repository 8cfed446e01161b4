/**
 * `releaseArray`: the opt-in way to hand a large reply's receive buffer back, so a program that
 * reads the same large array again and again (an 8 MB `AtomicReference.get` in a loop) allocates
 * nothing per read and does not drive V8 into a mark-compact every few reads.
 */
import { recycleFrame } from '../protocol/transport/frame-pool.ts';
import { isNumericArray, isReceivedArray } from '../protocol/wire/arrow.ts';

/**
 * Gives back the receive buffer under an array a call returned (a typed array of 1 MiB or more from
 * `get` and the like, over the default transport), so the next large reply of the same size is read
 * into it instead of a fresh allocation. Call it when you are done with the array and every call you
 * passed it to has settled.
 *
 * Safe by construction: the array, and every other view of the same buffer, becomes empty (length 0)
 * at once, so nothing that still holds it can read the bytes of a later reply. Anything else (an
 * array you made, a small one, one already released, a copy) is left as it is. Only a numeric array
 * that came as its own Arrow frame is taken back: bytes values travel together in a reply's first
 * frame, so releasing one would empty the others. Without it, every array stays yours and the GC
 * frees it, as before.
 * @returns whether the buffer was taken back
 */
export function releaseArray(arr: ArrayBufferView): boolean {
  // An Arrow attachment frame holds one array: its buffer is this array's alone.
  if (!isNumericArray(arr) || !isReceivedArray(arr)) return false;
  return recycleFrame(arr);
}
