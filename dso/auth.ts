/**
 * Who may use a node, and as whom (README, "Trust model"). A node demands credentials at the ZMTP
 * handshake unless told `insecure`:
 * - PLAIN (the default): a secret token. Without `token` / `tokens` the node makes one, and the
 *   clients of its own process find it (credentials.ts); `crucial dso start` writes it to a 0600 file.
 * - CURVE (`curve`): encryption, and clients known by their public keys. Needed off loopback.
 * Each token or client key maps to a namespace: '' is the node's root (its owner); any other name
 * is a tenant whose objects are kept apart (tenancy.ts). Code upload is a permission of its own
 * (`allowUpload`), off unless the node is given it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidOptionError } from '../core/protocol/errors.ts';
import type { ClientSecurity, ServerSecurity } from '../core/protocol/transport/security.ts';
import { PLAIN_USERNAME } from '../core/protocol/transport/credentials.ts';
import { curveKeyPair, curvePublicKey } from '../core/protocol/transport/zmtp/curve.ts';

/** How a node authenticates clients (part of {@link DsoOptions}). */
export interface AuthOptions {
  /**
   * The PLAIN token of the root namespace. Default: a random one, unless `tokens`, `curve` or
   * `insecure` say otherwise; read it from {@link DsoNode.token}.
   */
  token?: string;
  /** More PLAIN tokens, each for its own namespace: `{ namespace: token }` ('' is the root). */
  tokens?: Record<string, string>;
  /**
   * CURVE instead of PLAIN: the node's key pair and the clients it admits, `{ namespace: publicKey }`
   * (Z85). Without `clients`, a key pair for this process's own clients is made and admitted as root.
   */
  curve?: {
    /** The node's public key (Z85); checked against `secretKey` when given. */
    publicKey?: string;
    /** The node's secret key (Z85, 40 characters). */
    secretKey: string;
    /** Admitted clients: `{ namespace: client public key }` ('' is the root). */
    clients?: Record<string, string>;
  };
  /** No authentication at all (NULL): anyone who reaches the port may call, and upload if allowed. Loopback only. */
  insecure?: boolean;
  /** Whether clients may upload code (`$system.loadModule`): user classes run on the node. Default false. */
  allowUpload?: boolean;
}

/** A namespace name: printable, no NUL (NUL separates it from keys), at most 64 characters. */
function checkNamespace(ns: string): string {
  if (typeof ns !== 'string' || ns.length > 64 || !/^[A-Za-z0-9._@+-]*$/.test(ns)) {
    throw new InvalidOptionError(`namespace ${JSON.stringify(ns)} must be at most 64 characters of A-Z a-z 0-9 . _ @ + -`);
  }
  return ns;
}

function checkToken(token: unknown, what: string): string {
  if (typeof token !== 'string' || token.length < 16 || token.length > 255 || /\s/.test(token)) {
    throw new InvalidOptionError(`${what} must be a string of 16 to 255 characters without spaces`);
  }
  return token;
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

/** A node's authentication, resolved from its options. */
export class NodeAuth {
  /** What the transport demands; undefined under `insecure`. */
  readonly security: ServerSecurity | undefined;
  /** What this process's own clients present (registered for them under the node's address). */
  readonly own: ClientSecurity | undefined;
  /** The root PLAIN token, when there is one. */
  readonly token: string | undefined;
  /** The tenants' namespaces (every one but the root's ''). */
  readonly tenants: readonly string[];

  /** @throws {InvalidOptionError} if a token, key or namespace is malformed, or the options contradict each other */
  constructor(opts: AuthOptions, readonly allowUpload: boolean) {
    if (opts.insecure) {
      if (opts.token !== undefined || opts.tokens !== undefined || opts.curve !== undefined) {
        throw new InvalidOptionError('options.insecure excludes token, tokens and curve');
      }
      this.security = this.own = this.token = undefined;
      this.tenants = [];
      return;
    }
    if (opts.curve) {
      if (opts.token !== undefined || opts.tokens !== undefined) throw new InvalidOptionError('options.curve excludes token and tokens (CURVE knows clients by key)');
      this.token = undefined;
      const { secretKey } = opts.curve;
      const publicKey = curvePublicKey(secretKey);
      if (opts.curve.publicKey !== undefined && opts.curve.publicKey !== publicKey) throw new InvalidOptionError('options.curve.publicKey is not the public key of options.curve.secretKey');
      let clients = opts.curve.clients;
      if (!clients) {
        const mine = curveKeyPair();
        clients = { '': mine.publicKey };
        this.own = { mechanism: 'CURVE', serverKey: publicKey, ...mine };
      }
      const byKey = new Map<string, string>();
      for (const [ns, key] of Object.entries(clients)) {
        if (typeof key !== 'string' || key.length !== 40) throw new InvalidOptionError(`options.curve.clients[${JSON.stringify(ns)}] must be a Z85 public key of 40 characters`);
        byKey.set(key, checkNamespace(ns));
      }
      this.tenants = [...new Set(byKey.values())].filter((ns) => ns !== '');
      this.security = { mechanism: 'CURVE', publicKey, secretKey, authenticate: (key) => byKey.get(key) ?? null };
      return;
    }
    const byDigest = new Map<string, string>();
    const add = (ns: string, token: string) => {
      const d = digest(token);
      if (byDigest.has(d)) throw new InvalidOptionError('two namespaces share one token');
      byDigest.set(d, checkNamespace(ns));
    };
    this.token = opts.token !== undefined ? checkToken(opts.token, 'options.token') : opts.tokens === undefined ? randomBytes(32).toString('hex') : undefined;
    if (this.token !== undefined) add('', this.token);
    for (const [ns, token] of Object.entries(opts.tokens ?? {})) add(ns, checkToken(token, `options.tokens[${JSON.stringify(ns)}]`));
    if (byDigest.size === 0) throw new InvalidOptionError('options.tokens names no token');
    this.tenants = [...new Set(byDigest.values())].filter((ns) => ns !== '');
    // The token's digest is looked up, so how long a lookup takes says nothing about the token.
    this.security = { mechanism: 'PLAIN', authenticate: (_user, password) => byDigest.get(digest(password)) ?? null };
    this.own = this.token !== undefined ? { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: this.token } : undefined;
  }
}
