/**
 * Object types known to a node: the built-ins, and user classes loaded from shipped modules.
 * A type is a class whose public methods (prototype functions not starting with `_`) are callable.
 */
import { BadArgumentError, UnknownMethodError, UnknownTypeError } from '../core/protocol/errors.ts';
import { BUILTIN_TYPES, type TypeSpec } from '../core/protocol/schema/types.ts';

export type ObjectClass = new (...args: any[]) => object;

export interface TypeInfo {
  name: string;
  cls: ObjectClass;
  /** Callable method names. */
  methods: Set<string>;
  /** Built-ins whose promises park a caller (barrier await) must not hold up later calls on the same object. */
  parkable: boolean;
  /** Content hash of the module that defined it; undefined for built-ins. */
  module?: string;
  /** The schema of a built-in type (core/protocol/schema/types.ts): its methods and their arity. */
  spec?: TypeSpec;
}

function methodsOf(cls: ObjectClass): Set<string> {
  const names = new Set<string>();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n === 'constructor' || n.startsWith('_')) continue;
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (d && typeof d.value === 'function') names.add(n);
    }
  }
  return names;
}

export class TypeRegistry {
  private readonly builtins = new Map<string, TypeInfo>();
  /** user class name → module hash → info; `latest` answers callers that name no module (Python). */
  private readonly user = new Map<string, { byModule: Map<string, TypeInfo>; latest: TypeInfo }>();
  private readonly modules = new Set<string>();

  /**
   * A built-in type with a schema entry is callable on exactly the schema's methods: a helper on its
   * prototype (TS `private` is not enforced at run time) is not reachable from the wire.
   */
  registerBuiltin(name: string, cls: ObjectClass, parkable = false): void {
    const spec = Object.prototype.hasOwnProperty.call(BUILTIN_TYPES, name) ? BUILTIN_TYPES[name] : undefined;
    const methods = spec ? new Set(Object.keys(spec.methods)) : methodsOf(cls);
    this.builtins.set(name, { name, cls, methods, parkable, spec });
  }

  /** Set by the node's local references (local-refs.ts): the class registered in place of a user class. */
  wrapUserClass: ((cls: ObjectClass) => ObjectClass) | undefined;

  registerUser(name: string, cls: ObjectClass, module: string): void {
    if (this.wrapUserClass) cls = this.wrapUserClass(cls);
    const info: TypeInfo = { name, cls, methods: methodsOf(cls), parkable: false, module };
    const slot = this.user.get(name);
    if (slot) { slot.byModule.set(module, info); slot.latest = info; }
    else this.user.set(name, { byModule: new Map([[module, info]]), latest: info });
  }

  markModuleLoaded(hash: string): void { this.modules.add(hash); }
  hasModule(hash: string): boolean { return this.modules.has(hash); }

  /** Resolves a type; for user classes, the version from `module` if given, else the latest loaded. */
  resolve(name: string, module?: string): TypeInfo | undefined {
    const b = this.builtins.get(name);
    if (b) return b;
    const slot = this.user.get(name);
    if (!slot) return undefined;
    return module ? slot.byModule.get(module) : slot.latest;
  }

  require(name: string, module?: string): TypeInfo {
    const t = this.resolve(name, module);
    if (!t) throw new UnknownTypeError(`unknown object type "${name}"`);
    return t;
  }
}

/** Required arguments of each schema method (a method's spec object is the key). */
const requiredArgs = new WeakMap<object, number>();

/**
 * Refuses a method the type does not have and, for a built-in, a number of arguments its schema does not allow.
 * @throws {UnknownMethodError} if the type has no such method
 * @throws {BadArgumentError} if `argc` is below the schema's required arguments or above all of them
 */
export function checkMethod(info: TypeInfo, method: string, argc?: number): void {
  if (!info.methods.has(method)) throw new UnknownMethodError(`${info.name} has no method "${method}"`);
  const m = argc === undefined ? undefined : info.spec?.methods[method];
  if (m && argc !== undefined) {
    const max = m.args.length;
    // Every call passes here: the required count is counted once per method, not filtered per call.
    let min = argc === max ? max : requiredArgs.get(m);
    if (min === undefined) requiredArgs.set(m, (min = m.args.filter((a) => !a.optional).length));
    if (argc < min || argc > max) {
      throw new BadArgumentError(`${info.name}.${method} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${argc}`);
    }
  }
}

/** Argument checks shared by the built-in objects; messages name the method and parameter. */
export const arg = {
  int(v: unknown, what: string): number {
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadArgumentError(`${what} must be an integer, got ${describe(v)}`);
    return v;
  },
  long(v: unknown, what: string): bigint {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    throw new BadArgumentError(`${what} must be a 64-bit integer (bigint or safe integer), got ${describe(v)}`);
  },
  number(v: unknown, what: string): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    throw new BadArgumentError(`${what} must be a number, got ${describe(v)}`);
  },
  bool(v: unknown, what: string): boolean {
    if (typeof v !== 'boolean') throw new BadArgumentError(`${what} must be a boolean, got ${describe(v)}`);
    return v;
  },
  string(v: unknown, what: string): string {
    if (typeof v !== 'string') throw new BadArgumentError(`${what} must be a string, got ${describe(v)}`);
    return v;
  },
  bytes(v: unknown, what: string): Uint8Array {
    if (!(v instanceof Uint8Array)) throw new BadArgumentError(`${what} must be bytes, got ${describe(v)}`);
    return v;
  },
  /** Optional timeout in ms: undefined/null means wait forever. */
  timeout(v: unknown, what: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    const n = arg.number(v, what);
    if (!(n >= 0)) throw new BadArgumentError(`${what} must be >= 0`);
    return n;
  },
  positiveInt(v: unknown, what: string): number {
    const n = arg.int(v, what);
    if (n <= 0) throw new BadArgumentError(`${what} must be a positive integer, got ${n}`);
    return n;
  },
};

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : `${typeof v} ${String(v).slice(0, 40)}`;
}
