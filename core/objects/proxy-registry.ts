/**
 * Maps node-side type names to proxy classes, so a reference that arrives in a value (a task's field,
 * a map entry) is rebuilt as the right proxy. Types with no local class (user classes defined
 * elsewhere) come back as generic dynamic proxies.
 */
import type { Connection } from '../client/connection.ts';
import { setRefReviver } from '../client/context.ts';
import type { ObjectRef } from '../wire/protocol.ts';
import type { SharedObject } from './shared-object.ts';

type ProxyFactory = (key: string) => SharedObject;
const factories = new Map<string, ProxyFactory>();
let fallback: ((ref: ObjectRef) => SharedObject) | undefined;

export function registerProxy(typeName: string, make: ProxyFactory): void {
  factories.set(typeName, make);
}

export function setFallbackProxy(make: (ref: ObjectRef) => SharedObject): void {
  fallback = make;
}

export function reviveRef(ref: ObjectRef, conn?: Connection): unknown {
  const make = factories.get(ref.type);
  const proxy = make ? make(ref.key) : fallback?.(ref);
  if (!proxy) return ref;
  return conn ? proxy.bindConnection(conn) : proxy;
}

setRefReviver(reviveRef);
