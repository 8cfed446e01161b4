/**
 * Several ROUTER sockets of one node (its TCP endpoint and its Unix socket) as one: each message's
 * route is remembered with the socket it came from, and a reply goes back through that socket. (A
 * copy of a route's bytes is looked up by each socket in turn; their generated ids differ by routeTag.)
 */
import type { Frame } from '../wire/frames.ts';
import type { ServerHandler, ServerSocket } from './socket.ts';

export class ServerGroup implements ServerSocket {
  private readonly owner = new WeakMap<Uint8Array, ServerSocket>();
  private readonly members: ServerSocket[] = [];

  /** @param handle every member's messages, as one socket's */
  constructor(private readonly handle: ServerHandler) {}

  /** The first member's endpoint: the node's address. */
  get endpoint(): string { return this.members[0]?.endpoint ?? ''; }

  /** Every member's endpoint, in the order they were added. */
  get endpoints(): string[] { return this.members.map((m) => m.endpoint); }

  /** Binds a member with a handler that records each route's socket before handing the message on. */
  async add(bind: (handler: ServerHandler) => Promise<ServerSocket>): Promise<void> {
    let member: ServerSocket | undefined;
    member = await bind((route, frames, bytes, user) => {
      if (member && !this.owner.has(route)) this.owner.set(route, member);
      this.handle(route, frames, bytes, user);
    });
    this.members.push(member);
  }

  send(route: Uint8Array, frames: readonly Frame[]): boolean {
    const member = this.owner.get(route);
    if (member) return member.send(route, frames);
    // A route not seen as such (a copy of its bytes): each socket looks it up by its bytes.
    return this.members.some((m) => m.send(route, frames));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
