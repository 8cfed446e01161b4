/**
 * Exactly-once application of retried calls. Each call carries (client id, seq); the node keeps the
 * replies of each client's recent calls, so a resent call gets the first reply back instead of
 * running again. A resend that arrives while the first is still running (a parked barrier await)
 * joins it and is answered when it completes.
 */

/** Replies larger than this are not kept: they are reads of bulk data, harmless to run again. */
const MAX_CACHED_BYTES = 64 * 1024;

interface Slot {
  /** Reply frames once known. */
  reply: Uint8Array[] | null;
  /** Routing ids of senders waiting for a reply still being computed. */
  waiters: Uint8Array[];
}

interface ClientLog {
  slots: Map<number, Slot>;
  lastSeen: number;
}

export type DedupOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; reply: Uint8Array[] }
  | { kind: 'joined' };

export class DedupCache {
  private readonly clients = new Map<string, ClientLog>();

  constructor(private readonly perClient = 4096, private readonly idleMs = 10 * 60_000) {}

  /** Registers an incoming call; tells whether to run it, replay a reply, or wait for the running one. */
  begin(client: Uint8Array, seq: number, route: Uint8Array): DedupOutcome {
    const id = Buffer.from(client.buffer, client.byteOffset, client.byteLength).toString('hex');
    let log = this.clients.get(id);
    if (!log) {
      log = { slots: new Map(), lastSeen: Date.now() };
      this.clients.set(id, log);
    }
    log.lastSeen = Date.now();
    const slot = log.slots.get(seq);
    if (slot) {
      if (slot.reply) return { kind: 'replay', reply: slot.reply };
      slot.waiters.push(route);
      return { kind: 'joined' };
    }
    log.slots.set(seq, { reply: null, waiters: [] });
    if (log.slots.size > this.perClient) {
      // Maps iterate in insertion order: the first key is the oldest call.
      const oldest = log.slots.keys().next().value as number;
      log.slots.delete(oldest);
    }
    return { kind: 'new' };
  }

  /** Records the reply of a call; returns the extra routes that joined while it ran. */
  finish(client: Uint8Array, seq: number, reply: Uint8Array[]): Uint8Array[] {
    const id = Buffer.from(client.buffer, client.byteOffset, client.byteLength).toString('hex');
    const slot = this.clients.get(id)?.slots.get(seq);
    if (!slot) return [];
    const size = reply.reduce((n, f) => n + f.byteLength, 0);
    if (size <= MAX_CACHED_BYTES) slot.reply = reply;
    else this.clients.get(id)!.slots.delete(seq);
    const waiters = slot.waiters;
    slot.waiters = [];
    return waiters;
  }

  /** Drops the logs of clients silent for longer than idleMs. */
  sweep(now = Date.now()): void {
    for (const [id, log] of this.clients) if (now - log.lastSeen > this.idleMs) this.clients.delete(id);
  }

  get clientCount(): number { return this.clients.size; }
}
