/**
 * The reply envelope decoded once into a typed object, as `parseCall` does for CALL (codec.ts):
 * readers use `reply.seq` / `reply.payload`, never envelope indexes. Mirrors `parse_reply` in
 * bridges/python/crucial/wire/codec.py, with the same messages.
 */
import { BadFrameError } from '../errors.ts';
import { Kind } from './protocol.ts';

/** A decoded OK or ERROR reply: `payload` is the result (OK) or the `{code, name, message, stack}` map (ERROR). */
export interface Reply {
  readonly kind: typeof Kind.OK | typeof Kind.ERROR;
  readonly seq: number | null;
  readonly payload: unknown;
}

/**
 * Validates a decoded reply envelope `[1, kind, seq, payload]` (version and length already checked
 * by `WireCodec.decodeValue`).
 * @throws {BadFrameError} if the kind is not OK or ERROR, or the seq is neither an integer nor nil
 */
export function parseReply(v: unknown[]): Reply {
  const kind = v[1], seq = v[2];
  if (kind !== Kind.OK && kind !== Kind.ERROR) throw new BadFrameError(`unexpected reply kind ${String(kind)}`);
  if (seq !== null && !(typeof seq === 'number' && Number.isInteger(seq))) throw new BadFrameError('reply seq must be an integer or nil');
  return { kind, seq, payload: v[3] };
}

/** Best-effort read of a reply's seq from an envelope that did not parse (to fail the call it answers). */
export function peekReplySeq(v: unknown): number | null {
  return Array.isArray(v) && typeof v[2] === 'number' && Number.isInteger(v[2]) ? v[2] : null;
}
