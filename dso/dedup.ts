/**
 * Exactly-once application of retried calls. Each call carries (client id, seq); the node keeps the
 * replies of each client's recent calls, so a resent call gets the first reply back instead of
 * running again. A resend that arrives while the first is still running (a parked barrier await)
 * joins it and is answered when it completes. A reply too large to keep leaves a tombstone: the
 * resend is told so (`lost`), never run a second time.
 */

/** Replies larger than this are not kept, only the fact that the call was applied. */
export const MAX_CACHED_BYTES = 64 * 1024;

/** Stands for a reply that was sent but not kept. */
const NOT_KEPT: Uint8Array[] = [];

interface Slot {
  /** Reply frames once known; NOT_KEPT when too large to keep. */
  reply: Uint8Array[] | null;
  /** Routing ids of senders waiting for a reply still being computed. */
  waiters: Uint8Array[];
}

interface ClientLog {
  slots: Map<number, Slot>;
  /** Seqs in arrival order, a ring of `perClient` entries: the one overwritten next is the oldest. */
  order: Float64Array;
  next: number;
  lastSeen: number;
}

export type DedupOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; reply: Uint8Array[] }
  | { kind: 'joined' }
  /** Applied once already; its reply was not kept. */
  | { kind: 'lost' };

const NEW: DedupOutcome = { kind: 'new' };
const JOINED: DedupOutcome = { kind: 'joined' };
const LOST: DedupOutcome = { kind: 'lost' };

/**
 * A Map key for a client id. This runs twice per call, so it avoids a Buffer and hex: SDK ids are
 * 8 bytes, which become an 8-character string directly.
 */
function clientKey(c: Uint8Array): string {
  if (c.length === 8) return String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!);
  let k = '';
  for (let i = 0; i < c.length; i++) k += String.fromCharCode(c[i]!);
  return k;
}

export class DedupCache {
  private readonly clients = new Map<string, ClientLog>();

  constructor(private readonly perClient = 4096, private readonly idleMs = 10 * 60_000) {}

  /** Registers an incoming call; tells whether to run it, replay a reply, or wait for the running one. */
  begin(client: Uint8Array, seq: number, route: Uint8Array): DedupOutcome {
    const log = this.logOf(client);
    const slot = log.slots.get(seq);
    if (slot) {
      if (slot.reply === NOT_KEPT) return LOST;
      if (slot.reply) return { kind: 'replay', reply: slot.reply };
      slot.waiters.push(route);
      return JOINED;
    }
    this.add(log, seq, { reply: null, waiters: [] });
    return NEW;
  }

  /**
   * Records a call known to be applied (a durable record read back at start-up); `reply` null
   * when it was not kept.
   */
  preload(client: Uint8Array, seq: number, reply: Uint8Array[] | null): void {
    const log = this.logOf(client);
    if (!log.slots.has(seq)) this.add(log, seq, { reply: reply ?? NOT_KEPT, waiters: [] });
  }

  private logOf(client: Uint8Array): ClientLog {
    const id = clientKey(client);
    let log = this.clients.get(id);
    const now = Date.now();
    if (!log) {
      log = { slots: new Map(), order: new Float64Array(this.perClient).fill(-1), next: 0, lastSeen: now };
      this.clients.set(id, log);
    }
    log.lastSeen = now;
    return log;
  }

  private add(log: ClientLog, seq: number, slot: Slot): void {
    const evicted = log.order[log.next]!;
    if (evicted >= 0) log.slots.delete(evicted);
    log.order[log.next] = seq;
    log.next = (log.next + 1) % this.perClient;
    log.slots.set(seq, slot);
  }

  /** Records the reply of a call; returns the extra routes that joined while it ran. */
  finish(client: Uint8Array, seq: number, reply: Uint8Array[]): Uint8Array[] {
    const log = this.clients.get(clientKey(client));
    const slot = log?.slots.get(seq);
    if (!slot) return [];
    let size = 0;
    for (const f of reply) size += f.byteLength;
    // A large reply is not kept, but the slot stays: a resend must not run the call a second time.
    slot.reply = size <= MAX_CACHED_BYTES ? reply : NOT_KEPT;
    const waiters = slot.waiters;
    if (waiters.length === 0) return waiters;
    slot.waiters = [];
    return waiters;
  }

  /** Drops the logs of clients silent for longer than idleMs. */
  sweep(now = Date.now()): void {
    for (const [id, log] of this.clients) if (now - log.lastSeen > this.idleMs) this.clients.delete(id);
  }

  get clientCount(): number { return this.clients.size; }
}
