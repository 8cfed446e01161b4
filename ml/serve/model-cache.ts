/**
 * The models a server answers with, held in memory. A request for a model's latest version never
 * waits on the DSO once that model is cached: a poll (and `refresh`) swaps a newly published version
 * in, and while the DSO node is down the poll fails quietly and the cached copy keeps answering.
 * Specific versions are loaded on first request and kept (they never change once published).
 */
import { EventEmitter } from 'node:events';
import type { Model } from '../model/format.ts';
import { MicroBatcher, type BatchOptions, type BatchPrediction } from './batcher.ts';
import { V2HttpError, notFound } from './http-error.ts';
import { labelDatatype } from './tensor.ts';

/** The part of ml/model/store.ts's ModelStore the server reads. */
export interface ModelSource {
  /** The latest version of `name`, or `version`; rejects with code `ERR_NOT_FOUND` when there is none. */
  load(name: string, version?: number): Promise<Model>;
  /** The latest version number, undefined if none is published: polled, so it should be cheap. */
  latestVersion(name: string): Promise<number | undefined>;
  /** Every published version of `name`, ascending. */
  versions(name: string): Promise<number[]>;
  /** Names of every published model. */
  list(): Promise<string[]>;
}

/** ml/model/predict.ts's predict. */
export type PredictFn = (model: Model, X: Float64Array, nRows: number) => BatchPrediction;

/** One model version ready to answer. */
export interface ServedModel {
  name: string;
  version: number;
  model: Model;
  nFeatures: number;
  /** Class values of a classifier; undefined for k-means. */
  classes?: number[];
  labelDatatype: 'FP64' | 'INT64';
  batcher: MicroBatcher;
}

interface Entry {
  latest?: ServedModel;
  /** Versions asked for explicitly, oldest first (bounded). */
  pinned: Map<number, ServedModel>;
  versions: number[];
}

/** Error codes meaning "the DSO cannot answer now", not "this model is wrong": answered 503, retry later. */
const UNREACHABLE = new Set(['ERR_UNAVAILABLE', 'ERR_TIMEOUT', 'ERR_CLOSED', 'ERR_HIGH_WATER_MARK', 'ERR_OVERLOADED']);

/** Older versions kept per model once asked for; the least recently loaded goes first. */
const PINNED_PER_MODEL = 8;

/** Events: `version` (name, version) when a model's latest version is swapped in; `pollError` (name, error). */
export class ModelCache extends EventEmitter {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ServedModel>>();
  private polling: Promise<void> | null = null;

  constructor(
    private readonly source: ModelSource,
    private readonly predict: PredictFn,
    private readonly batch: BatchOptions,
  ) {
    super();
  }

  /** Names of the models with a cached latest version. */
  names(): string[] {
    return [...this.entries].filter(([, e]) => e.latest).map(([n]) => n);
  }

  /**
   * Every model the DSO has, with the version in memory if any (Triton's repository index). With the
   * DSO unreachable, the models in memory.
   */
  async index(): Promise<Array<{ name: string; version?: string; state: 'READY' | 'UNAVAILABLE'; reason?: string }>> {
    let names: string[];
    try {
      names = await this.source.list();
    } catch {
      names = this.names();
    }
    return [...new Set([...names, ...this.names()])].sort().map((name) => {
      const m = this.cached(name);
      return m ? { name, version: String(m.version), state: 'READY' as const } : { name, state: 'UNAVAILABLE' as const, reason: 'not loaded yet: loads on first request' };
    });
  }

  /** The versions of `name` known at its last load or poll. */
  knownVersions(name: string): number[] {
    return this.entries.get(name)?.versions ?? [];
  }

  /** The cached latest version of `name`, without touching the DSO. */
  cached(name: string): ServedModel | undefined {
    return this.entries.get(name)?.latest;
  }

  /**
   * The model to answer with: the cached latest (loaded on first use) or a specific version.
   * @throws {V2HttpError} 404 when the DSO has no such model or version, 503 when it cannot be reached
   *   and the model is not cached.
   */
  async get(name: string, version?: number): Promise<ServedModel> {
    const entry = this.entries.get(name);
    if (version === undefined) {
      if (entry?.latest) return entry.latest;
      return this.singleFlight(`${name}\0latest`, () => this.loadLatest(name));
    }
    const hit = entry?.latest?.version === version ? entry.latest : entry?.pinned.get(version);
    if (hit) return hit;
    return this.singleFlight(`${name}\0${version}`, async () => {
      const served = await this.load(name, version);
      this.pin(this.entry(name), served);
      return served;
    });
  }

  /**
   * Checks the DSO for a newer version of every cached model (and loads `names` not cached yet);
   * resolves when done. A failure leaves the cached copy in place (reported as `pollError`).
   * Concurrent calls share one round.
   */
  refresh(names: readonly string[] = []): Promise<void> {
    if (!this.polling) {
      const all = new Set([...this.names(), ...names]);
      this.polling = Promise.all([...all].map((n) => this.refreshOne(n))).then(() => undefined).finally(() => { this.polling = null; });
    }
    return this.polling;
  }

  /** Runs every queued batch now. */
  flush(): void {
    for (const e of this.entries.values()) {
      e.latest?.batcher.flush();
      for (const p of e.pinned.values()) p.batcher.flush();
    }
  }

  private async refreshOne(name: string): Promise<void> {
    try {
      const current = this.entries.get(name)?.latest;
      if (!current) { await this.get(name); return; }
      const latest = await this.source.latestVersion(name);
      if (latest === undefined || latest <= current.version) return;
      await this.singleFlight(`${name}\0latest`, () => this.loadLatest(name, latest));
    } catch (e) {
      this.emit('pollError', name, e);
    }
  }

  private async loadLatest(name: string, version?: number): Promise<ServedModel> {
    const served = await this.load(name, version);
    const e = this.entry(name);
    // A slower load of an older version must not replace a newer one already swapped in.
    if (!e.latest || served.version > e.latest.version) {
      const old = e.latest;
      e.latest = served;
      e.pinned.delete(served.version);
      // The replaced version stays in memory: a caller pinned to it keeps being answered with the DSO down.
      if (old) this.pin(e, old);
      old?.batcher.flush();
      this.emit('version', name, served.version);
    }
    return e.latest;
  }

  private async load(name: string, version: number | undefined): Promise<ServedModel> {
    let model: Model;
    let versions: number[];
    try {
      model = await this.source.load(name, version);
      versions = await this.source.versions(name);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_NOT_FOUND') {
        throw notFound(version === undefined ? `model '${name}' not found` : `version ${version} of model '${name}' not found`);
      }
      // A name the store refuses cannot name a published model.
      if (code === 'ERR_BAD_ARGUMENT') throw notFound(`model '${name}' not found: ${(err as Error).message}`);
      if (code !== undefined && UNREACHABLE.has(code)) {
        throw new V2HttpError(503, `model '${name}' is not loaded and the DSO did not answer: ${(err as Error).message}`, { cause: err });
      }
      throw new V2HttpError(500, `model '${name}' could not be loaded: ${(err as Error).message}`, { cause: err });
    }
    const v = model.version ?? version ?? Math.max(0, ...versions);
    this.entry(name).versions = versions;
    const classes = Array.isArray(model.meta.classes) ? (model.meta.classes as number[]) : undefined;
    return {
      name,
      version: v,
      model,
      nFeatures: model.meta.nFeatures as number,
      classes: model.algorithm === 'kmeans' ? undefined : classes,
      labelDatatype: labelDatatype(model.algorithm === 'kmeans' ? undefined : classes),
      batcher: new MicroBatcher((X, n) => this.predict(model, X, n), this.batch),
    };
  }

  private pin(e: Entry, served: ServedModel): void {
    e.pinned.set(served.version, served);
    if (e.pinned.size > PINNED_PER_MODEL) e.pinned.delete(e.pinned.keys().next().value!);
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name);
    if (!e) {
      e = { pinned: new Map(), versions: [] };
      this.entries.set(name, e);
    }
    return e;
  }

  /** Single flight: concurrent first requests for one model make one DSO load. */
  private singleFlight(key: string, fn: () => Promise<ServedModel>): Promise<ServedModel> {
    let p = this.inflight.get(key);
    if (!p) {
      p = fn().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}
