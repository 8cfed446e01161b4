/**
 * The fuzz target for what a node does with bytes from the network before any object code runs:
 * ZMTP framing (greeting, commands, multipart messages) and then, per message, the envelope and
 * its attachments (MessagePack, strict strings, Arrow), as the node decodes a CALL. Errors the node
 * turns into a typed reply or a closed link are expected; anything else (a TypeError, a RangeError
 * from deep inside a library) is a finding, and so is not returning.
 */
import { FrameDecoder, type FrameSink } from '../../core/protocol/transport/zmtp/decoder.ts';
import { Flag, ZmtpProtocolError, checkGreeting, parseCommand, parseMetadata } from '../../core/protocol/transport/zmtp/wire.ts';
import { WireCodec, parseCall } from '../../core/protocol/wire/codec.ts';
import { CrucialError } from '../../core/protocol/errors.ts';

/** Errors by which the node refuses input, as opposed to failing on it. */
export function expected(err: unknown): boolean {
  return err instanceof CrucialError || err instanceof ZmtpProtocolError;
}

const codec = new WireCodec(undefined, { strictStrings: true });

/** The node's decoding of one message: envelope, call shape, attachments. */
export function decodeMessage(frames: Uint8Array[]): void {
  try {
    parseCall(codec.decodeValue(frames));
  } catch (err) {
    if (!expected(err)) throw err;
  }
}

/** Largest frame the target keeps, as a node with a small max payload would. */
const MAX_MESSAGE = 1 << 20;

/**
 * Feeds `data` to a ZMTP frame decoder in two chunks (split where the first byte says), then
 * decodes every message it yields. Returns the number of messages; throws only on a finding.
 */
export function fuzzFrames(data: Uint8Array): number {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let messages = 0;
  let frames: Buffer[] = [];
  let bytes = 0;
  let greeted = false;
  const sink: FrameSink = {
    greeting(g) { checkGreeting(g); greeted = true; },
    accept(flags, size) {
      if (flags & Flag.COMMAND) { if (size > 65536) throw new ZmtpProtocolError('command too large'); return true; }
      bytes += size;
      return bytes <= MAX_MESSAGE;
    },
    frame(flags, body) {
      if (flags & Flag.COMMAND) {
        const { name, data: d } = parseCommand(body!);
        if (name === 'READY') parseMetadata(d);
        return;
      }
      if (body) frames.push(body);
      if (flags & Flag.MORE) return;
      const done = frames;
      frames = [];
      bytes = 0;
      messages++;
      decodeMessage(done);
    },
  };
  const dec = new FrameDecoder(sink);
  const cut = buf.length > 0 ? buf[0]! % (buf.length + 1) : 0;
  try {
    dec.push(buf.subarray(0, cut));
    dec.push(buf.subarray(cut));
  } catch (err) {
    if (!expected(err)) throw err;
  }
  void greeted;
  return messages;
}
