/**
 * Namespaces of a shared node: a tenant's calls are rewritten on arrival so that every object key
 * it names, and every reference it sends, lives under `<namespace>\0`; references in its results
 * are rewritten back. A tenant therefore cannot name, create over (`forceNew`, `opts.state`),
 * delete or clear an object of another tenant or of the root namespace: no key it can send reaches
 * one. Its client id is prefixed too, so it cannot replay another client's cached replies. The root
 * namespace ('', the node owner's token) sees keys as they are, everyone's included.
 */
import type { Call } from '../core/protocol/wire/codec.ts';
import { BadArgumentError } from '../core/protocol/errors.ts';
import { ObjectRef, type CallOptions } from '../core/protocol/wire/protocol.ts';

type RefLike = { toObjectRef(): ObjectRef };
const isRefLike = (v: unknown): v is RefLike =>
  typeof v === 'object' && v !== null && typeof (v as RefLike).toObjectRef === 'function';

/** How deep `mapRefs` looks into a value for references. */
const MAX_DEPTH = 64;

/**
 * `value` with every reference passed through `f`; containers (arrays, plain objects, Maps) are
 * copied only where they hold a reference, so a value without one is returned as it is. A
 * container deeper than MAX_DEPTH goes to `tooDeep`: what arrives must throw there, or a reference
 * hidden below the limit would name another namespace's object.
 */
function mapRefs(value: unknown, f: (ref: ObjectRef) => ObjectRef, tooDeep: (value: object) => unknown, depth = 0): unknown {
  if (value instanceof ObjectRef) return f(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return tooDeep(value);
  if (isRefLike(value)) return f(value.toObjectRef());
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((v, i) => {
      const m = mapRefs(v, f, tooDeep, depth + 1);
      if (m !== v) (out ??= value.slice())[i] = m;
    });
    return out ?? value;
  }
  if (value instanceof Map) {
    let out: Map<unknown, unknown> | null = null;
    for (const [k, v] of value) {
      const m = mapRefs(v, f, tooDeep, depth + 1);
      if (m !== v) (out ??= new Map(value)).set(k, m);
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const m = mapRefs(v, f, tooDeep, depth + 1);
    if (m !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = m;
  }
  return out ?? value;
}

function refuseDeep(): never {
  throw new BadArgumentError(`a tenant's call may nest values at most ${MAX_DEPTH} levels deep`);
}

/** One tenant's view of the node. */
export class Namespace {
  private readonly prefix: string;
  private readonly clientPrefix: Uint8Array;

  constructor(readonly name: string) {
    this.prefix = `${name}\u0000`;
    this.clientPrefix = new TextEncoder().encode(this.prefix);
  }

  /** The node's key for the tenant's `key`. */
  key(key: string): string { return this.prefix + key; }

  /** Whether a node key belongs to this tenant. */
  owns(nodeKey: string): boolean { return nodeKey.startsWith(this.prefix); }

  /** The call as the node runs it: target, references and client id inside the namespace. */
  inbound(call: Call): Call {
    const into = (r: ObjectRef) => new ObjectRef(r.type, this.key(r.key));
    const opts: CallOptions = { ...call.opts };
    if (opts.init !== undefined) opts.init = mapRefs(opts.init, into, refuseDeep) as unknown[];
    if (opts.state !== undefined) opts.state = mapRefs(opts.state, into, refuseDeep) as Record<string, unknown>;
    const client = new Uint8Array(this.clientPrefix.length + call.client.length);
    client.set(this.clientPrefix);
    client.set(call.client, this.clientPrefix.length);
    return { ...call, client, key: this.key(call.key), args: mapRefs(call.args, into, refuseDeep) as unknown[], opts };
  }

  /** A result as the tenant sees it: its references without the prefix (others' are left as they are: it cannot use them). */
  outbound(value: unknown): unknown {
    // Deeper than the limit a reference keeps its prefix: the tenant sees its own key spelled long.
    return mapRefs(value, (r) => (this.owns(r.key) ? new ObjectRef(r.type, r.key.slice(this.prefix.length)) : r), (v) => v);
  }
}
