/**
 * Models kept in the DSO, by name and version, as built-in objects (ml/model/FORMAT.md): each array
 * in an AtomicMatrix of its own (persistent ones are mapped from pmem in place at restart, no decode),
 * each version's manifest as JSON text in a per-model AtomicMap, and one index AtomicMap of latest
 * versions that the model server polls.
 *
 * A publish writes every array of the new version under version-specific keys, then the manifest,
 * then raises the index entry with a node-side `max`: that last call is the commit point, so a
 * reader that starts from the index sees the previous version or the whole new one, never a mix,
 * and concurrent publishers of one name cannot move `latest` backwards.
 */
import type { Connection } from '../../core/client/connection.ts';
import { defaultConnectionAsync } from '../../core/client/context.ts';
import { BadArgumentError, IllegalStateError, ModelNotFoundError } from '../../core/protocol/errors.ts';
import type { CallOptions } from '../../core/protocol/wire/protocol.ts';
import { TOUCH } from '../../core/protocol/wire/protocol.ts';
import { MODEL_FORMAT, shapeSize, validateModel, type Model, type ModelArray } from './format.ts';
import { INDEX_KEY, arrayKey, checkName, counterKey, matrixShape, versionsKey, type Manifest } from './layout.ts';

/** Options of {@link ModelStore}. */
export interface ModelStoreOptions {
  /** Keep models in the node's stable storage when it has one (`--pmem`); default true. */
  persistent?: boolean;
  /** Connection to use instead of the process default (the embedded node, or `CRUCIAL_DSO`). */
  connection?: Connection;
}

/**
 * Published models in the DSO: versions kept, publishing atomic, reads cheap. Every method rejects
 * as a shared object's calls do (`UnavailableError` when the node is unreachable, ...) besides what it lists.
 */
export class ModelStore {
  private readonly opts: CallOptions;
  private conn: Connection | undefined;

  /**
   * @param options see {@link ModelStoreOptions}
   * @throws {BadArgumentError} if `persistent` is not a boolean
   */
  constructor(options: ModelStoreOptions = {}) {
    if (options.persistent !== undefined && typeof options.persistent !== 'boolean') throw new BadArgumentError('options.persistent must be a boolean');
    // Every call carries the creation options: whichever call comes first creates the object
    // persistent (a read on a missing map would otherwise create it in memory only).
    this.opts = options.persistent === false ? {} : { persistent: true };
    this.conn = options.connection;
  }

  private async call(type: string, key: string, method: string, args: unknown[], init?: unknown[]): Promise<unknown> {
    const conn = this.conn ?? (this.conn = await defaultConnectionAsync());
    return conn.call(type, key, method, args, init ? { ...this.opts, init } : this.opts);
  }

  /**
   * Publishes `model` as the next version of `name` and makes it the latest.
   * @returns the new version (1, 2, ...)
   * @throws {BadArgumentError} if the name or the model is malformed ({@link validateModel})
   */
  async publish(name: string, model: Model): Promise<number> {
    checkName(name);
    validateModel(model);
    const version = Number(await this.call('AtomicLong', counterKey(name), 'incrementAndGet', [], [0]));
    const manifest: Manifest = {
      format: MODEL_FORMAT, name, version, algorithm: model.algorithm,
      params: model.params, meta: model.meta, arrays: {}, publishedAt: new Date().toISOString(),
    };
    const writes: Promise<unknown>[] = [];
    for (const [arr, a] of Object.entries(model.arrays)) {
      const dims = matrixShape(a.shape);
      const key = dims ? arrayKey(name, version, arr) : null;
      manifest.arrays[arr] = { dtype: a.dtype, shape: [...a.shape], key };
      if (!dims) continue;
      const data = a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
      // Created whole, from its constructor arguments, in one call: one failure-atomic write on a pmem node.
      writes.push(this.call('AtomicMatrix', key!, TOUCH, [], [dims[0], dims[1], data]));
    }
    await Promise.all(writes);
    await this.call('AtomicMap', versionsKey(name), 'put', [version, JSON.stringify(manifest)]);
    await this.call('AtomicMap', INDEX_KEY, 'merge', [name, version, 'max']);
    return version;
  }

  /**
   * A published model: the latest version, or `version`.
   * @throws {ModelNotFoundError} if no model of that name, or no such version, is published
   * @throws {BadArgumentError} if the name is malformed or `version` is not a positive integer
   * @throws {IllegalStateError} if the stored model does not match its manifest
   */
  async load(name: string, version?: number): Promise<Model> {
    checkName(name);
    if (version !== undefined && !(Number.isSafeInteger(version) && version > 0)) throw new BadArgumentError(`version must be a positive integer, got ${version}`);
    // The index first: a name never published has no per-model objects, and a read must not create them.
    const latest = await this.latestVersion(name);
    if (latest === undefined) throw new ModelNotFoundError(`no model "${name}" is published`);
    const v = version ?? latest;
    const text = await this.call('AtomicMap', versionsKey(name), 'get', [v]);
    if (typeof text !== 'string') throw new ModelNotFoundError(`model "${name}" has no version ${v}`);
    const m = JSON.parse(text) as Manifest;
    if (m.format !== MODEL_FORMAT) throw new IllegalStateError(`model "${name}" v${v} is in format ${JSON.stringify(m.format)}, not ${MODEL_FORMAT}`);
    const names = Object.keys(m.arrays);
    const arrays = await Promise.all(names.map(async (arr): Promise<ModelArray> => {
      const { dtype, shape, key } = m.arrays[arr]!;
      const n = shapeSize(shape);
      const stored = key === null ? new Float64Array(0) : (await this.call('AtomicMatrix', key, 'toArray', [])) as Float64Array;
      if (!(stored instanceof Float64Array) || stored.length !== n) {
        throw new IllegalStateError(`model "${name}" v${v}: array ${arr} holds ${stored?.length} numbers, its shape needs ${n}`);
      }
      return { dtype, shape, data: dtype === 'int32' ? Int32Array.from(stored) : stored };
    }));
    return {
      format: MODEL_FORMAT, name, version: v, algorithm: m.algorithm, params: m.params, meta: m.meta,
      arrays: Object.fromEntries(names.map((arr, i) => [arr, arrays[i]!])),
    };
  }

  /**
   * The latest version of `name`, or undefined if none is published. One call on the node.
   * @throws {BadArgumentError} if the name is malformed
   */
  async latestVersion(name: string): Promise<number | undefined> {
    checkName(name);
    const v = await this.call('AtomicMap', INDEX_KEY, 'get', [name]);
    return v === null || v === undefined ? undefined : Number(v);
  }

  /**
   * Every complete version of `name`, ascending (empty if none).
   * @throws {BadArgumentError} if the name is malformed
   */
  async versions(name: string): Promise<number[]> {
    if (await this.latestVersion(name) === undefined) return [];
    const keys = (await this.call('AtomicMap', versionsKey(name), 'keys', [])) as unknown[];
    return keys.map(Number).sort((a, b) => a - b);
  }

  /** Names of every published model, sorted. */
  async list(): Promise<string[]> {
    const keys = (await this.call('AtomicMap', INDEX_KEY, 'keys', [])) as unknown[];
    return keys.map(String).sort();
  }
}
