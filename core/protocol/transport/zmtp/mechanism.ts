/**
 * The handshakes of the ZMTP security mechanisms that carry credentials: PLAIN (RFC 24) here,
 * CURVE (RFC 26) in curve.ts. NULL needs no state and stays in peer.ts. A handshake is fed the
 * peer's commands one by one and answers with the commands to send, until it yields the peer's
 * metadata (and, on a server, the user id `authenticate` gave the peer). A refusal is an ERROR
 * command to the peer and an error here: `UnauthorizedError` on a client (the node said no),
 * `AuthenticationFailure` on a server (the link is dropped, nothing else happens).
 */
import { UnauthorizedError } from '../../errors.ts';
import type { ClientSecurity, ServerSecurity } from '../security.ts';
import { ZmtpProtocolError, encodeCommand, parseMetadata, type MechanismName } from './wire.ts';
import { CurveClient, CurveServer } from './curve.ts';

/** What a handshake step produced. */
export interface Step {
  /** Commands to write to the peer, in order. */
  send: Buffer[];
  /** Set once the handshake is complete. */
  done?: { props: Map<string, Buffer>; user?: string };
  /** Set when this side refuses the peer: `send` (an ERROR) goes out, then the link is dropped. */
  refusal?: AuthenticationFailure;
}

/** After a CURVE handshake, every frame and command travels boxed in a MESSAGE command. */
export interface MessageBox {
  /** A MESSAGE command (whole frame, header included) for one frame: `more` / `command` as in the frame's flags. */
  seal(body: Uint8Array, more: boolean, command: boolean): Buffer;
  /** The frame a MESSAGE command's data holds. */
  open(data: Buffer): { body: Buffer; more: boolean; command: boolean };
}

/** One side's handshake of a mechanism other than NULL. */
export interface Handshake {
  readonly mechanism: MechanismName;
  readonly asServer: boolean;
  /** Commands to send once the peer's greeting is in (a client's HELLO). */
  start(): Buffer[];
  command(name: string, data: Buffer): Step;
  /** Set by CURVE once the handshake is done. */
  readonly box?: MessageBox;
}

/** Makes a link's handshake, given the metadata (Socket-Type, Identity) this side sends. */
export type HandshakeFactory = (metadata: Buffer) => Handshake;

/** A server refused a peer's credentials; the peer was told with an ERROR command. */
export class AuthenticationFailure extends ZmtpProtocolError {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationFailure';
  }
}

/** ERROR's body: reason length (1 byte), reason. */
export function errorBody(reason: string): Buffer {
  const r = Buffer.from(reason.slice(0, 255), 'latin1');
  return Buffer.concat([Buffer.from([r.length]), r]);
}

export function errorReason(data: Buffer): string {
  return data.toString('latin1', 1, 1 + (data[0] ?? 0));
}

/** The peer's ERROR during a handshake: the node refused us. */
export function refused(mechanism: string, data: Buffer): UnauthorizedError {
  return new UnauthorizedError(`the DSO node refused this client's ${mechanism} credentials (it said ${JSON.stringify(errorReason(data))}): check the token or key (CRUCIAL_TOKEN, CRUCIAL_TOKEN_FILE)`);
}

function expect(got: string, want: string): void {
  if (got !== want) throw new ZmtpProtocolError(`expected ${want} during the handshake, got ${JSON.stringify(got)}`);
}

/** The factory for a client's credentials. */
export function clientHandshake(security: ClientSecurity): HandshakeFactory {
  if (security.mechanism === 'PLAIN') return (meta) => new PlainClient(security.username, security.password, meta);
  return (meta) => new CurveClient(security, meta);
}

/** The factory for a server's demands. */
export function serverHandshake(security: ServerSecurity): HandshakeFactory {
  if (security.mechanism === 'PLAIN') return (meta) => new PlainServer(security.authenticate, meta);
  return (meta) => new CurveServer(security, meta);
}

/** RFC 24, client side: HELLO(username, password) → WELCOME, INITIATE(metadata) → READY(metadata). */
class PlainClient implements Handshake {
  readonly mechanism = 'PLAIN';
  readonly asServer = false;
  private state: 'welcome' | 'ready' = 'welcome';

  constructor(private readonly username: string, private readonly password: string, private readonly meta: Buffer) {}

  start(): Buffer[] {
    const u = Buffer.from(this.username, 'utf8');
    const p = Buffer.from(this.password, 'utf8');
    if (u.length > 255 || p.length > 255) throw new ZmtpProtocolError('PLAIN username and password are at most 255 bytes each');
    return [encodeCommand('HELLO', Buffer.concat([Buffer.from([u.length]), u, Buffer.from([p.length]), p]))];
  }

  command(name: string, data: Buffer): Step {
    if (name === 'ERROR') throw refused('PLAIN', data);
    if (this.state === 'welcome') {
      expect(name, 'WELCOME');
      this.state = 'ready';
      return { send: [encodeCommand('INITIATE', this.meta)] };
    }
    expect(name, 'READY');
    return { send: [], done: { props: parseMetadata(data) } };
  }
}

/** RFC 24, server side. */
class PlainServer implements Handshake {
  readonly mechanism = 'PLAIN';
  readonly asServer = true;
  private state: 'hello' | 'initiate' = 'hello';
  private user = '';

  constructor(private readonly authenticate: (username: string, password: string) => string | null, private readonly meta: Buffer) {}

  start(): Buffer[] { return []; }

  command(name: string, data: Buffer): Step {
    if (this.state === 'hello') {
      expect(name, 'HELLO');
      const ulen = data[0] ?? 0;
      const plen = data[1 + ulen];
      if (data.length < 1 || plen === undefined || 2 + ulen + plen !== data.length) throw new ZmtpProtocolError('malformed PLAIN HELLO');
      const username = data.toString('utf8', 1, 1 + ulen);
      const password = data.toString('utf8', 2 + ulen, 2 + ulen + plen);
      const user = this.authenticate(username, password);
      if (user === null) {
        // Only the RFC 27 status code as the reason: libzmq reads a longer one as a protocol error, not a refusal.
        return { send: [encodeCommand('ERROR', errorBody('400'))], refusal: new AuthenticationFailure(`PLAIN credentials of user ${JSON.stringify(username)} refused`) };
      }
      this.user = user;
      this.state = 'initiate';
      return { send: [encodeCommand('WELCOME')] };
    }
    expect(name, 'INITIATE');
    return { send: [encodeCommand('READY', this.meta)], done: { props: parseMetadata(data), user: this.user } };
  }
}
