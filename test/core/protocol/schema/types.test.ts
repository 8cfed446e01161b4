/**
 * The method schema (core/protocol/schema/types.ts) against the three places that implement it:
 * the node classes (dso/objects), the TS proxies (core/objects, core/sync) and, through the JSON
 * vectors, the Python proxies (bridges/python/tests/wire/test_schema.py).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../../../../core/index.ts';
import { BadArgumentError, CrucialError, ErrorCode } from '../../../../core/protocol/errors.ts';
import { BUILTIN_TYPES, type ArgKind } from '../../../../core/protocol/schema/types.ts';
import { renderSchemaVectors, SCHEMA_VECTORS_DIR } from '../../../../core/protocol/schema/emit.ts';
import { TypeRegistry, checkMethod, type ObjectClass } from '../../../../dso/registry.ts';
import { registerBuiltins } from '../../../../dso/objects/index.ts';
import { withDso, rejectsWithCode } from '../../../helpers/dso.ts';

const registry = new TypeRegistry();
registerBuiltins(registry);
const names = Object.keys(BUILTIN_TYPES);

/** Functions on a class's prototype chain, below `stop` (the proxies' SharedObject base). */
function protoMethods(cls: ObjectClass, stop?: ObjectClass): Set<string> {
  const out = new Set<string>();
  for (let p = cls.prototype; p && p !== Object.prototype && p !== stop?.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (n !== 'constructor' && d && typeof d.value === 'function') out.add(n);
    }
  }
  return out;
}
const sorted = (s: Iterable<string>) => [...s].sort();

/** A valid initial state per type, so every method can run once with valid arguments. */
const INIT: Record<string, unknown[]> = {
  AtomicInt: [5], AtomicLong: [5n], AtomicBoolean: [true], AtomicReference: ['r'], AtomicByteArray: [4],
  AtomicCounter: [3], AtomicList: [[1, 2, 3]], AtomicMap: [[[1, 'a'], [2, 'b']]], AtomicTreeMap: [[[1, 'a'], [2, 'b']]],
  AtomicMatrix: [2, 2], CyclicBarrier: [2], ScalableCyclicBarrier: [2], Semaphore: [3], CountDownLatch: [1], Future: [],
};
/** A valid value of each kind (fits the initial states above). */
const GOOD: Record<ArgKind, unknown> = {
  int: 0, int32: 1, long: 1n, number: 1.5, bool: true, byte: 7, bytes: new Uint8Array(4), lengthOrBytes: 4, index: 0,
  count: 1, key: 1, value: 'v', list: [1], entries: [[1, 'z']], vector: [1, 2], mergeFn: 'replace', timeoutMs: 0,
  error: { code: 'ERR_REMOTE', name: 'Error', message: 'm' },
};
/** A value of the wrong kind, which the node must refuse with ERR_BAD_ARGUMENT; `value` and `error` take anything. */
const BAD: Partial<Record<ArgKind, unknown>> = {
  int: 'x', int32: 2 ** 40, long: 'x', number: 'x', bool: 1, byte: 300, bytes: 'x', lengthOrBytes: 'x', index: 99,
  count: -1, key: { k: 1 }, list: 'x', entries: 5, vector: 'x', mergeFn: 'nope', timeoutMs: -1,
};
const make = (t: string) => new (registry.resolve(t)!.cls)(...INIT[t]!) as Record<string, (...a: unknown[]) => unknown>;

describe('method schema', () => {
  it('method schema - every built-in the node registers has a schema entry, and the other way round', () => {
    const registered = names.filter((n) => registry.resolve(n)?.spec !== undefined);
    assert.deepEqual(registered, names);
    for (const n of names) assert.equal(registry.resolve(n)!.parkable, BUILTIN_TYPES[n]!.parkable, `${n}: parkable in dso/objects/index.ts`);
  });

  for (const n of names) {
    it(`method schema - ${n}: every schema method is on the node class, and the node answers no other`, () => {
      const info = registry.resolve(n)!;
      const onClass = protoMethods(info.cls);
      for (const m of Object.keys(BUILTIN_TYPES[n]!.methods)) assert.ok(onClass.has(m), `${n}.${m} is in the schema but not on dso/objects`);
      assert.deepEqual(sorted(info.methods), sorted(Object.keys(BUILTIN_TYPES[n]!.methods)));
    });

    it(`method schema - ${n}: the TS proxy has exactly the schema's methods (bar its listed exceptions)`, () => {
      const spec = BUILTIN_TYPES[n]!;
      const proxy = (core as unknown as Record<string, ObjectClass>)[n];
      assert.ok(proxy, `core/index.ts exports no ${n}`);
      const expected = Object.keys(spec.methods).filter((m) => !spec.proxy?.wireOnly?.includes(m)).concat(spec.proxy?.clientSide ?? []);
      assert.deepEqual(sorted(protoMethods(proxy, core.SharedObject as unknown as ObjectClass)), sorted(expected));
    });

    it(`method schema - ${n}: each TS proxy method calls its wire method with an arity the node accepts`, async () => {
      const spec = BUILTIN_TYPES[n]!;
      for (const [m, ms] of Object.entries(spec.methods)) {
        if (spec.proxy?.wireOnly?.includes(m)) continue;
        const calls: [string, unknown[]][] = [];
        const conn = { call: async (_t: string, _k: string, method: string, args: unknown[]) => { calls.push([method, args]); return null; } };
        // The options argument comes after the key and the constructor's own arguments.
        const ctorArgs = n === 'Future' ? ['k', { connection: conn }] : n === 'AtomicMatrix' ? ['k', 2, 2, undefined, { connection: conn }] : ['k', undefined, { connection: conn }];
        const proxy = new ((core as unknown as Record<string, ObjectClass>)[n]!)(...ctorArgs) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        await proxy[m]!(...ms.args.filter((a) => !a.optional).map((a) => GOOD[a.kind]));
        assert.equal(calls[0]?.[0], m, `${n}.${m} called ${JSON.stringify(calls.map((c) => c[0]))}`);
        const argc = calls[0]![1].length, min = ms.args.filter((a) => !a.optional).length;
        assert.ok(argc >= min && argc <= ms.args.length, `${n}.${m} sent ${argc} arguments; the node takes ${min} to ${ms.args.length}`);
      }
    });

    it(`method schema - ${n}: the node's argument checks agree with the schema's kinds and arity`, async () => {
      for (const [m, spec] of Object.entries(BUILTIN_TYPES[n]!.methods)) {
        const good = spec.args.map((a) => GOOD[a.kind]);
        if (!spec.blocking) {
          // Valid arguments of the declared kinds are accepted (blocking methods would park: only their refusals are checked).
          try { await make(n)[m]!(...good); } catch (err) { assert.fail(`${n}.${m}(${good.map(String)}) threw ${String(err)}`); }
        }
        for (let i = 0; i < spec.args.length; i++) {
          const kind = spec.args[i]!.kind;
          if (!(kind in BAD)) continue;
          const args = good.slice();
          args[i] = BAD[kind];
          await assert.rejects(async () => make(n)[m]!(...args), BadArgumentError, `${n}.${m}: argument ${i} (${kind}) = ${String(BAD[kind])} accepted`);
        }
        const info = registry.resolve(n)!;
        const min = spec.args.filter((a) => !a.optional).length;
        assert.throws(() => checkMethod(info, m, spec.args.length + 1), BadArgumentError, `${n}.${m} accepts too many arguments`);
        if (min > 0) assert.throws(() => checkMethod(info, m, min - 1), BadArgumentError, `${n}.${m} accepts too few arguments`);
        checkMethod(info, m, min);
        checkMethod(info, m, spec.args.length);
      }
    });
  }

  it('method schema - the committed JSON vectors are what the schema and the error table render', () => {
    for (const [file, content] of renderSchemaVectors()) {
      assert.equal(readFileSync(join(SCHEMA_VECTORS_DIR, file), 'utf8'), content, `${file} is stale: run npx tsx core/protocol/schema/emit.ts`);
    }
  });

  it('method schema - the error table names a distinct class for every code', () => {
    const table = JSON.parse(readFileSync(join(SCHEMA_VECTORS_DIR, 'errors.json'), 'utf8')) as { errors: { code: string; name: string }[] };
    assert.deepEqual(table.errors.map((e) => e.code), Object.values(ErrorCode));
    assert.equal(new Set(table.errors.map((e) => e.name)).size, table.errors.length);
  });

  describe('over the wire', () => {
    const dso = withDso();
    it('method schema - a helper on a node class prototype (AtomicTreeMap.putKey) is refused with ERR_UNKNOWN_METHOD', async () => {
      const key = dso.key('tm');
      await dso.connection.call('AtomicTreeMap', key, 'put', [2, 'b']);
      // putKey skips the key check: called remotely it would store a non-key and break the sorted order.
      await rejectsWithCode(dso.connection.call('AtomicTreeMap', key, 'putKey', [{ not: 'a key' }, 'x']), ErrorCode.UNKNOWN_METHOD);
      await rejectsWithCode(dso.connection.call('Future', dso.key('f'), 'complete', [1, null]), ErrorCode.UNKNOWN_METHOD);
      assert.deepEqual(await dso.connection.call('AtomicTreeMap', key, 'entries', []), [[2, 'b']]);
    });
    it('method schema - a call with more arguments than the schema allows is refused with ERR_BAD_ARGUMENT', async () => {
      const err = await rejectsWithCode(dso.connection.call('AtomicLong', dso.key('l'), 'get', [1]), ErrorCode.BAD_ARGUMENT);
      assert.ok(err instanceof CrucialError && /takes 0 arguments, got 1/.test(err.message), err.message);
    });
  });
});
