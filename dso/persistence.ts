/**
 * Stable storage for persistent objects, on the pmem heap. Each persistent object's state is kept
 * as one crash-consistent blob in a persistent hash map, written before the reply that
 * acknowledges the call; numeric arrays inside it are Arrow frames, so a model's weights are stored
 * as their raw buffers. The modules that define user classes are kept too, so a restarted node can
 * rebuild user objects without any client being around.
 */
import { Heap, PHashMap } from '../pmem/index.ts';
import { WireCodec } from '../core/wire/codec.ts';
import { packFrames, unpackFrames } from '../core/wire/frames.ts';

const OBJECTS_ROOT = 'dso.objects';
const MODULES_ROOT = 'dso.modules';

/** What is stored for one object. */
export interface StoredObject {
  type: string;
  key: string;
  module?: string;
  state: Record<string, unknown>;
}

export class PersistentStore {
  private readonly codec = new WireCodec();

  private constructor(private readonly heap: Heap, private readonly objects: PHashMap, private readonly modules: PHashMap) {}

  static async open(path: string, sizeBytes = 256 * 1024 * 1024): Promise<PersistentStore> {
    const heap = await Heap.open(path, { size: sizeBytes });
    const objects = heap.root<PHashMap>(OBJECTS_ROOT) ?? PersistentStore.createRoot(heap, OBJECTS_ROOT);
    const modules = heap.root<PHashMap>(MODULES_ROOT) ?? PersistentStore.createRoot(heap, MODULES_ROOT);
    return new PersistentStore(heap, objects, modules);
  }

  private static createRoot(heap: Heap, name: string): PHashMap {
    const map = PHashMap.create(heap);
    heap.setRoot(name, map);
    return map;
  }

  save(obj: StoredObject): void {
    const frames = this.codec.encodeValue([obj.type, obj.key, obj.module ?? null, obj.state]);
    this.objects.put(slotKey(obj.type, obj.key), packFrames(frames));
  }

  remove(type: string, key: string): void {
    this.objects.delete(slotKey(type, key));
  }

  saveModule(hash: string, code: string): void {
    if (!this.modules.has(hash)) this.modules.put(hash, code);
  }

  modulesStored(): Array<{ hash: string; code: string }> {
    const out: Array<{ hash: string; code: string }> = [];
    for (const [hash, code] of this.modules.entries()) if (typeof code === 'string') out.push({ hash, code });
    return out;
  }

  /** Every stored object; array state is copied out of the region since the object will mutate it. */
  load(): StoredObject[] {
    const out: StoredObject[] = [];
    for (const [, blob] of this.objects.entries()) {
      if (!(blob instanceof Uint8Array)) continue;
      const [type, key, module, state] = this.codec.decodeRaw(unpackFrames(blob)) as [string, string, string | null, Record<string, unknown>];
      out.push({ type, key, module: module ?? undefined, state });
    }
    return out;
  }

  close(): void {
    this.heap.close();
  }
}

const slotKey = (type: string, key: string) => `${type}\u0000${key}`;
