/**
 * Bytes and numeric arrays decoded from a request are views into its frame (MessagePack bin and
 * Arrow columns are not copied: that is what makes large arrays cheap). A small value kept by an
 * object would then pin the whole request: a 4-byte value stored from a 64 MB call kept 64 MB.
 * Before a call runs, every view much smaller than the buffer under it is copied out. An Arrow Table's
 * columns are such views too (apache-arrow keeps a view of an aligned frame): a Table whose buffers
 * are much smaller than the buffer under them is re-encoded and decoded from its own exact-size copy.
 */
import type { Data, Table } from 'apache-arrow';
import { decodeArrow, encodeTable, looksLikeTable } from '../core/protocol/wire/arrow.ts';

/** Copied when the buffer under a view is more than twice its size and at least this much larger. */
const SLACK_BYTES = 4096;
const MAX_DEPTH = 64;

/** Replaces, in place where it can, small views into large buffers by copies; returns the value. */
export function detachSmallViews(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView || v.buffer.byteLength <= 2 * v.byteLength + SLACK_BYTES) return v;
    // A Buffer's own slice() is another view: the typed array's slice copies.
    return Object.getPrototypeOf(Object.getPrototypeOf(v)).slice.call(v) as unknown;
  }
  // An array first: every call's args are one, and no array is a Table.
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = detachSmallViews(v[i], depth + 1);
    return v;
  }
  if (looksLikeTable(v)) return detachTable(v as Table);
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = detachSmallViews(o[k], depth + 1);
  }
  return v;
}

/** The Table itself, or one decoded from a copy when its columns' buffers pin a much larger one. */
function detachTable(t: Table): Table {
  let own = 0;
  let under = 0;
  const walk = (d: Data | undefined, depth: number): void => {
    if (!d || depth > MAX_DEPTH) return;
    for (const b of [d.values, d.valueOffsets, d.nullBitmap, d.typeIds] as (ArrayBufferView | undefined)[]) {
      if (!b || !b.byteLength) continue;
      own += b.byteLength;
      under = Math.max(under, b.buffer.byteLength);
    }
    for (const ch of d.children) walk(ch, depth + 1);
    for (const dd of d.dictionary?.data ?? []) walk(dd, depth + 1);
  };
  for (const b of t.batches) walk(b.data, 0);
  if (under <= 2 * own + SLACK_BYTES) return t;
  return decodeArrow(encodeTable(t)) as Table;
}
