/**
 * Persistent classes declared once by a schema, J-NVM's `@Persistent` without a code generator:
 * `persistentClass("Account", { balance: "f64", owner: "string" })` returns a proxy class whose
 * accessors read and write the block in place (buffered inside `heap.atomic`). The block records
 * which words hold references, so recovery can trace objects whose class was never loaded.
 */
import { PmemArgumentError } from "./errors.ts";
import type { Heap } from "./heap.ts";
import { B_AUX, B_TAG, BLOCK_HEADER, Kind } from "./layout.ts";
import { classFactories, PObject } from "./pobject.ts";
import { hashKey } from "./types/phashmap.ts";
import { PString, readPString } from "./types/pstring.ts";

/** Field kinds: numbers stored inline, strings and references as refs to other blocks. */
export type FieldKind = "f64" | "i32" | "u32" | "bool" | "string" | "ref";

/** A schema: field name to kind. */
export type Schema = Record<string, FieldKind>;

type FieldType<K extends FieldKind> = K extends "f64" | "i32" | "u32"
  ? number
  : K extends "bool"
    ? boolean
    : K extends "string"
      ? string
      : PObject | null;

/** Instance type of a persistent class: its fields as accessors, on a PObject. */
export type PInstance<S extends Schema> = PObject & { -readonly [K in keyof S]: FieldType<S[K]> };

/** The class `persistentClass` returns. */
export interface PClass<S extends Schema> {
  /** Allocates an instance, optionally with initial field values (unset fields are 0, false, "" or null). */
  create(heap: Heap, init?: Partial<{ [K in keyof S]: FieldType<S[K]> }>): PInstance<S>;
  /** The class name given to `persistentClass`. */
  readonly className: string;
  /** The field kinds, by field name. */
  readonly schema: S;
  /** Payload bytes of one instance. */
  readonly byteSize: number;
}

/**
 * Declares a persistent class. `name` identifies it in the region; keep it stable across versions.
 * @throws {PmemArgumentError} if the schema has more than 32 string/ref fields or an unknown field
 * kind, or `name` collides with another persistent class
 */
export function persistentClass<S extends Schema>(name: string, schema: S): PClass<S> {
  const names = Object.keys(schema);
  const refs = names.filter((n) => schema[n] === "string" || schema[n] === "ref");
  const f64s = names.filter((n) => schema[n] === "f64");
  const u32s = names.filter((n) => schema[n] === "i32" || schema[n] === "u32" || schema[n] === "bool");
  if (refs.length > 32) throw new PmemArgumentError(`${name}: at most 32 string/ref fields (got ${refs.length})`);
  const offsets = new Map<string, number>();
  let off = 0;
  let bitmap = 0;
  refs.forEach((n, i) => {
    offsets.set(n, off);
    bitmap |= 1 << i;
    off += 4;
  });
  off = (off + 7) & ~7;
  for (const n of f64s) offsets.set(n, (off += 8) - 8);
  for (const n of u32s) offsets.set(n, (off += 4) - 4);
  const byteSize = Math.max(off, 8);
  const tag = hashKey(name);
  if (classFactories.has(tag) && (classFactories.get(tag) as unknown as { className?: string }).className !== name) {
    throw new PmemArgumentError(`class name ${name} collides with another persistent class`);
  }

  class P extends PObject {
    static readonly className = name;
    static readonly schema = schema;
    static readonly byteSize = byteSize;

    static create(heap: Heap, init?: Record<string, unknown>): P {
      const a = heap.alloc(byteSize, Kind.Object);
      heap.u32[(a + B_AUX) >>> 2] = bitmap >>> 0;
      heap.u32[(a + B_TAG) >>> 2] = tag;
      const p = new P(heap, a);
      if (init !== undefined) for (const [k, v] of Object.entries(init)) (p as unknown as Record<string, unknown>)[k] = v;
      return p;
    }

    override ownedBlocks(): number[] {
      // Strings belong to their object; references are shared and freed by whoever owns them.
      const out: number[] = [];
      for (const n of refs) {
        if (schema[n] !== "string") continue;
        const s = this.heap.getU32(this.addr + BLOCK_HEADER + offsets.get(n)!);
        if (s !== 0) out.push(s);
      }
      return out;
    }
  }
  Object.defineProperty(P, "name", { value: name });

  for (const n of names) {
    const at = BLOCK_HEADER + offsets.get(n)!;
    const kind = schema[n]!;
    let desc: PropertyDescriptor;
    switch (kind) {
      case "f64":
        desc = {
          get(this: P) { return this.heap.getF64(this.live() + at); },
          set(this: P, v: number) { const a = this.live(); this.heap.setF64(a, a + at, v); },
        };
        break;
      case "u32":
        desc = {
          get(this: P) { return this.heap.getU32(this.live() + at); },
          set(this: P, v: number) { const a = this.live(); this.heap.setU32(a, a + at, v); },
        };
        break;
      case "i32":
        desc = {
          get(this: P) { return this.heap.getU32(this.live() + at) | 0; },
          set(this: P, v: number) { const a = this.live(); this.heap.setU32(a, a + at, v); },
        };
        break;
      case "bool":
        desc = {
          get(this: P) { return this.heap.getU32(this.live() + at) !== 0; },
          set(this: P, v: boolean) { const a = this.live(); this.heap.setU32(a, a + at, v ? 1 : 0); },
        };
        break;
      case "string":
        desc = {
          get(this: P) {
            const s = this.heap.getU32(this.live() + at);
            return s === 0 ? "" : readPString(this.heap, s);
          },
          set(this: P, v: string) {
            const a = this.live();
            const heap = this.heap;
            const old = heap.getU32(a + at);
            // Copy-on-write: the new string is complete before the one store that links it.
            const s = PString.create(heap, v).addr;
            if (heap.tx === null) heap.region.flush();
            heap.setU32(a, a + at, s);
            if (heap.tx === null) heap.region.flush();
            if (old !== 0) heap.freeBlock(old);
          },
        };
        break;
      case "ref":
        desc = {
          get(this: P) { return this.heap.deref(this.heap.getU32(this.live() + at)); },
          set(this: P, v: PObject | null) {
            const a = this.live();
            // Outside a block the target (perhaps just allocated, or recycled) must be on media
            // before a link to it can be: a page holding the link may be written back at any time.
            if (v !== null && this.heap.tx === null) this.heap.region.flush();
            this.heap.setU32(a, a + at, v === null ? 0 : v.addr);
          },
        };
        break;
      default:
        throw new PmemArgumentError(`${name}.${n}: unknown field kind ${String(kind)}`);
    }
    Object.defineProperty(P.prototype, n, { ...desc, enumerable: true, configurable: false });
  }
  classFactories.set(tag, Object.assign((heap: Heap, a: number) => new P(heap, a), { className: name }));
  return P as unknown as PClass<S>;
}
