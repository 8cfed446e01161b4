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
