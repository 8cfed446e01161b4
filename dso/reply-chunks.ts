/**
 * Where one client's kept small replies live (dedup.ts): copied into chunks the log owns and reuses,
 * each reply a view, so keeping a reply costs no ArrayBuffer of its own. A reply is kept for the
 * client's next 4,096 calls, long enough to be promoted to V8's old generation: one ArrayBuffer per
 * reply made every 1 KB get reply old-generation external memory, which V8 reclaims only with a
 * full mark-compact (15 of them, 237 ms, per 80,000 gets of one client). Chunks whose views are all
 * gone are reused, so a client calling steadily allocates no reply memory at all.
 *
 * A view handed out is never written again while it is kept; one that was released (its slot
 * evicted or tombstoned) may be overwritten, so a replayed reply goes out as a copy (dedup.ts).
 * Memory beyond the kept bytes: the current chunk's free tail, up to two spare chunks, and chunks
 * still pinned by a kept reply (replies leave in the order their calls began, nearly the order they
 * were written, so a chunk is freed soon after its neighbours).
 */

/** Replies up to this size are copied into chunks; larger ones are kept as they are. */
export const CHUNKED_MAX_BYTES = 4096;
const FIRST_CHUNK_BYTES = 1024;
const MAX_CHUNK_BYTES = 64 * 1024;
const MAX_SPARES = 2;

interface Chunk {
  readonly buf: ArrayBuffer;
  /** All of `buf`, to copy into without a view per reply. */
  readonly bytes: Uint8Array;
  /** Where the next reply goes. */
  at: number;
  /** Kept views into it. */
  live: number;
}

export class ReplyChunks {
  private current: Chunk | null = null;
  private readonly spares: Chunk[] = [];
  private readonly byBuffer = new Map<ArrayBufferLike, Chunk>();
  private nextBytes = FIRST_CHUNK_BYTES;

  /** Where the last `put` copied its reply into its chunk. */
  lastAt = 0;

  /** A kept copy of `reply` (at most CHUNKED_MAX_BYTES), as a view into a chunk. */
  keep(reply: Uint8Array): Uint8Array {
    const buf = this.put(reply);
    return new Uint8Array(buf, this.lastAt, reply.byteLength);
  }

  /**
   * Copies `reply` (at most CHUNKED_MAX_BYTES) into a chunk and returns that chunk's buffer, the
   * offset in `lastAt`: a kept reply as (buffer, offset, length) with no view object made — a view
   * per call lives as long as the reply is kept, into the old generation (dedup.ts keeps these).
   */
  put(reply: Uint8Array): ArrayBuffer {
    const n = reply.byteLength;
    let c = this.current;
    if (c === null || c.at + n > c.buf.byteLength) {
      if (c !== null && c.live === 0 && n <= c.buf.byteLength) {
        c.at = 0; // nothing kept in it: start it over
      } else {
        if (c !== null && c.live === 0) this.retire(c);
        c = this.current = this.fresh(n);
      }
    }
    c.bytes.set(reply, c.at);
    this.lastAt = c.at;
    c.at += n;
    c.live++;
    return c.buf;
  }

  /** `view` is no longer kept (evicted, tombstoned); anything not made by `keep` is ignored. */
  release(view: Uint8Array): void {
    this.releaseIn(view.buffer);
  }

  /** A reply `put` into `buf` is no longer kept; a buffer not of these chunks is ignored. */
  releaseIn(buf: ArrayBufferLike): void {
    const c = this.byBuffer.get(buf);
    if (c === undefined) return;
    c.live--;
    if (c.live === 0 && c !== this.current) this.retire(c);
  }

  /** A chunk nothing is kept in any more: a spare, or dropped. */
  private retire(c: Chunk): void {
    if (this.spares.length < MAX_SPARES) {
      c.at = 0;
      this.spares.push(c);
    } else {
      this.byBuffer.delete(c.buf);
    }
  }

  /** Whether `view` lies in one of these chunks (a replay must then copy it). */
  owns(view: Uint8Array): boolean {
    return this.byBuffer.has(view.buffer);
  }

  private fresh(n: number): Chunk {
    for (let i = 0; i < this.spares.length; i++) {
      const s = this.spares[i]!;
      if (s.buf.byteLength >= n) {
        this.spares.splice(i, 1);
        return s;
      }
    }
    // Chunks grow with the client's use (a client of one call holds 1 KiB), up to 64 KiB.
    let size = this.nextBytes;
    while (size < n) size *= 2;
    this.nextBytes = Math.min(MAX_CHUNK_BYTES, size * 2);
    const buf = new ArrayBuffer(size);
    const c: Chunk = { buf, bytes: new Uint8Array(buf), at: 0, live: 0 };
    this.byBuffer.set(c.buf, c);
    return c;
  }
}
