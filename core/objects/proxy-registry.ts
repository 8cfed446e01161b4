/**
 * Maps node-side type names to proxy classes, so a reference that arrives in a value (a task's field,
 * a map entry) is rebuilt as the right proxy. Built-in types come first; then `@Shared` classes
 * loaded in this process (so their proxies know which names are the class's methods); anything
 * else comes back as a generic dynamic proxy.
 */
import type { Connection } from '../client/connection.ts';
import { setRefReviver } from '../client/context.ts';
import type { ObjectRef } from '../protocol/wire/protocol.ts';
import type { SharedObject } from './shared-object.ts';

type ProxyFactory = (key: string) => SharedObject;
type RefFactory = (ref: ObjectRef, conn: Connection | undefined) => SharedObject;
const factories = new Map<string, ProxyFactory>();
const userClasses = new Map<string, RefFactory>();
let fallback: RefFactory | undefined;

export function registerProxy(typeName: string, make: ProxyFactory): void {
  factories.set(typeName, make);
}

/** A `@Shared` class loaded here; a later class of the same name replaces it, as on the node. */
export function registerUserClassProxy(typeName: string, make: RefFactory): void {
  userClasses.set(typeName, make);
}

export function setFallbackProxy(make: RefFactory): void {
  fallback = make;
}

export function reviveRef(ref: ObjectRef, conn?: Connection): unknown {
  const make = factories.get(ref.type);
  if (make) {
    const proxy = make(ref.key);
    return conn ? proxy.bindConnection(conn) : proxy;
  }
  // User-class proxies answer every method name remotely, so the connection goes in at creation.
  const user = userClasses.get(ref.type) ?? fallback;
  return user ? user(ref, conn) : ref;
}

setRefReviver(reviveRef);
