/**
 * Receive buffers for large frames, reused when their owner provably gives them back.
 *
 * Every large frame is read into one buffer of its exact size (zmtp/decoder.ts). A fresh 8 MB
 * buffer per receive is what made 8 MB calls slow at p50: V8 counts each one as external memory
 * allocated since the last mark-compact, and about every third 8 MB receive that lives across a
 * scavenge starts one (bench/RESULTS.md, "the 8 MB get's receive path"). Reusing a buffer allocates
 * nothing, so it counts nothing.
 *
 * A buffer comes back only through `recycleFrame`, which its owner calls when it holds the only
 * reference: the node's in-memory AtomicReference when `set` replaces a value it kept as received,
 * its in-memory AtomicMatrix once a row is added or copied in, and a client's explicit
 * `releaseArray`. Two guards make a mistake loud instead of silent:
 * - the returned ArrayBuffer is detached (transferred to a new one over the same memory), so any
 *   view still held of it reads as empty, never as the bytes of a later message;
 * - a buffer with a write in flight (a scattered reply of the array, zmtp/peer.ts) goes back only
 *   once the socket is done with it.
 * Only buffers this module handed out are taken back, at most `MAX_POOLED_BYTES` in all, each
 * reused only for a frame of exactly its size.
 */

/** Frames from this size up come from and go back to the pool; smaller ones are cheap to allocate. */
export const POOL_MIN_BYTES = 1024 * 1024;
/** Bytes the pool holds at most; past it, the oldest buffers are left to the GC. */
export const MAX_POOLED_BYTES = 64 * 1024 * 1024;
/** A pool no frame was taken from for about this long (ms) is emptied: an idle process keeps no spare buffers. */
export const IDLE_TRIM_MS = 10_000;

/** ArrayBuffers `takeFrame` handed out (live; a detached one is no longer here). */
const handedOut = new WeakSet<ArrayBufferLike>();
/** Writes in flight per handed-out buffer; a buffer released while pinned waits here. */
const pins = new WeakMap<ArrayBufferLike, number>();
const releasedWhilePinned = new WeakSet<ArrayBufferLike>();
/** Free buffers, oldest first. */
const free: ArrayBuffer[] = [];
let freeBytes = 0;

/** Counters for tests and benches. */
export const framePoolStats = { taken: 0, reused: 0, recycled: 0 };

/** A buffer for a frame of `size` bytes: a pooled one of that size when there is one, else a fresh one. */
export function takeFrame(size: number): Buffer {
  if (size < POOL_MIN_BYTES) return Buffer.allocUnsafe(size);
  framePoolStats.taken++;
  let ab: ArrayBuffer | undefined;
  for (let i = free.length - 1; i >= 0; i--) {
    if (free[i]!.byteLength === size) {
      ab = free.splice(i, 1)[0]!;
      freeBytes -= size;
      framePoolStats.reused++;
      break;
    }
  }
  const buf = ab ? Buffer.from(ab, 0, size) : Buffer.allocUnsafe(size);
  handedOut.add(buf.buffer);
  return buf;
}

/** Whether `buffer` is a large frame's buffer this pool handed out and may take back. */
export function isPooledFrame(buffer: ArrayBufferLike): boolean {
  return handedOut.has(buffer);
}

/**
 * Gives the buffer under `view` back to the pool, when it is a frame buffer `takeFrame` handed out.
 * The caller must hold the only reference to it (the view and anything else over that buffer):
 * the buffer is detached at once, and reused for a later frame once no write holds it.
 * Returns whether the buffer was taken back (now or after its writes).
 */
export function recycleFrame(view: unknown): boolean {
  if (!ArrayBuffer.isView(view)) return false;
  const ab = view.buffer;
  if (!handedOut.has(ab)) return false;
  handedOut.delete(ab);
  if ((pins.get(ab) ?? 0) > 0) {
    releasedWhilePinned.add(ab);
    return true;
  }
  addFree(ab);
  return true;
}

/** A write of `chunk` is in flight: its buffer, if a frame's, is not reused until `unpinWrite`. */
export function pinWrite(chunk: Uint8Array): boolean {
  const ab = chunk.buffer;
  if (!handedOut.has(ab)) return false;
  pins.set(ab, (pins.get(ab) ?? 0) + 1);
  return true;
}

/** The write `pinWrite` counted is done (or failed): a buffer released meanwhile goes to the pool. */
export function unpinWrite(chunk: Uint8Array): void {
  const ab = chunk.buffer;
  const n = (pins.get(ab) ?? 1) - 1;
  if (n > 0) {
    pins.set(ab, n);
    return;
  }
  pins.delete(ab);
  if (releasedWhilePinned.has(ab)) {
    releasedWhilePinned.delete(ab);
    addFree(ab);
  }
}

function addFree(ab: ArrayBufferLike): void {
  let own: ArrayBuffer;
  try {
    // Transferred: every view of the old ArrayBuffer becomes empty; the memory moves to `own`.
    own = structuredClone(ab, { transfer: [ab as ArrayBuffer] }) as ArrayBuffer;
  } catch {
    return; // not detachable: left to the GC
  }
  framePoolStats.recycled++;
  free.push(own);
  freeBytes += own.byteLength;
  while (freeBytes > MAX_POOLED_BYTES && free.length > 0) freeBytes -= free.shift()!.byteLength;
  trimTimer ??= setTimeout(trimIfIdle, IDLE_TRIM_MS).unref();
}

let trimTimer: NodeJS.Timeout | undefined;
let takenAtCheck = -1;

/**
 * The idle timer's check (exported for tests): empties the pool when no large frame was taken since
 * the previous check, else looks again one period later.
 */
export function trimIfIdle(): void {
  clearTimeout(trimTimer);
  trimTimer = undefined;
  if (free.length === 0) return;
  if (framePoolStats.taken !== takenAtCheck) {
    takenAtCheck = framePoolStats.taken;
    trimTimer = setTimeout(trimIfIdle, IDLE_TRIM_MS).unref();
    return;
  }
  clearFramePool();
}

/** Empties the pool (tests). */
export function clearFramePool(): void {
  free.length = 0;
  freeBytes = 0;
}
