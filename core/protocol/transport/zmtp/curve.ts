/**
 * CURVE (RFC 26, CurveZMQ) for crucial's ZMTP: the HELLO / WELCOME / INITIATE / READY handshake
 * with short-term keys and a server cookie, then every frame boxed in a MESSAGE command, byte for
 * byte as libzmq does it (so pyzmq and zeromq.js peers interoperate both ways). The cryptography
 * is libsodium's crypto_box (Curve25519, XSalsa20, Poly1305) through sodium-native, loaded only
 * when a CURVE link is opened. Nonces: each side counts its short nonces from 1 (a client's HELLO
 * is 1, its INITIATE 2; a server's READY is 1) and a MESSAGE whose nonce does not grow is refused.
 */
import { createRequire } from 'node:module';
import { InvalidOptionError } from '../../errors.ts';
import type { ClientSecurity, ServerSecurity } from '../security.ts';
import { AuthenticationFailure, errorBody, refused, type Handshake, type MessageBox, type Step } from './mechanism.ts';
import { ZmtpProtocolError, encodeCommand, frameHeader, parseMetadata } from './wire.ts';
import { z85Decode, z85Encode } from './z85.ts';

/** The part of sodium-native's API CURVE uses (the package ships no type declarations). */
interface Sodium {
  crypto_box_keypair(pk: Buffer, sk: Buffer): void;
  crypto_box_easy(c: Buffer, m: Buffer, n: Buffer, pk: Buffer, sk: Buffer): void;
  crypto_box_open_easy(m: Buffer, c: Buffer, n: Buffer, pk: Buffer, sk: Buffer): boolean;
  crypto_secretbox_easy(c: Buffer, m: Buffer, n: Buffer, k: Buffer): void;
  crypto_secretbox_open_easy(m: Buffer, c: Buffer, n: Buffer, k: Buffer): boolean;
  crypto_scalarmult_base(q: Buffer, n: Buffer): void;
  crypto_scalarmult(q: Buffer, n: Buffer, p: Buffer): void;
  crypto_stream_salsa20(c: Buffer, n: Buffer, k: Buffer): void;
  randombytes_buf(b: Buffer): void;
}
const requireHere = createRequire(import.meta.url);
let sodiumModule: Sodium | undefined;

function sodium(): Sodium {
  try {
    return (sodiumModule ??= requireHere('sodium-native') as Sodium);
  } catch (cause) {
    throw new InvalidOptionError(`CURVE needs sodium-native, which did not load here (${(cause as Error).message.split('\n')[0]}): npm install sodium-native`);
  }
}

const MAC = 16;

function box(message: Uint8Array, nonce: Buffer, publicKey: Buffer, secretKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.byteLength + MAC);
  sodium().crypto_box_easy(out, message as Buffer, nonce, publicKey, secretKey);
  return out;
}

function unbox(boxed: Buffer, nonce: Buffer, publicKey: Buffer, secretKey: Buffer, what: string): Buffer {
  if (boxed.length < MAC) throw new ZmtpProtocolError(`CURVE ${what} is too short`);
  const out = Buffer.allocUnsafe(boxed.length - MAC);
  if (!sodium().crypto_box_open_easy(out, boxed, nonce, publicKey, secretKey)) throw new ZmtpProtocolError(`CURVE ${what} does not open (wrong key, or tampered with)`);
  return out;
}

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

/**
 * crypto_box_beforenm, which sodium-native does not expose: HSalsa20 of the X25519 shared secret
 * with a zero nonce, read off the first Salsa20 block (block = core(input) + input; HSalsa20 is
 * core's words 0, 5, 10, 15, 6..9 without that addition, and the input there is σ or zero). Boxes
 * sealed with crypto_secretbox under this key are crypto_box's, byte for byte (checked against
 * crypto_box_easy in the tests), without a scalar multiplication per message.
 */
function beforenm(publicKey: Buffer, secretKey: Buffer): Buffer {
  const shared = Buffer.allocUnsafe(32);
  sodium().crypto_scalarmult(shared, secretKey, publicKey);
  const block = Buffer.alloc(64);
  sodium().crypto_stream_salsa20(block, Buffer.alloc(8), shared);
  const k = Buffer.allocUnsafe(32);
  [0, 5, 10, 15].forEach((w, i) => k.writeUInt32LE((block.readUInt32LE(w * 4) - SIGMA[i]!) >>> 0, i * 4));
  [6, 7, 8, 9].forEach((w, i) => k.writeUInt32LE(block.readUInt32LE(w * 4), 16 + i * 4));
  shared.fill(0);
  block.fill(0);
  return k;
}

/** For the tests: the precomputed key of a box between `publicKey` and `secretKey`. */
export const boxKeyForTest = beforenm;

function nonce(prefix: string, tail: Buffer): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'latin1'), tail]);
}

function shortNonce(n: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(n);
  return b;
}

function random(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  sodium().randombytes_buf(b);
  return b;
}

/** A fresh long-term key pair, Z85 (what `zmq_curve_keypair` gives). */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  const pk = Buffer.allocUnsafe(32);
  const sk = Buffer.allocUnsafe(32);
  sodium().crypto_box_keypair(pk, sk);
  return { publicKey: z85Encode(pk), secretKey: z85Encode(sk) };
}

/** The public key of a Z85 secret key. */
export function curvePublicKey(secretKey: string): string {
  const pk = Buffer.allocUnsafe(32);
  sodium().crypto_scalarmult_base(pk, key(secretKey, 'secret key'));
  return z85Encode(pk);
}

function key(z85: string, what: string): Buffer {
  const k = typeof z85 === 'string' && z85.length === 40 ? z85Decode(z85) : null;
  if (!k) throw new InvalidOptionError(`the CURVE ${what} must be 40 characters of Z85 (got ${typeof z85 === 'string' ? `${z85.length} characters` : typeof z85})`);
  return k;
}

/** Boxes frames after the handshake with the two short-term keys (their shared key computed once). */
class Box implements MessageBox {
  private sent: bigint;
  private received: bigint;
  private readonly key: Buffer;

  constructor(
    peerKey: Buffer, ownKey: Buffer,
    private readonly sendPrefix: string, private readonly receivePrefix: string,
    sentSoFar: bigint, receivedSoFar: bigint,
  ) {
    this.key = beforenm(peerKey, ownKey);
    this.sent = sentSoFar;
    this.received = receivedSoFar;
  }

  seal(body: Uint8Array, more: boolean, command: boolean): Buffer {
    const plain = Buffer.allocUnsafe(1 + body.byteLength);
    plain[0] = (more ? 0x01 : 0) | (command ? 0x02 : 0);
    plain.set(body, 1);
    const n = shortNonce(++this.sent);
    const boxed = secretbox(plain, nonce(this.sendPrefix, n), this.key);
    const size = 8 + 8 + boxed.length;
    // A data frame, as libzmq sends it (no MORE, no COMMAND outside: those flags are in the box).
    return Buffer.concat([frameHeader(0, size), Buffer.from('\x07MESSAGE', 'latin1'), n, boxed]);
  }

  open(data: Buffer): { body: Buffer; more: boolean; command: boolean } {
    if (data.length < 8 + MAC + 1) throw new ZmtpProtocolError('malformed CURVE MESSAGE');
    const n = data.readBigUInt64BE(0);
    if (n <= this.received) throw new ZmtpProtocolError('CURVE MESSAGE nonce did not increase (a replay?)');
    this.received = n;
    const plain = secretboxOpen(data.subarray(8), nonce(this.receivePrefix, data.subarray(0, 8)), this.key);
    if (!plain) throw new ZmtpProtocolError('CURVE MESSAGE does not open (wrong key, or tampered with)');
    if (plain.length < 1) throw new ZmtpProtocolError('empty CURVE MESSAGE');
    return { body: plain.subarray(1), more: (plain[0]! & 0x01) !== 0, command: (plain[0]! & 0x02) !== 0 };
  }
}

/** RFC 26, client side. */
export class CurveClient implements Handshake {
  readonly mechanism = 'CURVE';
  readonly asServer = false;
  box?: MessageBox;
  private readonly serverKey: Buffer;
  private readonly publicKey: Buffer;
  private readonly secretKey: Buffer;
  private readonly cnPublic = Buffer.allocUnsafe(32);
  private readonly cnSecret = Buffer.allocUnsafe(32);
  private cnServer: Buffer | null = null;
  private state: 'welcome' | 'ready' = 'welcome';

  constructor(security: Extract<ClientSecurity, { mechanism: 'CURVE' }>, private readonly meta: Buffer) {
    this.serverKey = key(security.serverKey, 'server key');
    this.publicKey = key(security.publicKey, 'public key');
    this.secretKey = key(security.secretKey, 'secret key');
    sodium().crypto_box_keypair(this.cnPublic, this.cnSecret);
  }

  start(): Buffer[] {
    const n = shortNonce(1n);
    const signature = box(Buffer.alloc(64), nonce('CurveZMQHELLO---', n), this.serverKey, this.cnSecret);
    // Version 1.0, 72 bytes of anti-amplification padding, C', short nonce, signature box.
    return [encodeCommand('HELLO', Buffer.concat([Buffer.from([1, 0]), Buffer.alloc(72), this.cnPublic, n, signature]))];
  }

  command(name: string, data: Buffer): Step {
    if (name === 'ERROR') throw refused('CURVE', data);
    if (this.state === 'welcome') {
      if (name !== 'WELCOME' || data.length !== 160) throw new ZmtpProtocolError(`expected a CURVE WELCOME, got ${JSON.stringify(name)} (${data.length} bytes)`);
      const plain = unbox(data.subarray(16), nonce('WELCOME-', data.subarray(0, 16)), this.serverKey, this.cnSecret, 'WELCOME (is the server key right?)');
      const cnServer = plain.subarray(0, 32);
      const cookie = plain.subarray(32, 128);
      this.cnServer = Buffer.from(cnServer);
      const vouchNonce = random(16);
      const vouch = box(Buffer.concat([this.cnPublic, this.serverKey]), nonce('VOUCH---', vouchNonce), this.cnServer, this.secretKey);
      const n = shortNonce(2n);
      const initiate = box(Buffer.concat([this.publicKey, vouchNonce, vouch, this.meta]), nonce('CurveZMQINITIATE', n), this.cnServer, this.cnSecret);
      this.state = 'ready';
      return { send: [encodeCommand('INITIATE', Buffer.concat([cookie, n, initiate]))] };
    }
    if (name !== 'READY' || data.length < 8 + MAC) throw new ZmtpProtocolError(`expected a CURVE READY, got ${JSON.stringify(name)}`);
    const received = data.readBigUInt64BE(0);
    const props = parseMetadata(unbox(data.subarray(8), nonce('CurveZMQREADY---', data.subarray(0, 8)), this.cnServer!, this.cnSecret, 'READY'));
    this.box = new Box(this.cnServer!, this.cnSecret, 'CurveZMQMESSAGEC', 'CurveZMQMESSAGES', 2n, received);
    return { send: [], done: { props } };
  }
}

/** RFC 26, server side. `authenticate` gets the client's long-term public key in Z85. */
export class CurveServer implements Handshake {
  readonly mechanism = 'CURVE';
  readonly asServer = true;
  box?: MessageBox;
  private readonly secretKey: Buffer;
  private readonly cnPublic = Buffer.allocUnsafe(32);
  private readonly cnSecret = Buffer.allocUnsafe(32);
  private readonly cookieKey: Buffer;
  private cnClient: Buffer | null = null;
  private state: 'hello' | 'initiate' = 'hello';
  private helloNonce = 0n;

  constructor(private readonly security: Extract<ServerSecurity, { mechanism: 'CURVE' }>, private readonly meta: Buffer) {
    this.secretKey = key(security.secretKey, 'secret key');
    sodium().crypto_box_keypair(this.cnPublic, this.cnSecret);
    this.cookieKey = random(32);
  }

  start(): Buffer[] { return []; }

  command(name: string, data: Buffer): Step {
    if (this.state === 'hello') {
      if (name !== 'HELLO' || data.length !== 194) throw new ZmtpProtocolError(`expected a CURVE HELLO, got ${JSON.stringify(name)} (${data.length} bytes)`);
      if (data[0] !== 1 || data[1] !== 0) throw new ZmtpProtocolError(`CURVE version ${data[0]}.${data[1]} is not 1.0`);
      const cnClient = Buffer.from(data.subarray(74, 106));
      const n = data.subarray(106, 114);
      try {
        unbox(data.subarray(114), nonce('CurveZMQHELLO---', n), cnClient, this.secretKey, 'HELLO');
      } catch {
        // The client does not know this node's public key: tell it, as it cannot read anything boxed.
        return { send: [encodeCommand('ERROR', errorBody('400'))], refusal: new AuthenticationFailure('CURVE HELLO does not open: the client uses another server key') };
      }
      this.cnClient = cnClient;
      this.helloNonce = n.readBigUInt64BE(0);
      const cookieNonce = random(16);
      const cookie = Buffer.concat([cookieNonce, secretbox(Buffer.concat([cnClient, this.cnSecret]), nonce('COOKIE--', cookieNonce), this.cookieKey)]);
      const welcomeNonce = random(16);
      const welcome = box(Buffer.concat([this.cnPublic, cookie]), nonce('WELCOME-', welcomeNonce), cnClient, this.secretKey);
      this.state = 'initiate';
      return { send: [encodeCommand('WELCOME', Buffer.concat([welcomeNonce, welcome]))] };
    }
    if (name !== 'INITIATE' || data.length < 96 + 8 + MAC + 128) throw new ZmtpProtocolError(`expected a CURVE INITIATE, got ${JSON.stringify(name)} (${data.length} bytes)`);
    const cookie = secretboxOpen(data.subarray(16, 96), nonce('COOKIE--', data.subarray(0, 16)), this.cookieKey);
    if (!cookie || !cookie.subarray(0, 32).equals(this.cnClient!) || !cookie.subarray(32, 64).equals(this.cnSecret)) {
      throw new ZmtpProtocolError('CURVE INITIATE carries a cookie this server did not give');
    }
    const n = data.subarray(96, 104);
    const initiateNonce = n.readBigUInt64BE(0);
    if (initiateNonce <= this.helloNonce) throw new ZmtpProtocolError('CURVE INITIATE nonce did not increase');
    const plain = unbox(data.subarray(104), nonce('CurveZMQINITIATE', n), this.cnClient!, this.cnSecret, 'INITIATE');
    const clientKey = plain.subarray(0, 32);
    const vouch = unbox(plain.subarray(48, 128), nonce('VOUCH---', plain.subarray(32, 48)), clientKey, this.cnSecret, 'vouch');
    if (!vouch.subarray(0, 32).equals(this.cnClient!)) throw new ZmtpProtocolError('CURVE vouch names another short-term key');
    const user = this.security.authenticate(z85Encode(clientKey));
    if (user === null) {
      return { send: [encodeCommand('ERROR', errorBody('400'))], refusal: new AuthenticationFailure(`CURVE client key ${z85Encode(clientKey)} is not allowed`) };
    }
    const props = parseMetadata(plain.subarray(128));
    const r = shortNonce(1n);
    const ready = box(this.meta, nonce('CurveZMQREADY---', r), this.cnClient!, this.cnSecret);
    this.box = new Box(this.cnClient!, this.cnSecret, 'CurveZMQMESSAGES', 'CurveZMQMESSAGEC', 1n, initiateNonce);
    return { send: [encodeCommand('READY', Buffer.concat([r, ready]))], done: { props, user } };
  }
}

function secretbox(message: Uint8Array, n: Buffer, k: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.length + MAC);
  sodium().crypto_secretbox_easy(out, message as Buffer, n, k);
  return out;
}

function secretboxOpen(boxed: Buffer, n: Buffer, k: Buffer): Buffer | null {
  if (boxed.length < MAC) return null;
  const out = Buffer.allocUnsafe(boxed.length - MAC);
  return sodium().crypto_secretbox_open_easy(out, boxed, n, k) ? out : null;
}
