/**
 * The fallback for every type without a strategy of its own (user classes, AtomicReference,
 * AtomicByteArray): the object's own fields, encoded with the wire codec, as one crash-consistent
 * blob per object in the `dso.objects` map. After a call the blob is encoded again and written
 * only if it differs from the stored one, so reads cost an encoding but no flush. Field values the
 * wire has no form for (Map, Set, Date, undefined) are tagged on the way in and rebuilt on the way
 * out (values.ts); values that cannot be persisted are refused before anything is written.
 */
import { PHashMap } from '../../pmem/index.ts';
import { freezeValue, thawValue } from './values.ts';
import type { Binding, StrategyContext } from './strategies.ts';

/** What a snapshot holds for one object. */
export interface Snapshot {
  type: string;
  key: string;
  module?: string;
  state: Record<string, unknown>;
  /** How `state` is written (see FORMAT). */
  format?: number;
}

const MAP_TAG = '$map';
/** Blob format: 4 elements (format 1, top-level JS Maps as `$map` lists) or 5 with this number (values.ts tags). */
const FORMAT = 2;

/**
 * An object's own fields as wire values (values.ts).
 * @throws NotSerializableError when a field holds something that cannot be persisted.
 */
export function freezeState(instance: object, what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(instance)) out[k] = freezeValue(v, `${what}.${k}`);
  return out;
}

export function thawState(state: Record<string, unknown>, format = FORMAT): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) {
    if (format >= FORMAT) { out[k] = thawValue(v); continue; }
    const tagged = v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as any)[MAP_TAG]);
    out[k] = tagged ? new Map((v as any)[MAP_TAG] as [unknown, unknown][]) : v;
  }
  return out;
}

export class SnapshotBinding implements Binding {
  readonly root = null;
  private readonly what: string;

  constructor(
    private readonly ctx: StrategyContext,
    private readonly blobs: PHashMap,
    private readonly slot: string,
    private readonly head: Omit<Snapshot, 'state'>,
    private readonly instance: object,
  ) {
    this.what = `${head.type} "${head.key}"`;
  }

  commit(): boolean {
    const state = freezeState(this.instance, this.what);
    const blob = this.ctx.encode([this.head.type, this.head.key, this.head.module ?? null, state, FORMAT]);
    const stored = this.blobs.getBytes(this.slot);
    if (stored !== undefined && Buffer.compare(stored, blob) === 0) return false;
    this.blobs.put(this.slot, blob);
    const s = this.ctx.stats;
    s.commits++;
    s.entriesWritten++;
    s.bytesWritten += blob.byteLength;
    return true;
  }

  /** Puts the fields back as the stored blob has them. */
  rollback(): void {
    const stored = this.blobs.getBytes(this.slot);
    if (stored === undefined) return;
    const s = readSnapshot(this.ctx, stored);
    const inst = this.instance as Record<string, unknown>;
    for (const k of Object.keys(inst)) delete inst[k];
    Object.assign(inst, thawState(s.state, s.format));
  }
}

/** Decodes one stored blob. */
export function readSnapshot(ctx: StrategyContext, blob: Uint8Array): Snapshot {
  const [type, key, module, state, format] = ctx.decode(blob) as [string, string, string | null, Record<string, unknown>, number?];
  ctx.stats.valuesDecoded++;
  return { type, key, module: module ?? undefined, state, format: format ?? 1 };
}
