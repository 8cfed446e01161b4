/**
 * The fallback for every type without a strategy of its own (user classes, AtomicReference,
 * AtomicByteArray): the object's own fields, encoded with the wire codec, as one crash-consistent
 * blob per object in the `dso.objects` map. After a call the blob is encoded again and written
 * only if it differs from the stored one, so reads cost an encoding but no flush.
 */
import { PHashMap } from '../../pmem/index.ts';
import type { Binding, StrategyContext } from './strategies.ts';

/** What a snapshot holds for one object. */
export interface Snapshot {
  type: string;
  key: string;
  module?: string;
  state: Record<string, unknown>;
}

const MAP_TAG = '$map';

/** An object's own fields as wire values; JS Maps (not a wire type) are tagged as entry lists. */
export function freezeState(instance: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(instance)) out[k] = v instanceof Map ? { [MAP_TAG]: [...v.entries()] } : v;
  return out;
}

export function thawState(state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) {
    const tagged = v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as any)[MAP_TAG]);
    out[k] = tagged ? new Map((v as any)[MAP_TAG] as [unknown, unknown][]) : v;
  }
  return out;
}

export class SnapshotBinding implements Binding {
  readonly root = null;

  constructor(
    private readonly ctx: StrategyContext,
    private readonly blobs: PHashMap,
    private readonly slot: string,
    private readonly head: Omit<Snapshot, 'state'>,
    private readonly instance: object,
  ) {}

  commit(): void {
    const blob = this.ctx.encode([this.head.type, this.head.key, this.head.module ?? null, freezeState(this.instance)]);
    const stored = this.blobs.getBytes(this.slot);
    if (stored !== undefined && Buffer.compare(stored, blob) === 0) return;
    this.blobs.put(this.slot, blob);
    const s = this.ctx.stats;
    s.commits++;
    s.entriesWritten++;
    s.bytesWritten += blob.byteLength;
  }
}

/** Decodes one stored blob. */
export function readSnapshot(ctx: StrategyContext, blob: Uint8Array): Snapshot {
  const [type, key, module, state] = ctx.decode(blob) as [string, string, string | null, Record<string, unknown>];
  ctx.stats.valuesDecoded++;
  return { type, key, module: module ?? undefined, state };
}
