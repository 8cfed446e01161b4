/** The mark `@Shared` puts on a user class. Kept apart so the node can test for it without loading proxies. */
export const SHARED_CLASS = Symbol.for('crucial.sharedClass');

export interface SharedClassMeta {
  /** file: URL of the module that defines the class. */
  moduleUrl: string;
}

export function isSharedClass(v: unknown): boolean {
  return typeof v === 'function' && Object.prototype.hasOwnProperty.call(v, SHARED_CLASS);
}

export function sharedClassMeta(cls: Function): SharedClassMeta | undefined {
  return (cls as any)[SHARED_CLASS] as SharedClassMeta | undefined;
}
