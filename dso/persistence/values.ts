/**
 * The values a persistent user object (or any snapshot-kept object) may hold in its fields, and how
 * those the wire has no form for travel through it. The wire carries nil, booleans, numbers,
 * strings, bytes, arrays, string-keyed maps, int64 bigints, numeric typed arrays, Arrow tables and
 * references; a field may also hold a `Map`, a `Set`, a `Date` or `undefined`, which are written as
 * tagged maps and rebuilt on the way back. Anything else (a function, a symbol, an instance of some
 * class, a bigint wider than 64 bits, a cycle) is refused when the call that stored it commits, with
 * a `NotSerializableError` naming the field: the call fails and the object stays as it was, instead
 * of being saved as `{}` and coming back broken after a restart.
 */
import { NotSerializableError } from '../../core/protocol/errors.ts';
import { ObjectRef } from '../../core/protocol/wire/protocol.ts';
import { isNumericArray, looksLikeTable } from '../../core/protocol/wire/arrow.ts';

/** Key of a tagged map. A NUL character cannot clash with a field name anyone writes by hand; a plain map that has it is escaped. */
const TAG = '\u0000';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

type Tagged = { [TAG]: string; v?: unknown };

const tagged = (tag: string, v?: unknown): Tagged => (v === undefined ? { [TAG]: tag } : { [TAG]: tag, v });

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

const isRef = (v: object): boolean => v instanceof ObjectRef || typeof (v as { toObjectRef?: unknown }).toObjectRef === 'function';

/** Where the walk is: the containers on the path (to refuse cycles) and the keys leading there (named only when refusing). */
interface Walk {
  where: string;
  path: object[];
  /** Field names, array indexes, and Map keys as one-element arrays. */
  keys: Array<string | number | [unknown]>;
}

/**
 * `value` in a form the wire codec encodes faithfully. Returns `value` itself when nothing in it
 * needs a tag, so a state of plain values is not copied.
 * @throws NotSerializableError for a value that cannot be persisted; `where` names the field.
 */
export function freezeValue(value: unknown, where: string): unknown {
  return freeze(value, { where, path: [], keys: [] });
}

function freeze(value: unknown, w: Walk): unknown {
  switch (typeof value) {
    case 'undefined': return tagged('undefined');
    case 'string': case 'number': case 'boolean': return value;
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) throw refuse(w, `a bigint wider than 64 bits (${value})`);
      return value;
    case 'function': throw refuse(w, `a function (${value.name || 'anonymous'})`);
    case 'symbol': throw refuse(w, `a symbol (${String(value)})`);
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Uint8Array) return obj; // bytes are `bin`
  if (obj instanceof Uint8ClampedArray) return tagged('Uint8ClampedArray', new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
  if (isNumericArray(obj) || looksLikeTable(obj) || isRef(obj)) return obj;
  if (w.path.includes(obj)) throw refuse(w, 'a cycle (an object that contains itself)');
  w.path.push(obj);
  try {
    if (Array.isArray(obj)) return freezeArray(obj, w);
    if (obj instanceof Map) {
      const out: unknown[] = [];
      for (const [k, v] of obj) {
        w.keys.push([k]);
        out.push([freeze(k, w), freeze(v, w)]);
        w.keys.pop();
      }
      return tagged('Map', out);
    }
    if (obj instanceof Set) {
      const out: unknown[] = [];
      for (const v of obj) out.push(freeze(v, w));
      return tagged('Set', out);
    }
    if (obj instanceof Date) return tagged('Date', obj.getTime());
    if (!isPlain(obj)) throw refuse(w, `an instance of ${obj.constructor?.name ?? 'an unknown class'}`);
    return freezeObject(obj as Record<string, unknown>, w);
  } finally {
    w.path.pop();
  }
}

function freezeArray(a: unknown[], w: Walk): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    w.keys.push(i);
    const f = freeze(v, w);
    w.keys.pop();
    if (f !== v && out === undefined) out = a.slice(0, i);
    if (out !== undefined) out.push(f);
  }
  return out ?? a;
}

function freezeObject(o: Record<string, unknown>, w: Walk): unknown {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = o[k];
    w.keys.push(k);
    const f = freeze(v, w);
    w.keys.pop();
    if (f !== v && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = o[keys[j]!];
    }
    if (out !== undefined) out[k] = f;
  }
  // A plain map that happens to use the tag key is wrapped, so it is not read back as a tag.
  if (Object.prototype.hasOwnProperty.call(o, TAG)) return tagged('Object', Object.entries(out ?? o));
  return out ?? o;
}

/** The inverse of `freezeValue` on a decoded value. */
export function thawValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = thawValue(value[i]);
    return value;
  }
  if (!isPlain(value)) return value; // typed arrays, tables, references
  const o = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(o, TAG)) {
    const v = o.v;
    switch (o[TAG]) {
      case 'undefined': return undefined;
      case 'Map': return new Map((v as [unknown, unknown][]).map(([k, x]) => [thawValue(k), thawValue(x)]));
      case 'Set': return new Set((v as unknown[]).map(thawValue));
      case 'Date': return new Date(v as number);
      case 'Uint8ClampedArray': return new Uint8ClampedArray(v as Uint8Array);
      case 'Object': return Object.fromEntries((v as [string, unknown][]).map(([k, x]) => [k, thawValue(x)]));
    }
  }
  for (const k of Object.keys(o)) o[k] = thawValue(o[k]);
  return o;
}

function describeKey(k: unknown): string {
  return typeof k === 'string' ? JSON.stringify(k) : typeof k === 'number' || typeof k === 'boolean' ? String(k) : typeof k;
}

function refuse(w: Walk, what: string): NotSerializableError {
  const where = w.where + w.keys.map((k) => (typeof k === 'number' ? `[${k}]` : typeof k === 'string' ? `.${k}` : `.get(${describeKey(k[0])})`)).join('');
  return new NotSerializableError(
    `cannot persist ${where}: it holds ${what}. A persistent object keeps only values the wire carries ` +
    '(nil, booleans, numbers, strings, bytes, arrays, plain objects, 64-bit bigints, typed arrays, Arrow tables, ' +
    'shared-object references) and Map, Set, Date, undefined; the call was not applied',
  );
}
