/**
 * `@Serializable`: the mark a class needs for its instances to cross a thread boundary by value
 * (the seed's porting step 2, "make Serializable each object passed between cloud threads"). The
 * receiving thread imports the class's module and rebuilds the instance without running its
 * constructor, as Java deserialisation does.
 */
import { callerModuleUrl } from '../objects/caller.ts';

export const SERIALIZABLE = Symbol.for('crucial.serializable');

export interface SerializableMeta {
  moduleUrl: string;
  name: string;
}

/**
 * Marks a class whose instances may be passed to cloud threads. Without decorator syntax (plain
 * JavaScript, Node's type stripping) call it: `Serializable()(Cls, { kind: 'class', name: 'Cls' })`;
 * the context needs only those two fields, so that call type-checks too.
 */
export function Serializable(options: { module?: string } = {}) {
  return function (cls: Function, context: Pick<ClassDecoratorContext, 'kind' | 'name'>): void {
    const meta: SerializableMeta = { moduleUrl: options.module ?? callerModuleUrl(), name: String(context.name ?? cls.name) };
    Object.defineProperty(cls, SERIALIZABLE, { value: meta, enumerable: false });
  };
}

export function serializableMeta(cls: unknown): SerializableMeta | undefined {
  return typeof cls === 'function' ? ((cls as any)[SERIALIZABLE] as SerializableMeta | undefined) : undefined;
}
