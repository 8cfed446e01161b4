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
import { packFrames, unpackFrames } from '../../core/wire/frames.ts';

/** A record loaded at start-up. */
export interface ReplyRecord {
  client: Uint8Array;
  seq: number;
  /** The reply frames, or null when the reply was too large to keep. */
  reply: Uint8Array[] | null;
  /** Wall-clock ms when the call was applied. */
  at: number;
}

/** Bytes before the packed frames: seq (f64), time (f64), kept flag (u8). */
const HEAD = 17;

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
    const bytes = new Uint8Array(HEAD + (body?.byteLength ?? 0));
    const dv = new DataView(bytes.buffer);
    dv.setFloat64(0, seq, true);
    dv.setFloat64(8, now, true);
    bytes[16] = body ? 1 : 0;
    if (body) bytes.set(body, HEAD);
    this.heap.atomic(() => this.map.put(`${hex(client)}/${seq % this.perClient}`, bytes));
  }

  /** Every record kept. */
  load(): ReplyRecord[] {
    const out: ReplyRecord[] = [];
    for (const [k, v] of this.map.entries()) {
      if (!(v instanceof Uint8Array) || v.byteLength < HEAD) continue;
      const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
      const reply = v[16] === 1 ? unpackFrames(v.slice(HEAD)) : null;
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
