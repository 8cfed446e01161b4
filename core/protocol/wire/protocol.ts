/**
 * Wire constants of crucial's protocol, version 1. No logic lives here: PROTOCOL.md is the
 * normative text and the Python bridge mirrors these numbers.
 */

/** Protocol version carried as the first element of every envelope. */
export const PROTOCOL_VERSION = 1;

/** Second element of every envelope. */
export const Kind = {
  /** client → node: invoke a method on an object. */
  CALL: 0,
  /** node → client: the call returned a value. */
  OK: 1,
  /** node → client: the call failed; the payload is `{code, name, message, stack}`. */
  ERROR: 2,
} as const;

/** MessagePack extension type numbers used inside envelopes. */
export const Ext = {
  /** An Arrow IPC stream carried in a later frame; payload: uint32 big-endian frame index (1-based). */
  ARROW: 1,
  /** A signed 64-bit integer (JS bigint, Python `Int64`); payload: 8 bytes big-endian two's complement. */
  INT64: 2,
  /** A reference to a shared object; payload: MessagePack array `[type, key]`. */
  REF: 3,
} as const;

/** Arrow schema metadata key telling the receiver what the stream stands for. */
export const ARROW_KIND_KEY = 'crucial.kind';
/** A 1-D numeric array (TypedArray / numpy ndarray): one column named `v`, one record batch. */
export const ARROW_KIND_ARRAY = 'array';
/** A whole Arrow table, passed through as a table. */
export const ARROW_KIND_TABLE = 'table';
/** Column name of a 1-D array stream. */
export const ARROW_ARRAY_COLUMN = 'v';

/** Type name of the node's own system object (module upload, ping, stats). */
export const SYSTEM_TYPE = '$system';

/** Method every object type answers: creates the object from the call's options if absent, returns nil. */
export const TOUCH = '$touch';

/** Positions inside a CALL envelope: `[version, kind, client, seq, type, key, method, args, opts]`. */
export const CallIndex = { VERSION: 0, KIND: 1, CLIENT: 2, SEQ: 3, TYPE: 4, KEY: 5, METHOD: 6, ARGS: 7, OPTS: 8 } as const;
/** Positions inside a reply envelope: `[version, kind, seq, payload]`. */
export const ReplyIndex = { VERSION: 0, KIND: 1, SEQ: 2, PAYLOAD: 3 } as const;

/** Options a CALL may carry (the `opts` map); absent keys mean "not set". */
export interface CallOptions {
  /** Constructor arguments, used only if the object does not exist yet. */
  init?: unknown[];
  /** For user classes: field values of a locally built instance, assigned without running the constructor. */
  state?: Record<string, unknown>;
  /** Replace an existing object by a fresh one built from `init`. */
  forceNew?: boolean;
  /** Keep the object beyond the application's lifetime (stable storage where the node has it). */
  persistent?: boolean;
  /** For user classes: content hash of the module that defines the class. */
  module?: string;
  /** For blocking methods: give up after this many milliseconds. */
  timeoutMs?: number;
}

/** A reference to a shared object, as it travels inside values. */
export class ObjectRef {
  /**
   * @param type the object's type name on the node
   * @param key the object's key
   */
  constructor(
    /** The object's type name on the node. */
    readonly type: string,
    /** The object's key. */
    readonly key: string,
  ) {}
}
