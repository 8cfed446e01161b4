/**
 * Incremental ZMTP reader: turns the chunks a TCP socket delivers into a greeting and frames.
 * Small frames are handed out as views of the chunk they arrived in (no copy); a frame split
 * across chunks goes into a buffer of its declared size. While such a frame is being filled,
 * `directTarget()` lends out the unfilled rest of that buffer so the socket can read straight
 * into it (`advance()` then counts the bytes): a large Arrow frame is then read with a few big
 * reads and no copy, as libzmq does, instead of 64 KB chunks copied one by one.
 * Frames the sink declines are skipped unbuffered, but for a head it may ask for (`HEAD`).
 */
import { Flag, GREETING_BYTES, ZmtpProtocolError, preview } from './wire.ts';
import { takeFrame } from '../frame-pool.ts';

/**
 * `accept`'s answer for a frame declined but for its first `HEAD_BYTES`: enough to read the
 * envelope's seq (version, kind, client, seq: at most 22 bytes), so a request refused for its size
 * is answered with the seq its client waits for instead of nil.
 */
export const HEAD = 'head';
export const HEAD_BYTES = 64;

export interface FrameSink {
  greeting(g: Buffer): void;
  /** Whether to keep a frame of this size; a declined frame's bytes are dropped as they arrive, but for its head with `HEAD`. */
  accept(flags: number, size: number): boolean | typeof HEAD;
  /** A frame whose bytes are all in; `body` is null for a declined one, its first bytes for one declined with `HEAD`. */
  frame(flags: number, body: Buffer | null, size: number): void;
}

const RESERVED_BITS = 0xf8;

export class FrameDecoder {
  private greeted = false;
  /** Bytes of an incomplete greeting or frame header. */
  private rest: Buffer | null = null;
  /** The frame being filled across chunks (null while skipping one). */
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private bodyFlags = 0;
  private bodySize = 0;
  private inBody = false;
  /** `body` holds only the head of a declined frame (HEAD): it is filled up to its own length, the rest skipped. */
  private headOnly = false;

  constructor(private readonly sink: FrameSink) {}

  /** The unfilled rest of the frame being read, when it is being kept; bytes read into it go to `advance`. */
  directTarget(): Buffer | null {
    return this.inBody && this.body && !this.headOnly ? this.body.subarray(this.bodyFilled) : null;
  }

  /** Bytes of a greeting still incomplete, if any (what a non-ZMTP peer said before closing). */
  partialGreeting(): Buffer | null {
    return this.greeted ? null : this.rest;
  }

  /** Whether a frame (or its header) has begun and not ended. */
  get pending(): boolean { return this.inBody || (this.greeted && this.rest !== null); }

  /** Counts `n` bytes the socket read into the last `directTarget()`. */
  advance(n: number): void {
    if (!this.inBody || !this.body || n > this.bodySize - this.bodyFilled) throw new RangeError('advance() past the frame being read');
    this.bodyFilled += n;
    if (this.bodyFilled === this.bodySize) this.completeBody();
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.inBody) {
      const take = Math.min(this.bodySize - this.bodyFilled, data.length);
      if (this.body && this.bodyFilled < this.body.length) data.copy(this.body, this.bodyFilled, 0, take);
      this.bodyFilled += take;
      if (this.bodyFilled < this.bodySize) return;
      this.completeBody();
      data = data.subarray(take);
    }
    if (this.rest) {
      data = Buffer.concat([this.rest, data]);
      this.rest = null;
    }
    // An offset into the chunk rather than a subarray per frame: one view less per frame read.
    const len = data.length;
    let at = 0;
    while (at < len) {
      if (!this.greeted) {
        // Every ZMTP 2+ greeting starts with 0xff: anything else is another protocol, known at its first byte.
        if (data[at] !== 0xff) throw new ZmtpProtocolError(`not a ZMTP peer: it sent ${preview(data.subarray(at))}`);
        if (len - at < GREETING_BYTES) break;
        this.greeted = true;
        this.sink.greeting(data.subarray(at, at + GREETING_BYTES));
        at += GREETING_BYTES;
        continue;
      }
      if (len - at < 2) break;
      const flags = data[at]!;
      if (flags & RESERVED_BITS) throw new ZmtpProtocolError(`reserved frame flag bits set (0x${flags.toString(16)})`);
      const long = (flags & Flag.LONG) !== 0;
      const headerBytes = long ? 9 : 2;
      if (len - at < headerBytes) break;
      let size: number;
      if (long) {
        // Two 32-bit halves, not a BigInt per long frame: above 2^53 - 1 the high half exceeds 0x1fffff.
        const high = data.readUInt32BE(at + 1);
        if (high > 0x1fffff) throw new ZmtpProtocolError('frame size out of range');
        size = high * 0x1_0000_0000 + data.readUInt32BE(at + 5);
      } else {
        size = data[at + 1]!;
      }
      const keep = this.sink.accept(flags, size);
      const start = at + headerBytes;
      const available = len - start;
      const headOnly = keep === HEAD && size > HEAD_BYTES;
      if (available >= size) {
        this.sink.frame(flags, keep ? data.subarray(start, start + (headOnly ? HEAD_BYTES : size)) : null, size);
        at = start + size;
        continue;
      }
      this.inBody = true;
      this.bodyFlags = flags;
      this.bodySize = size;
      this.bodyFilled = available;
      this.headOnly = headOnly;
      // A large frame's buffer may be a pooled one given back by its last owner (frame-pool.ts).
      this.body = !keep ? null : headOnly ? Buffer.alloc(HEAD_BYTES) : takeFrame(size);
      if (this.body) data.copy(this.body, 0, start);
      return;
    }
    if (at < len) this.rest = Buffer.from(data.subarray(at));
  }

  private completeBody(): void {
    const body = this.body;
    this.inBody = false;
    this.headOnly = false;
    this.body = null;
    this.sink.frame(this.bodyFlags, body, this.bodySize);
  }
}
