/**
 * One message's frames as a single byte string: u32 big-endian frame count, then per frame a u32
 * big-endian length and the bytes. Used by the test vectors (PROTOCOL.md §10) and by the node's
 * stable storage of persistent objects.
 */

/** Concatenates frames into one byte string. */
export function packFrames(frames: Uint8Array[]): Uint8Array {
  const size = 4 + frames.reduce((n, f) => n + 4 + f.byteLength, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, frames.length);
  let pos = 4;
  for (const f of frames) {
    view.setUint32(pos, f.byteLength);
    out.set(f, pos + 4);
    pos += 4 + f.byteLength;
  }
  return out;
}

/** Splits a packed byte string back into frames (each a fresh, plain Uint8Array). */
export function unpackFrames(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0);
  const frames: Uint8Array[] = [];
  let pos = 4;
  for (let i = 0; i < n; i++) {
    const len = view.getUint32(pos);
    if (pos + 4 + len > bytes.byteLength) throw new RangeError(`frame ${i} runs past the end of the file`);
    frames.push(new Uint8Array(bytes.subarray(pos + 4, pos + 4 + len)));
    pos += 4 + len;
  }
  if (pos !== bytes.byteLength) throw new RangeError(`${bytes.byteLength - pos} trailing bytes after ${n} frames`);
  return frames;
}

/**
 * A frame written as the pieces it was made of, never joined: a large Arrow attachment is the
 * writer's chunks (stream header, schema and batch metadata, padding) around views of the array's
 * own buffer, so sending an 8 MB array neither copies it nor allocates 8 MB (zmtp writes the
 * pieces with one corked writev). The caller's array is read when the bytes are written, and again
 * if the call is resent: it must not change until the call settles. On the wire it is one frame,
 * byte for byte what joining the chunks gives.
 */
export class ScatterFrame {
  readonly byteLength: number;

  constructor(readonly chunks: readonly Uint8Array[], byteLength?: number) {
    this.byteLength = byteLength ?? chunks.reduce((n, c) => n + c.byteLength, 0);
  }

  /** The frame's bytes in one fresh buffer (transports that need them whole: CURVE boxes, libzmq). */
  join(): Uint8Array {
    return joinChunks(this.chunks, this.byteLength);
  }
}

/** A message frame as a sender holds it: bytes, or pieces written in order (ScatterFrame). */
export type Frame = Uint8Array | ScatterFrame;

/** `chunks` copied once into an uninitialised buffer of `size` bytes (their total). */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Each frame's bytes whole: scattered frames joined, the others as they are. */
export function joinFrames(frames: readonly Frame[]): Uint8Array[] {
  return frames.map((f) => (f instanceof ScatterFrame ? f.join() : f));
}
