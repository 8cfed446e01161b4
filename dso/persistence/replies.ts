/**
 * Durable dedup records: the reply of each call that changed a persistent object, written in the
 * same failure-atomic block as the change itself, so after a crash either both the effect and its
 * record are in the region or neither is. A restarted node loads them into its dedup cache, and a
 * call resent across the restart is answered from its record instead of being applied again.
 *
 * Bounded: per client a ring of `perClient` slots indexed by seq (a record is overwritten only by a
 * seq at least `perClient` later), and records older than `idleMs` are swept, as the in-memory
 * cache forgets idle clients. A reply over `maxReplyBytes` is kept as a tombstone ("applied, reply
 * not kept"), which is enough to refuse a second application.
 */
import { PHashMap, type Heap } from '../../pmem/index.ts';
import { packFrames, unpackFrames } from '../../core/protocol/wire/frames.ts';

/** A record loaded at start-up. */
export interface ReplyRecord {
  client: Uint8Array;
  seq: number;
  /** The reply frames, or null when the reply was too large to keep. */
  reply: Uint8Array[] | null;
  /** Wall-clock ms when the call was applied. */
  at: number;
}

/** Bytes before the packed frames: seq (f64), time (f64), kept flag (u8), frames length (u32 at 17). */
const HEAD = 21;
/**
 * Every record is at least this long, so the next call's record for the same slot (small replies
 * are the rule) is patched in place inside the call's block: no block allocated per call, which
 * would cost the block a third msync.
 */
const RECORD_BYTES = 256;

export class ReplyLog {
  constructor(
    private readonly heap: Heap,
    private readonly map: PHashMap,
    readonly perClient = 256,
    private readonly maxReplyBytes = 64 * 1024,
    readonly idleMs = 10 * 60_000,
  ) {}

  /** Writes the record of (client, seq); joins the caller's open `heap.atomic` block. */
  record(client: Uint8Array, seq: number, reply: Uint8Array[], now = Date.now()): void {
    let size = 0;
    for (const f of reply) size += f.byteLength;
    const body = size <= this.maxReplyBytes ? packFrames(reply) : null;
    const need = HEAD + (body?.byteLength ?? 0);
    const key = `${hex(client)}/${seq % this.perClient}`;
    const stored = this.map.getBytes(key);
    const patch = stored !== undefined && need <= stored.byteLength;
    const bytes = new Uint8Array(patch ? need : Math.max(need, RECORD_BYTES));
    const dv = new DataView(bytes.buffer);
    dv.setFloat64(0, seq, true);
    dv.setFloat64(8, now, true);
    bytes[16] = body ? 1 : 0;
    dv.setUint32(17, body?.byteLength ?? 0, true);
    if (body) bytes.set(body, HEAD);
    this.heap.atomic(() => {
      if (patch) this.map.patchBytes(key, 0, bytes);
      else this.map.put(key, bytes);
    });
  }

  /** Every record kept. */
  load(): ReplyRecord[] {
    const out: ReplyRecord[] = [];
    for (const [k, v] of this.map.entries()) {
      if (!(v instanceof Uint8Array) || v.byteLength < HEAD) continue;
      const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
      const len = new DataView(v.buffer, v.byteOffset, HEAD).getUint32(17, true);
      const reply = v[16] === 1 ? unpackFrames(v.slice(HEAD, HEAD + len)) : null;
      out.push({ client: unhex(k.slice(0, k.indexOf('/'))), seq: dv.getFloat64(0, true), at: dv.getFloat64(8, true), reply });
    }
    return out;
  }

  /** Drops records older than `idleMs`; returns how many. */
  sweep(now = Date.now()): number {
    const old: string[] = [];
    for (const [k, v] of this.map.entries()) {
      if (!(v instanceof Uint8Array) || v.byteLength < HEAD) { old.push(k); continue; }
      if (now - new DataView(v.buffer, v.byteOffset, HEAD).getFloat64(8, true) > this.idleMs) old.push(k);
    }
    for (const k of old) this.map.delete(k);
    return old.length;
  }

  get size(): number { return this.map.size; }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}
