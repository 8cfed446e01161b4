/**
 * How a task crosses to a worker: its fields are walked into wire values (shared objects become
 * references, `@Serializable` instances become `{$class, $fields}`, functions travel as source with
 * the values they capture) and then encoded with the wire codec. The worker walks them back.
 */
import { WireCodec } from '../protocol/wire/codec.ts';
import { looksLikeTable, withArrow } from '../protocol/wire/arrow.ts';
import { ObjectRef } from '../protocol/wire/protocol.ts';
import { InvalidOptionError, NotSerializableError } from '../protocol/errors.ts';
import { BOUND_CONNECTION, MATERIALIZE, SharedObject } from '../objects/shared-object.ts';
import { reviveRef } from '../objects/proxy-registry.ts';
import { userProxyModule } from '../objects/shared.ts';
import { serializableMeta } from './serializable.ts';

const CLASS = '$class';
const FIELDS = '$fields';
const FN = '$fn';
const CAPTURES = '$captures';
const SHARED = '$shared';
const MODULE = '$module';

/** A function plus the outside values it uses, the way a Java lambda carries its captured variables. */
export interface Lambda {
  fn: Function;
  captures?: Record<string, unknown>;
}

const CAPTURING = Symbol.for('crucial.captures');

/**
 * A function task together with the outside values it uses, made by `withCaptures`.
 * @typeParam F the function's type
 */
export interface Captured<F extends (...args: any[]) => unknown> {
  /** @internal Marks a captured task for the task codec. */
  readonly [CAPTURING]: true;
  /** The function; it travels as source. */
  readonly fn: F;
  /** The values it uses, by name: they become parameters of the rebuilt function. */
  readonly captures: Readonly<Record<string, unknown>>;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Binds a function task to its own captured values, the way each Java lambda carries its own
 * effectively-final variables: `se.invokeAll(xs.map((x) => withCaptures(() => x * 2, { x })))`.
 * Names become parameters of the rebuilt function, so each must be a JavaScript identifier. A
 * task's own captures win over the `captures` option of the call that submits it.
 * @typeParam F the function's type, kept so `invokeAll` can type the results
 * @throws {InvalidOptionError} if `fn` is not a function, `captures` is not a plain object, or a
 * capture name is not a JavaScript identifier
 */
export function withCaptures<F extends (...args: any[]) => unknown>(fn: F, captures: Record<string, unknown>): Captured<F> {
  if (typeof fn !== 'function') throw new InvalidOptionError('withCaptures(fn) needs a function');
  if (typeof captures !== 'object' || captures === null || Array.isArray(captures)) throw new InvalidOptionError('withCaptures(captures) must be an object of named values');
  for (const name of Object.keys(captures)) {
    if (!IDENTIFIER.test(name)) throw new InvalidOptionError(`withCaptures: capture name "${name}" is not a JavaScript identifier`);
  }
  return Object.freeze({ [CAPTURING]: true as const, fn, captures: { ...captures } });
}

function isCaptured(v: object): v is Captured<(...args: any[]) => unknown> {
  return (v as Record<symbol, unknown>)[CAPTURING] === true;
}

/** Sources that compiled as a function expression here already (bounded by `keep`). */
const compiles = new Map<string, true>();

/**
 * A function's source, if a worker can rebuild the function from it: it travels as text, compiled
 * there as `(source)`. A native or bound function's text is `[native code]`, and a method shorthand's
 * (`{ run() {} }.run`) is no expression: refused here, where the mistake is, rather than as a
 * SyntaxError in the worker.
 * @throws {NotSerializableError} if the source is not a function expression
 */
function checkedSource(fn: Function, path: string): string {
  const source = fn.toString();
  if (compiles.has(source)) return source;
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new NotSerializableError(`${path} is a built-in or bound function (${fn.name || 'anonymous'}): a task travels as source, and it has none; wrap the call, e.g. () => Math.random(), and pass what bind() held as captures`);
  }
  try {
    // A syntax check only: the function built is never called.
    new Function(`return (${source});`);
  } catch {
    throw new NotSerializableError(`${path}'s source does not compile on its own (a method shorthand such as "run() { … }" is no expression): write the task as a function or an arrow function`);
  }
  keep(compiles, source, true);
  return source;
}

function isProxy(v: object): boolean {
  return v instanceof SharedObject || typeof (v as any).toObjectRef === 'function';
}

/** Walks a value into wire-encodable form. `captures` is used for functions at the top level. */
export function toWire(value: unknown, captures?: Record<string, unknown>, path = 'task'): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number': case 'string': case 'boolean': case 'bigint': return value;
    case 'function': {
      const entry: Record<string, unknown> = { [FN]: checkedSource(value, path) };
      if (captures && Object.keys(captures).length > 0) {
        for (const name of Object.keys(captures)) {
          if (!IDENTIFIER.test(name)) throw new InvalidOptionError(`${path}: capture name "${name}" is not a JavaScript identifier (captures become parameters of the rebuilt function)`);
        }
        entry[CAPTURES] = toWire(captures, undefined, `${path}.captures`);
      }
      return entry;
    }
    case 'symbol': throw new NotSerializableError(`${path} is a symbol`);
  }
  const obj = value as object;
  if (isCaptured(obj)) return toWire(obj.fn, { ...captures, ...obj.captures }, path);
  if (isProxy(obj)) {
    // A user-class proxy names its class's module, so the receiver can load the class and build a
    // proxy that knows its methods (a method named `call` or `release` must stay remote there too).
    const module = userProxyModule(obj);
    return module ? { [SHARED]: obj, [MODULE]: module } : obj;
  }
  if (ArrayBuffer.isView(obj) || looksLikeTable(obj) || obj instanceof ObjectRef) return obj;
  if (Array.isArray(obj)) return obj.map((v, i) => toWire(v, undefined, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = toWire(v, undefined, `${path}.${k}`);
    return out;
  }
  const meta = serializableMeta(obj.constructor);
  if (!meta) {
    throw new NotSerializableError(`${path} is an instance of ${obj.constructor?.name ?? 'an unknown class'}, which is not marked @Serializable`);
  }
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = toWire(v, undefined, `${path}.${k}`);
  return { [CLASS]: `${meta.moduleUrl}#${meta.name}`, [FIELDS]: fields };
}

/**
 * A module's namespace by URL: `import()` of a loaded module still goes through the loader (and its
 * hooks under tsx, ~0.5-1.5 ms) on every task, where a Map lookup is enough: a URL's namespace never changes.
 */
const modules = new Map<string, Promise<unknown>>();
function importOnce(url: string): Promise<unknown> {
  let p = modules.get(url);
  if (p === undefined) {
    p = import(url);
    modules.set(url, p);
    p.catch(() => modules.delete(url)); // a failed load is tried again by the next task
  }
  return p;
}

/** Rebuilds a value walked by `toWire`, importing the modules of `@Serializable` classes. */
export async function fromWire(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || looksLikeTable(value) || isProxy(value)) return value;
  if (Array.isArray(value)) return Promise.all(value.map(fromWire));
  const rec = value as Record<string, unknown>;
  if (typeof rec[MODULE] === 'string' && rec[SHARED] !== undefined) {
    const proxy = rec[SHARED];
    if (typeof proxy !== 'object' || proxy === null || !isProxy(proxy)) return proxy;
    await importOnce(rec[MODULE] as string);
    return reviveRef((proxy as { toObjectRef(): ObjectRef }).toObjectRef());
  }
  if (typeof rec[FN] === 'string') {
    const caps = (rec[CAPTURES] ? await fromWire(rec[CAPTURES]) : {}) as Record<string, unknown>;
    // tsx/esbuild (keepNames) compile named inner functions to `__name(fn, "name")`, a helper that
    // lives at the top of the sender's module and so does not travel with the source: supply it.
    if (!('__name' in caps)) caps.__name = keepName;
    const names = Object.keys(caps);
    // The source comes from the program that submitted the task, on this machine or one it controls.
    return new Function(...names, `return (${rec[FN]});`)(...names.map((n) => caps[n]));
  }
  if (typeof rec[CLASS] === 'string') {
    const spec = rec[CLASS] as string;
    const hash = spec.lastIndexOf('#');
    const mod = (await importOnce(spec.slice(0, hash))) as Record<string, unknown>;
    const cls = findClass(mod, spec.slice(hash + 1));
    const obj = Object.create(cls.prototype);
    const fields = (await fromWire(rec[FIELDS])) as Record<string, unknown>;
    return Object.assign(obj, fields);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = await fromWire(v);
  return out;
}

const keepName = <F extends Function>(fn: F, name: string): F =>
  Object.defineProperty(fn, 'name', { value: name, configurable: true });

function findClass(mod: Record<string, unknown>, name: string): { prototype: object } {
  const direct = mod[name];
  if (typeof direct === 'function') return direct as { prototype: object };
  for (const v of Object.values(mod)) {
    if (typeof v === 'function' && serializableMeta(v)?.name === name) return v as { prototype: object };
  }
  throw new NotSerializableError(`class ${name} is not exported by its module; export it so cloud threads can load it`);
}

/** Creation options of proxies inside a task must reach the node before a worker uses a bare reference. */
export async function materializeProxies(value: unknown, seen = new Set<object>(), bound?: Set<string>): Promise<void> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof SharedObject) {
    await value[MATERIALIZE]();
    const conn = value[BOUND_CONNECTION]();
    if (conn && bound) bound.add(conn.address);
    return;
  }
  if (typeof (value as any).toObjectRef === 'function' && typeof (value as any).materialize === 'function') {
    await (value as any).materialize();
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  for (const v of Object.values(value)) await materializeProxies(v, seen, bound);
}

const codec = new WireCodec((ref) => reviveRef(ref));

/** Encodes a walked task (or result) into frames (loading apache-arrow first if it carries arrays). */
export function encodeTask(wire: unknown): Promise<Uint8Array[]> {
  return withArrow(() => codec.encodeValue([wire]));
}

/** Decodes frames from `encodeTask`; references come back as proxies on this thread's default connection. */
export async function decodeTask(frames: Uint8Array[]): Promise<unknown> {
  return ((await withArrow(() => codec.decodeRaw(frames))) as unknown[])[0];
}

/**
 * A program submits the same few functions again and again (issue 13: the empty task's round trip),
 * and a function task without captures encodes to the same bytes each time: those bytes are kept by
 * source here, and the worker keeps what they compile to (`decodeTaskSpec`). Bounded: a program that
 * builds sources at run time only refills the map.
 */
const KEPT_MAX = 256;
const encodedFns = new Map<string, Uint8Array[]>();

function keep<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= KEPT_MAX) map.clear();
  map.set(key, value);
}

/**
 * `encodeTask({ mode: 'task', task: toWire(fn) })` for a function without captures, from the bytes
 * of an earlier task with the same source. The frames are copies: a runner may keep or transfer them.
 */
export async function encodeFunctionTask(fn: Function): Promise<Uint8Array[]> {
  const source = fn.toString();
  let frames = encodedFns.get(source);
  if (frames === undefined) {
    checkedSource(fn, 'task');
    frames = await encodeTask({ mode: 'task', task: { [FN]: source } });
    keep(encodedFns, source, frames);
  }
  return frames.map((f) => f.slice());
}

/** What a kept function task compiles to: called per task, it makes a new function, as `fromWire` does. */
type FnFactory = (name: typeof keepName) => Function;
const decodedFns = new Map<string, FnFactory>();
/** Frames above this size are not worth a key (a function's source is a few hundred bytes). */
const KEY_MAX_BYTES = 4096;

function frameKey(frames: Uint8Array[]): string | null {
  if (frames.length !== 1 || frames[0]!.byteLength > KEY_MAX_BYTES) return null;
  const f = frames[0]!;
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('latin1');
}

/**
 * `fromWire(await decodeTask(frames))` for a worker: a task spec that is a function without captures
 * (the shape `encodeFunctionTask` makes) is compiled once per distinct bytes, and each task still gets
 * a new function object from it, so nothing a task does to its function reaches the next task.
 */
export async function decodeTaskSpec(frames: Uint8Array[]): Promise<unknown> {
  const key = frameKey(frames);
  if (key !== null) {
    const factory = decodedFns.get(key);
    if (factory !== undefined) return { mode: 'task', task: factory(keepName) };
  }
  const raw = await decodeTask(frames);
  if (key !== null && isBareFunctionSpec(raw)) {
    const factory = new Function('__name', `return (${raw.task[FN]});`) as FnFactory;
    keep(decodedFns, key, factory);
    return { mode: 'task', task: factory(keepName) };
  }
  return fromWire(raw);
}

function isBareFunctionSpec(v: unknown): v is { mode: 'task'; task: { [FN]: string } } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const rec = v as Record<string, unknown>;
  if (rec.mode !== 'task' || Object.keys(rec).length !== 2) return false;
  const task = rec.task as Record<string, unknown> | null;
  return task !== null && typeof task === 'object' && Object.getPrototypeOf(task) === Object.prototype
    && typeof task[FN] === 'string' && Object.keys(task).length === 1;
}

/** A null result (most Runnables') in one frame, encoded once: no Arrow is needed for it. */
const nullFrames = codec.encodeValue([null]);

/** `encodeTask(toWire(value))` for a task's result, with a null result's frames made without the codec. */
export async function encodeResult(value: unknown): Promise<Uint8Array[]> {
  if (value !== null && value !== undefined) return encodeTask(toWire(value));
  return nullFrames.map((f) => f.slice());
}

/** `fromWire(await decodeTask(frames))` for a task's result, with a null result read without the codec. */
export async function decodeResult(frames: Uint8Array[]): Promise<unknown> {
  if (frames.length === 1 && nullFrames.length === 1 && sameBytes(frames[0]!, nullFrames[0]!)) return null;
  return fromWire(await decodeTask(frames));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
