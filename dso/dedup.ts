/**
 * Exactly-once application of retried calls. Each call carries (client id, seq); the node keeps the
 * replies of each client's recent calls, so a resent call gets the first reply back instead of
 * running again. A resend that arrives while the first is still running (a parked barrier await)
 * joins it and is answered when it completes. A reply too large to keep leaves a tombstone: the
 * resend is told so (`lost`), never run a second time.
 */

import type { Frame } from '../core/protocol/wire/frames.ts';
import { coarseNow } from './clock.ts';
import { CHUNKED_MAX_BYTES, ReplyChunks } from './reply-chunks.ts';
import { SeqIndex } from './seq-index.ts';

/** Replies larger than this are not kept, only the fact that the call was applied (so a scattered reply, which reads an array when written, never is). */
export const MAX_CACHED_BYTES = 64 * 1024;

/** Stands for a reply that was sent but not kept. */
const NOT_KEPT: Frame[] = [];

/** A call begun and not finished. */
class Running {
  /** Routing ids of senders waiting for its reply; null until one joins (most calls: never). */
  constructor(readonly waiters: Uint8Array[] | null) {}
}
/** The one Running every call shares until a resend joins it: no object per call. */
const RUNNING = new Running(null);

/**
 * What a log keeps for one seq: the call still running, or its reply — a small one-frame reply
 * (every small call's) as the ArrayBuffer of the chunk it was copied into (its offset and length in
 * the log's `keptAt`), another one-frame reply as that frame alone, else its frames, NOT_KEPT when
 * too large to keep (or dropped to stay in budget). Kept replies outlive the young generation, so
 * each object per call kept here is one more for every scavenge to copy and the old generation to
 * collect: a slot object, a reply array, then a view per kept reply were such objects; now a
 * steady small call keeps none (`--trace-gc`: no mark-compact over 80,000 1 KB gets).
 */
type Slot = Running | Frame | Frame[] | ArrayBuffer;

/** `keptAt` packs a chunked reply's offset (< 64 KiB) and length (≤ CHUNKED_MAX_BYTES) in one small integer. */
const AT_SCALE = 8192;

interface ClientLog {
  id: string;
  /** Seqs in arrival order, a ring that grows to `perClient` entries: the one overwritten next is the oldest. */
  order: number[];
  /** What is kept for the seq at each ring position; undefined once forgotten (or never indexed). */
  slotAt: (Slot | undefined)[];
  /** For a reply kept in chunks (its slot a chunk's buffer): offset * AT_SCALE + length. */
  keptAt: number[];
  /** The ring positions of the seqs with a slot, by seq. */
  index: SeqIndex;
  next: number;
  lastSeen: number;
  /** Calls begun and not finished: a log with some is never evicted (its resends must join, not rerun). */
  running: number;
  /** Bytes this log accounts for (its kept replies and bookkeeping). */
  bytes: number;
  /** False once dropped from the cache (evicted, swept): `lastTouched` may still name it. */
  live: boolean;
  /** Neighbours in the cache's recency list (least recently seen first). */
  older: ClientLog | null;
  newer: ClientLog | null;
  /** Where its small one-frame replies are kept (reply-chunks.ts); made with the first. */
  chunks: ReplyChunks | null;
}

/** Bookkeeping a log and a slot cost beyond their reply bytes (Map entries, objects, ring cells), roughly. */
const LOG_OVERHEAD = 256;
const SLOT_OVERHEAD = 96;

/** Bounds of a {@link DedupCache}. */
export interface DedupLimits {
  /** Bytes all logs together may hold (kept replies and bookkeeping); default 64 MiB. */
  maxBytes?: number;
  /** Client ids remembered at once; default 100,000. */
  maxClients?: number;
  /** Bytes one client's kept replies may hold before its oldest become tombstones; default maxBytes / 8. */
  maxClientBytes?: number;
}

export type DedupOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; reply: Frame[] }
  | { kind: 'joined' }
  /** Applied once already; its reply was not kept. */
  | { kind: 'lost' };

const NEW: DedupOutcome = { kind: 'new' };
/** What `finish` returns when no resend joined (frozen: callers only iterate it). */
const NO_ROUTES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
const JOINED: DedupOutcome = { kind: 'joined' };
const LOST: DedupOutcome = { kind: 'lost' };

/**
 * A Map key for a client id. This runs on every call (twice when calls of several clients interleave), so it avoids a Buffer and hex: SDK ids are
 * 8 bytes, which become an 8-character string directly.
 */
function clientKey(c: Uint8Array): string {
  if (c.length === 8) return String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!);
  let k = '';
  for (let i = 0; i < c.length; i++) k += String.fromCharCode(c[i]!);
  return k;
}

/** Whether `c` is the client id whose key is `id` (clientKey's), without making the key. */
function sameId(id: string, c: Uint8Array): boolean {
  if (id.length !== c.length) return false;
  for (let i = 0; i < c.length; i++) if (id.charCodeAt(i) !== c[i]) return false;
  return true;
}

/**
 * The replies kept for resends, bounded: client ids are chosen by clients, so the cache has a byte
 * and a client budget. Past it, the logs of the clients seen least recently are dropped first
 * (never one with a call still running); one client past its own share turns its oldest kept
 * replies into tombstones, so its resends are refused (`lost`), never run twice.
 */
export class DedupCache {
  private readonly clients = new Map<string, ClientLog>();
  /**
   * The logs in least-recently-seen-first order, a list through the logs themselves: a touch
   * moves a log to the end with four pointer writes (re-inserting into `clients` to keep its order
   * cost a Map delete and set per call when clients interleave, and a rehash every few calls).
   */
  private oldest: ClientLog | null = null;
  private newest: ClientLog | null = null;
  private lastTouched: ClientLog | undefined;
  /** The client id object `lastTouched` was found by: a call's `finish` passes the same one its `begin` did. */
  private lastClient: Uint8Array | undefined;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxClients: number;
  private readonly maxClientBytes: number;
  /** Logs dropped to stay in budget since the start (for stats and tests). */
  evictedClients = 0;

  /** Hashes seqs in the logs' indexes: clients choose their seqs, not where they land. */
  private readonly seed = (Math.random() * 0x100000000) | 0;

  constructor(private readonly perClient = 4096, private readonly idleMs = 10 * 60_000, limits: DedupLimits = {}) {
    this.maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
    this.maxClients = limits.maxClients ?? 100_000;
    this.maxClientBytes = limits.maxClientBytes ?? Math.floor(this.maxBytes / 8);
  }

  /** Registers an incoming call; tells whether to run it, replay a reply, or wait for the running one. */
  begin(client: Uint8Array, seq: number, route: Uint8Array): DedupOutcome {
    const log = this.logOf(client);
    const pos = log.index.find(seq);
    if (pos >= 0) {
      const slot = log.slotAt[pos]!;
      if (slot === NOT_KEPT) return LOST;
      // A reply kept in chunks goes out as a copy: its bytes may be reused once it is released.
      if (slot instanceof ArrayBuffer) return { kind: 'replay', reply: [new Uint8Array(slot, Math.floor(log.keptAt[pos]! / AT_SCALE), log.keptAt[pos]! % AT_SCALE).slice()] };
      if (!(slot instanceof Running)) return { kind: 'replay', reply: Array.isArray(slot) ? slot : [slot] };
      if (slot.waiters === null) log.slotAt[pos] = new Running([route]);
      else slot.waiters.push(route);
      return JOINED;
    }
    this.add(log, seq, RUNNING);
    log.running++;
    this.trim(log);
    return NEW;
  }

  /**
   * Records a call known to be applied (a durable record read back at start-up); `reply` null
   * when it was not kept.
   */
  preload(client: Uint8Array, seq: number, reply: Uint8Array[] | null): void {
    const log = this.logOf(client);
    if (log.index.find(seq) >= 0) return;
    const kept = reply === null ? NOT_KEPT : reply.length === 1 ? reply[0]! : reply;
    this.add(log, seq, kept);
    this.charge(log, sizeOf(kept));
    this.trim(log);
  }

  private logOf(client: Uint8Array): ClientLog {
    const now = coarseNow();
    const last = this.lastTouched;
    let log: ClientLog | undefined;
    if (last !== undefined && last.live && sameId(last.id, client)) {
      // The client of the last call (one connection's calls in a row): its bytes compared, no key string made and hashed.
      log = last;
    } else {
      const id = clientKey(client);
      log = this.clients.get(id);
      if (!log) {
        const order: number[] = [];
        log = { id, order, slotAt: [], keptAt: [], index: new SeqIndex(order, this.seed), next: 0, lastSeen: now, running: 0, bytes: 0, live: true, older: null, newer: null, chunks: null };
        this.clients.set(id, log);
        this.append(log);
        this.charge(log, LOG_OVERHEAD);
      } else if (log !== this.newest) {
        this.unlink(log);
        this.append(log);
      }
    }
    this.lastTouched = log;
    this.lastClient = client;
    log.lastSeen = now;
    return log;
  }

  private append(log: ClientLog): void {
    log.older = this.newest;
    log.newer = null;
    if (this.newest) this.newest.newer = log;
    else this.oldest = log;
    this.newest = log;
  }

  private unlink(log: ClientLog): void {
    if (log.older) log.older.newer = log.newer;
    else this.oldest = log.newer;
    if (log.newer) log.newer.older = log.older;
    else this.newest = log.older;
    log.older = log.newer = null;
  }

  /** Drops a log from the cache. */
  private drop(log: ClientLog): void {
    this.clients.delete(log.id);
    this.unlink(log);
    log.live = false;
    this.bytes -= log.bytes;
    if (this.lastTouched === log) this.lastTouched = undefined;
  }

  private add(log: ClientLog, seq: number, slot: Slot): void {
    let pos: number;
    if (log.order.length < this.perClient) {
      pos = log.order.length;
      log.order.push(seq);
      log.slotAt.push(slot);
      log.keptAt.push(0);
    } else {
      pos = log.next;
      const old = log.slotAt[pos];
      if (old !== undefined) {
        log.index.remove(pos);
        if (old instanceof Running) log.running--;
        else this.release(log, old);
        this.charge(log, -(SLOT_OVERHEAD + keptBytes(log, pos, old)));
      }
      log.order[pos] = seq;
      log.slotAt[pos] = slot;
      log.next = (log.next + 1) % this.perClient;
    }
    log.index.add(pos);
    this.charge(log, SLOT_OVERHEAD);
  }

  private charge(log: ClientLog, n: number): void {
    log.bytes += n;
    this.bytes += n;
  }

  /** Back under budget: tombstones for `log`'s oldest replies past its share, then the least recently seen logs. */
  private trim(log: ClientLog): void {
    if (log.bytes - LOG_OVERHEAD - log.index.size * SLOT_OVERHEAD > this.maxClientBytes) this.tombstoneOldest(log);
    if (this.bytes <= this.maxBytes && this.clients.size <= this.maxClients) return;
    for (let old = this.oldest; old !== null;) {
      if (this.bytes <= this.maxBytes && this.clients.size <= this.maxClients) break;
      const newer = old.newer;
      if (old !== log && old.running === 0) {
        this.drop(old);
        this.evictedClients++;
      }
      old = newer;
    }
  }

  private tombstoneOldest(log: ClientLog): void {
    const n = log.order.length;
    const first = n < this.perClient ? 0 : log.next;
    for (let i = 0; i < n && log.bytes - LOG_OVERHEAD - log.index.size * SLOT_OVERHEAD > this.maxClientBytes; i++) {
      const pos = (first + i) % n;
      const slot = log.slotAt[pos];
      if (slot === undefined || slot instanceof Running || slot === NOT_KEPT) continue;
      this.charge(log, -keptBytes(log, pos, slot));
      this.release(log, slot);
      log.slotAt[pos] = NOT_KEPT;
    }
  }

  /** Records the reply of a call; returns the extra routes that joined while it ran. */
  finish(client: Uint8Array, seq: number, reply: Frame[]): Uint8Array[] {
    // No key is made when the last call's client is this one (finish gets the very id object begin was given, or the same bytes).
    const last = this.lastTouched;
    const log = last !== undefined && last.live && (client === this.lastClient || sameId(last.id, client)) ? last : this.clients.get(clientKey(client));
    if (!log) return [];
    const pos = log.index.find(seq);
    const slot = pos < 0 ? undefined : log.slotAt[pos];
    if (!(slot instanceof Running)) return [];
    log.running--;
    const size = sizeOf(reply);
    // A large reply is not kept, but the slot stays: a resend must not run the call a second time.
    if (size > MAX_CACHED_BYTES) log.slotAt[pos] = NOT_KEPT;
    else {
      log.slotAt[pos] = reply.length === 1 ? this.keepOne(log, pos, reply[0]!) : reply;
      this.charge(log, size);
    }
    this.trim(log);
    return slot.waiters ?? NO_ROUTES;
  }

  /**
   * A one-frame reply as kept: a small one copied into the log's chunks and kept as (chunk buffer,
   * keptAt[pos]) — no ArrayBuffer and no view per reply kept; a larger one as it is.
   */
  private keepOne(log: ClientLog, pos: number, f: Frame): Slot {
    if (!(f instanceof Uint8Array) || f.byteLength > CHUNKED_MAX_BYTES) return f;
    const chunks = log.chunks ??= new ReplyChunks();
    const buf = chunks.put(f);
    log.keptAt[pos] = chunks.lastAt * AT_SCALE + f.byteLength;
    return buf;
  }

  /** A kept reply leaves its slot: its chunk space may be reused. */
  private release(log: ClientLog, slot: Slot): void {
    if (log.chunks !== null && slot instanceof ArrayBuffer) log.chunks.releaseIn(slot);
  }

  /**
   * Forgets a call still running, withdrawn because its caller's link is gone, so that a resend runs
   * it afresh; false (nothing forgotten) when a resend from another link joined it already: the
   * client is alive there and waits for this very call.
   */
  forget(client: Uint8Array, seq: number): boolean {
    const log = this.clients.get(clientKey(client));
    if (!log) return true;
    const pos = log.index.find(seq);
    const slot = pos < 0 ? undefined : log.slotAt[pos];
    if (!(slot instanceof Running)) return true;
    if (slot.waiters !== null && slot.waiters.length > 0) return false;
    log.index.remove(pos);
    log.slotAt[pos] = undefined;
    log.running--;
    this.charge(log, -SLOT_OVERHEAD);
    return true;
  }

  /**
   * Drops the logs of clients silent for longer than idleMs. A client with a call still running (a
   * parked barrier await) is not idle: its log stays, and counts as seen now, so a resend after its
   * reply, however long it was parked, still finds the call (dropping it ran the call twice).
   */
  sweep(now = Date.now()): void {
    for (const log of this.clients.values()) {
      if (log.running > 0) log.lastSeen = now;
      else if (now - log.lastSeen > this.idleMs) this.drop(log);
    }
  }

  get clientCount(): number { return this.clients.size; }

  /** Bytes the cache accounts for (kept replies and bookkeeping). */
  get byteCount(): number { return this.bytes; }
}

/** Reply bytes a slot accounts for (a chunked reply's from `keptAt`). */
function keptBytes(log: ClientLog, pos: number, slot: Slot): number {
  return slot instanceof ArrayBuffer ? log.keptAt[pos]! % AT_SCALE : sizeOf(slot);
}

function sizeOf(slot: Running | Frame | Frame[]): number {
  if (slot instanceof Running) return 0;
  if (!Array.isArray(slot)) return slot.byteLength;
  let size = 0;
  for (const f of slot) size += f.byteLength;
  return size;
}
