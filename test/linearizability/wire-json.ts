/**
 * Wire values as the Go checker reads them: JSON, with what JSON lacks tagged as one-key objects
 * (`{"$bigint": "12"}`, `{"$bytes": [1, 2]}`, `{"$Float64Array": [0.5]}`). The tags keep a result's
 * wire type, so a model that answers a number where the node answers a bigint is caught.
 */
import { ObjectRef } from '../../core/protocol/wire/protocol.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`the checker's JSON has no ${v}`);
      return v;
    case 'bigint':
      return { $bigint: v.toString() };
  }
  if (v instanceof Uint8Array) return { $bytes: Array.from(v) };
  if (v instanceof Float64Array) return { $Float64Array: Array.from(v) };
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof ObjectRef || ArrayBuffer.isView(v)) throw new TypeError(`no checker encoding for ${Object.prototype.toString.call(v)}`);
  if (typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
    return out;
  }
  throw new TypeError(`no checker encoding for ${typeof v}`);
}
