/**
 * ZMTP 3.1 (rfc.zeromq.org/spec/37) as crucial speaks it: the greeting, message frames and the
 * READY / PING / PONG / ERROR commands; the security mechanisms' handshakes live in mechanism.ts. Enough to talk to any libzmq DEALER or
 * ROUTER (pyzmq, zeromq.js, the C library) byte for byte, and nothing a DSO link does not use.
 */
import { ScatterFrame, type Frame } from '../../wire/frames.ts';

export const GREETING_BYTES = 64;
export const SIGNATURE_BYTES = 10;

/** Frame flag bits (spec 37, section "Framing"). */
export const Flag = { MORE: 0x01, LONG: 0x02, COMMAND: 0x04 } as const;

/** A ZMTP peer violated the protocol; the link is dropped (the spec's "close the connection"). */
export class ZmtpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZmtpProtocolError';
  }
}

/** Security mechanisms crucial speaks (spec 37 NULL, RFC 24 PLAIN, RFC 26 CURVE). */
export type MechanismName = 'NULL' | 'PLAIN' | 'CURVE';

/** Our greeting: ZMTP 3.1 with `mechanism`; `asServer` is the PLAIN / CURVE server role (always 0 under NULL). */
export function greeting(mechanism: MechanismName = 'NULL', asServer = false): Buffer {
  const g = Buffer.alloc(GREETING_BYTES);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 1;
  g.write(mechanism, 12, 'latin1');
  g[32] = asServer ? 1 : 0;
  return g;
}

/**
 * Checks a peer's full greeting and returns the security mechanism it names (whether it matches
 * ours is the peer's business: it knows which side it is). The signature's padding is not checked:
 * libzmq puts a ZMTP 1.0 compatibility length there. Minor versions above ours are accepted (the
 * spec asks peers to talk the lower version).
 */
export function checkGreeting(g: Buffer): string {
  if (g[0] !== 0xff || (g[9]! & 0x01) !== 1) throw new ZmtpProtocolError('not a ZMTP 3 peer (bad signature)');
  if (g[10]! < 3) throw new ZmtpProtocolError(`peer speaks ZMTP major version ${g[10]}, 3 is needed`);
  return g.subarray(12, 32).toString('latin1').replace(/\0+$/, '');
}

/** Header of one frame: flags, then a 1-byte or 8-byte big-endian size. */
export function frameHeader(flags: number, size: number): Buffer {
  if (size <= 255) {
    const h = Buffer.allocUnsafe(2);
    h[0] = flags;
    h[1] = size;
    return h;
  }
  const h = Buffer.allocUnsafe(9);
  h[0] = flags | Flag.LONG;
  writeSize64(h, 1, size);
  return h;
}

/** A frame size as 8 bytes big-endian, from two 32-bit halves: no BigInt per frame (sizes are below 2^53). */
function writeSize64(b: Buffer, at: number, size: number): void {
  b.writeUInt32BE(Math.floor(size / 0x1_0000_0000), at);
  b.writeUInt32BE(size >>> 0, at + 4);
}

/** Bytes of a message's frames, all in one buffer (small messages: one write, one TCP segment). */
export function encodeMessage(frames: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const f of frames) total += f.byteLength + (f.byteLength <= 255 ? 2 : 9);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  const last = frames.length - 1;
  for (let i = 0; i <= last; i++) {
    const f = frames[i]!;
    const more = i < last ? Flag.MORE : 0;
    if (f.byteLength <= 255) {
      out[at++] = more;
      out[at++] = f.byteLength;
    } else {
      out[at++] = more | Flag.LONG;
      writeSize64(out, at, f.byteLength);
      at += 8;
    }
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
}

/** In a message written piece by piece, pieces from this size up go as they are; the small ones between them are copied together. */
const DIRECT_PIECE_BYTES = 16 * 1024;

/**
 * A large message as the pieces of one corked writev: large pieces (an array's own buffer) as they
 * are, the frame headers and metadata between them copied together.
 */
export function messagePieces(frames: readonly Frame[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let small: Uint8Array[] = [];
  let smallBytes = 0;
  const flush = () => {
    if (small.length === 0) return;
    pieces.push(small.length === 1 ? small[0]! : Buffer.concat(small, smallBytes));
    small = [];
    smallBytes = 0;
  };
  const add = (b: Uint8Array) => {
    if (b.byteLength >= DIRECT_PIECE_BYTES) {
      flush();
      pieces.push(b);
    } else if (b.byteLength > 0) {
      small.push(b);
      smallBytes += b.byteLength;
    }
  };
  const last = frames.length - 1;
  for (let i = 0; i <= last; i++) {
    const f = frames[i]!;
    add(frameHeader(i < last ? Flag.MORE : 0, f.byteLength));
    if (f instanceof ScatterFrame) for (const c of f.chunks) add(c);
    else add(f);
  }
  flush();
  return pieces;
}

/** A command frame: name length, name, body. */
export function encodeCommand(name: string, body: Uint8Array = new Uint8Array(0)): Buffer {
  const payload = Buffer.allocUnsafe(1 + name.length + body.byteLength);
  payload[0] = name.length;
  payload.write(name, 1, 'latin1');
  payload.set(body, 1 + name.length);
  return Buffer.concat([frameHeader(Flag.COMMAND, payload.length), payload]);
}

/** READY's metadata: properties as name-length(1), name, value-length(4, BE), value. */
export function encodeMetadata(props: Record<string, Uint8Array | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const value = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : Buffer.from(raw);
    const head = Buffer.allocUnsafe(1 + name.length + 4);
    head[0] = name.length;
    head.write(name, 1, 'latin1');
    head.writeUInt32BE(value.length, 1 + name.length);
    parts.push(head, value);
  }
  return Buffer.concat(parts);
}

/** Property names are case-insensitive in the spec, so they come back lower-cased. */
export function parseMetadata(body: Buffer): Map<string, Buffer> {
  const props = new Map<string, Buffer>();
  let at = 0;
  while (at < body.length) {
    const nameLen = body[at]!;
    if (at + 1 + nameLen + 4 > body.length) throw new ZmtpProtocolError('truncated metadata in READY');
    const name = body.toString('latin1', at + 1, at + 1 + nameLen).toLowerCase();
    const valueLen = body.readUInt32BE(at + 1 + nameLen);
    const start = at + 1 + nameLen + 4;
    if (start + valueLen > body.length) throw new ZmtpProtocolError('truncated metadata in READY');
    props.set(name, body.subarray(start, start + valueLen));
    at = start + valueLen;
  }
  return props;
}

/** The first bytes of what a peer sent, quoted for an error message (`"HTTP/1.1 400 Bad Request\r\n"...`). */
export function preview(bytes: Buffer, max = 40): string {
  const shown = JSON.stringify(bytes.toString('latin1', 0, Math.min(max, bytes.length)));
  return bytes.length > max ? `${shown}... (${bytes.length} bytes)` : shown;
}

/** Splits a command frame's body into its name and data. */
export function parseCommand(body: Buffer): { name: string; data: Buffer } {
  const len = body[0];
  if (len === undefined || 1 + len > body.length) throw new ZmtpProtocolError('truncated command frame');
  return { name: body.toString('latin1', 1, 1 + len), data: body.subarray(1 + len) };
}
