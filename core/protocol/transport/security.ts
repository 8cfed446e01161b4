/**
 * Who may open a link, as both transports take it: the ZMTP security mechanisms PLAIN (RFC 24, a
 * user name and a secret token, in clear: loopback only) and CURVE (RFC 26, CurveCP-style
 * encryption and authentication by public keys: anything off loopback). No logic here; crucial's
 * ZMTP runs the handshakes in zmtp/mechanism.ts, the libzmq transport sets libzmq's options and
 * answers its ZAP requests. Keys are Z85 text (40 characters), as libzmq, pyzmq and zeromq.js write them.
 */

/** What a client presents at the handshake. */
export type ClientSecurity =
  | {
    /** RFC 24 PLAIN: the token travels in clear, so only over loopback (or inside an encrypted tunnel). */
    mechanism: 'PLAIN';
    /** Informative; the node identifies the client by its token. */
    username: string;
    /** The node's secret token. */
    password: string;
  }
  | {
    /** RFC 26 CURVE: the link is encrypted; the node knows the client by its public key. */
    mechanism: 'CURVE';
    /** The node's long-term public key (Z85). */
    serverKey: string;
    /** This client's long-term public key (Z85); the node must admit it. */
    publicKey: string;
    /** This client's long-term secret key (Z85). */
    secretKey: string;
  };

/**
 * What a node demands. `authenticate` returns the peer's user id (crucial uses it as the peer's
 * namespace; '' is the node's root namespace), or null to refuse it at the handshake.
 */
export type ServerSecurity =
  | {
    mechanism: 'PLAIN';
    authenticate(username: string, password: string): string | null;
  }
  | {
    mechanism: 'CURVE';
    /** The node's long-term public key (Z85). */
    publicKey: string;
    /** The node's long-term secret key (Z85). */
    secretKey: string;
    /** `clientKey`: the client's long-term public key, Z85. */
    authenticate(clientKey: string): string | null;
  };
