/**
 * A client that owns its (client id, seq) pairs, so it can resend a call exactly as the SDK's
 * connection does after a lost reply: the same frames, on the same socket or on a second socket
 * with the same client id (a reconnected client). Every reply is delivered, duplicates included,
 * with its arrival time taken as the frames come in.
 */
import { randomBytes } from 'node:crypto';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { Kind, type CallOptions } from '../../core/protocol/wire/protocol.ts';
import { openClient, resolveTransport, type ClientSocket } from '../../core/protocol/transport/socket.ts';
import { toJson, type Json } from './wire-json.ts';

/** What the node answered: a value (in the checker's JSON, taken before the frames can be reused), or an error code. */
export type Outcome = { ok: Json } | { err: string };

export interface Reply {
  outcome: Outcome;
  /** Arrival time, `now()` units. */
  at: number;
}

const ORIGIN = process.hrtime.bigint();
/** Nanoseconds on the process's monotonic clock, from module load (exact in a double for 104 days). */
export const now = (): number => Number(process.hrtime.bigint() - ORIGIN);

const REPLY_TIMEOUT_MS = 10_000;

export class RawClient {
  readonly clientId = new Uint8Array(randomBytes(8));
  private readonly codec = new WireCodec();
  private readonly sockets: ClientSocket[] = [];
  private seq = 0;
  /** Replies received and not yet taken, and the takers waiting, per seq. */
  private readonly inbox = new Map<number, Reply[]>();
  private readonly takers = new Map<number, (r: Reply) => void>();

  constructor(private readonly address: string) {
    this.sockets.push(this.open());
  }

  /** Encodes a call under a fresh seq. */
  encode(type: string, key: string, method: string, args: unknown[], opts?: CallOptions): { seq: number; frames: Uint8Array[] } {
    const seq = ++this.seq;
    return { seq, frames: this.codec.encodeCall(this.clientId, seq, type, key, method, args, opts) };
  }

  /** Sends on socket 0 (the client's own) or 1 (a second socket of the same client id). */
  send(frames: Uint8Array[], socket: 0 | 1 = 0): void {
    while (this.sockets.length <= socket) this.sockets.push(this.open());
    this.sockets[socket]!.send(frames);
  }

  /** The next reply to `seq` (each reply is taken once; a resent call gets two). */
  reply(seq: number): Promise<Reply> {
    const queued = this.inbox.get(seq);
    if (queued && queued.length > 0) {
      const r = queued.shift()!;
      if (queued.length === 0) this.inbox.delete(seq);
      return Promise.resolve(r);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.takers.delete(seq);
        reject(new Error(`no reply to seq ${seq} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.takers.set(seq, (r) => { clearTimeout(timer); resolve(r); });
    });
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }

  private open(): ClientSocket {
    return openClient(resolveTransport(), this.address, (frames) => this.onReply(frames));
  }

  private onReply(frames: Uint8Array[]): void {
    const at = now();
    const v = this.codec.decodeValue(frames);
    const seq = v[2] as number;
    const outcome: Outcome = v[1] === Kind.OK ? { ok: toJson(v[3]) } : { err: String((v[3] as { code?: unknown }).code) };
    const taker = this.takers.get(seq);
    if (taker) {
      this.takers.delete(seq);
      taker({ outcome, at });
      return;
    }
    const q = this.inbox.get(seq) ?? [];
    q.push({ outcome, at });
    this.inbox.set(seq, q);
  }
}
