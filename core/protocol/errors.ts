/**
 * Every failure crucial reports is a `CrucialError` with a stable `code`. The same code strings
 * are used by the Python bridge; a remote failure travels as `{code, name, message, stack}` and is
 * rebuilt here from its code, so `instanceof` works across processes.
 */

/** The stable error codes. Never renumber or rename one: clients in other languages match on them. */
export const ErrorCode = {
  /** The code of {@link BadFrameError}. */
  BAD_FRAME: 'ERR_BAD_FRAME',
  /** The code of {@link ProtocolVersionError}. */
  PROTOCOL_VERSION: 'ERR_PROTOCOL_VERSION',
  /** The code of {@link PayloadTooLargeError}. */
  PAYLOAD_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  /** The code of {@link UnknownTypeError}. */
  UNKNOWN_TYPE: 'ERR_UNKNOWN_TYPE',
  /** The code of {@link UnknownMethodError}. */
  UNKNOWN_METHOD: 'ERR_UNKNOWN_METHOD',
  /** The code of {@link BadArgumentError}. */
  BAD_ARGUMENT: 'ERR_BAD_ARGUMENT',
  /** The code of {@link NoObjectError}. */
  NO_OBJECT: 'ERR_NO_OBJECT',
  /** The code of {@link ModuleMissingError}. */
  MODULE_MISSING: 'ERR_MODULE_MISSING',
  /** The code of {@link IllegalStateError}. */
  ILLEGAL_STATE: 'ERR_ILLEGAL_STATE',
  /** The code of {@link BrokenBarrierError}. */
  BROKEN_BARRIER: 'ERR_BROKEN_BARRIER',
  /** The code of {@link TimeoutError}. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** The code of {@link RemoteError}. */
  REMOTE: 'ERR_REMOTE',
  /** The code of {@link TaskFailedError}. */
  TASK_FAILED: 'ERR_TASK_FAILED',
  /** The code of {@link NotSerializableError}. */
  NOT_SERIALIZABLE: 'ERR_NOT_SERIALIZABLE',
  /** The code of {@link ReleasedError}. */
  RELEASED: 'ERR_RELEASED',
  /** The code of {@link ClosedError}. */
  CLOSED: 'ERR_CLOSED',
  /** The code of {@link UnavailableError}. */
  UNAVAILABLE: 'ERR_UNAVAILABLE',
  /** The code of {@link RejectedError}. */
  REJECTED: 'ERR_REJECTED',
  /** The code of {@link InvalidOptionError}. */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** The code of `ReplyNotKeptError`: a resent call whose first reply was too large to keep. */
  REPLY_NOT_KEPT: 'ERR_REPLY_NOT_KEPT',
  /** The code of {@link HighWaterMarkError}. */
  HIGH_WATER_MARK: 'ERR_HIGH_WATER_MARK',
  /** The code of {@link UnauthorizedError}. */
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  /** The code of {@link ForbiddenError}. */
  FORBIDDEN: 'ERR_FORBIDDEN',
  /** The code of {@link ModelNotFoundError}. */
  NOT_FOUND: 'ERR_NOT_FOUND',
  /** The code of {@link LimitExceededError}. */
  LIMIT: 'ERR_LIMIT',
  /** The code of {@link OverloadedError}. */
  OVERLOADED: 'ERR_OVERLOADED',
} as const;

/** One of the {@link ErrorCode} strings. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every crucial error. */
export class CrucialError extends Error {
  /** Stable, language-independent code of the condition. */
  readonly code: ErrorCodeValue;
  /** Stack of the process where the error was raised, when it came over the wire. */
  remoteStack?: string;
  /** Name of the original error class on the remote side (e.g. `RangeError` thrown by a user method). */
  remoteName?: string;

  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A frame could not be decoded: truncated, malformed, or not a crucial message. */
export class BadFrameError extends CrucialError {
  constructor(message: string, options?: { cause?: unknown }) { super(ErrorCode.BAD_FRAME, message, options); }
}
/** The peer speaks another protocol version. */
export class ProtocolVersionError extends CrucialError {
  constructor(message: string) { super(ErrorCode.PROTOCOL_VERSION, message); }
}
/** A message exceeded the node's configured payload limit. */
export class PayloadTooLargeError extends CrucialError {
  constructor(message: string) { super(ErrorCode.PAYLOAD_TOO_LARGE, message); }
}
/** No object type of that name is known to the node. */
export class UnknownTypeError extends CrucialError {
  constructor(message: string) { super(ErrorCode.UNKNOWN_TYPE, message); }
}
/** The object type has no such method. */
export class UnknownMethodError extends CrucialError {
  constructor(message: string) { super(ErrorCode.UNKNOWN_METHOD, message); }
}
/** An argument has the wrong type or is out of range. */
export class BadArgumentError extends CrucialError {
  constructor(message: string) { super(ErrorCode.BAD_ARGUMENT, message); }
}
/** The object does not exist and the call carried no constructor arguments to create it. */
export class NoObjectError extends CrucialError {
  constructor(message: string) { super(ErrorCode.NO_OBJECT, message); }
}
/** The node has not loaded the module that defines a user class; the client uploads it and retries. */
export class ModuleMissingError extends CrucialError {
  constructor(message: string) { super(ErrorCode.MODULE_MISSING, message); }
}
/** The call is not valid in the object's current state (e.g. a Future completed twice). */
export class IllegalStateError extends CrucialError {
  constructor(message: string) { super(ErrorCode.ILLEGAL_STATE, message); }
}
/** A barrier was broken (reset or a party timed out) while this party waited. */
export class BrokenBarrierError extends CrucialError {
  constructor(message: string) { super(ErrorCode.BROKEN_BARRIER, message); }
}
/** A blocking call or a task did not finish in the time given. */
export class TimeoutError extends CrucialError {
  constructor(message: string) { super(ErrorCode.TIMEOUT, message); }
}
/** User code running remotely (a `@Shared` method) threw; `remoteName` and `remoteStack` say what and where. */
export class RemoteError extends CrucialError {
  constructor(message: string) { super(ErrorCode.REMOTE, message); }
}
/** A cloud thread's task threw; `cause` holds the task's own error, rebuilt. */
export class TaskFailedError extends CrucialError {
  constructor(message: string, options?: { cause?: unknown }) { super(ErrorCode.TASK_FAILED, message, options); }
}
/** A value cannot cross a thread boundary (a class not marked `@Serializable`, a symbol, ...). */
export class NotSerializableError extends CrucialError {
  constructor(message: string) { super(ErrorCode.NOT_SERIALIZABLE, message); }
}
/** A proxy was used after `release()`. */
export class ReleasedError extends CrucialError {
  constructor(message: string) { super(ErrorCode.RELEASED, message); }
}
/** The client or executor was closed / shut down. */
export class ClosedError extends CrucialError {
  constructor(message: string) { super(ErrorCode.CLOSED, message); }
}
/** The DSO node did not answer after every retry; `cause` holds the link's failure (ECONNREFUSED, heartbeat timeout, ...) when one is known. */
export class UnavailableError extends CrucialError {
  constructor(message: string, options?: { cause?: unknown }) { super(ErrorCode.UNAVAILABLE, message, options); }
}
/** The executor refused a task (it is shut down). */
export class RejectedError extends CrucialError {
  constructor(message: string) { super(ErrorCode.REJECTED, message); }
}
/** An option passed to a constructor is invalid. */
export class InvalidOptionError extends CrucialError {
  constructor(message: string) { super(ErrorCode.INVALID_OPTION, message); }
}
/** A send would grow a link's queue past its high-water mark (the peer reads too slowly, or no link is up). */
export class HighWaterMarkError extends CrucialError {
  constructor(message: string) { super(ErrorCode.HIGH_WATER_MARK, message); }
}
/** No model of that name (or no such version of it) is published in the DSO (crucial/ml's ModelStore). */
export class ModelNotFoundError extends CrucialError {
  constructor(message: string) { super(ErrorCode.NOT_FOUND, message); }
}
/**
 * The node refused this client at the ZMTP handshake: no credentials, a wrong token or an unknown
 * CURVE key (the node's security mechanism and the client's must match; see README, "Trust model").
 */
export class UnauthorizedError extends CrucialError {
  constructor(message: string, options?: { cause?: unknown }) { super(ErrorCode.UNAUTHORIZED, message, options); }
}
/** The client is authenticated but not allowed this call (a module upload on a node that does not allow it). */
export class ForbiddenError extends CrucialError {
  constructor(message: string) { super(ErrorCode.FORBIDDEN, message); }
}
/** A resent call was applied already, but its reply was too large to keep: it is not run a second time. */
export class ReplyNotKeptError extends CrucialError {
  constructor(message: string) { super(ErrorCode.REPLY_NOT_KEPT, message); }
}
/** A call asked the node for more work or memory than its per-call limits allow (`AtomicLong.multiply` iterations, an object's size). */
export class LimitExceededError extends CrucialError {
  constructor(message: string) { super(ErrorCode.LIMIT, message); }
}
/** The node is over its memory budget (`--max-memory`): new work is refused until it is back under; retry later. */
export class OverloadedError extends CrucialError {
  constructor(message: string) { super(ErrorCode.OVERLOADED, message); }
}

const byCode: Record<ErrorCodeValue, new (message: string) => CrucialError> = {
  [ErrorCode.BAD_FRAME]: BadFrameError,
  [ErrorCode.PROTOCOL_VERSION]: ProtocolVersionError,
  [ErrorCode.PAYLOAD_TOO_LARGE]: PayloadTooLargeError,
  [ErrorCode.UNKNOWN_TYPE]: UnknownTypeError,
  [ErrorCode.UNKNOWN_METHOD]: UnknownMethodError,
  [ErrorCode.BAD_ARGUMENT]: BadArgumentError,
  [ErrorCode.NO_OBJECT]: NoObjectError,
  [ErrorCode.MODULE_MISSING]: ModuleMissingError,
  [ErrorCode.ILLEGAL_STATE]: IllegalStateError,
  [ErrorCode.BROKEN_BARRIER]: BrokenBarrierError,
  [ErrorCode.TIMEOUT]: TimeoutError,
  [ErrorCode.REMOTE]: RemoteError,
  [ErrorCode.TASK_FAILED]: TaskFailedError,
  [ErrorCode.NOT_SERIALIZABLE]: NotSerializableError,
  [ErrorCode.RELEASED]: ReleasedError,
  [ErrorCode.CLOSED]: ClosedError,
  [ErrorCode.UNAVAILABLE]: UnavailableError,
  [ErrorCode.REJECTED]: RejectedError,
  [ErrorCode.INVALID_OPTION]: InvalidOptionError,
  [ErrorCode.REPLY_NOT_KEPT]: ReplyNotKeptError,
  [ErrorCode.HIGH_WATER_MARK]: HighWaterMarkError,
  [ErrorCode.NOT_FOUND]: ModelNotFoundError,
  [ErrorCode.LIMIT]: LimitExceededError,
  [ErrorCode.OVERLOADED]: OverloadedError,
  [ErrorCode.UNAUTHORIZED]: UnauthorizedError,
  [ErrorCode.FORBIDDEN]: ForbiddenError,
};

/** The wire form of an error: plain data, no class. */
export interface ErrorData {
  /** One of the {@link ErrorCode} strings (an unknown one is rebuilt as {@link RemoteError}). */
  code: string;
  /** Name of the error's class where it was raised. */
  name: string;
  /** The error's message. */
  message: string;
  /** Stack (or traceback) where it was raised. */
  stack?: string;
}

/** Turns any thrown value into wire data. Non-crucial errors (thrown by user code) become ERR_REMOTE. */
export function errorToData(err: unknown): ErrorData {
  if (err instanceof CrucialError) {
    return { code: err.code, name: err.remoteName ?? err.name, message: err.message, stack: err.remoteStack ?? err.stack ?? '' };
  }
  if (err instanceof Error) {
    return { code: ErrorCode.REMOTE, name: err.name, message: err.message, stack: err.stack ?? '' };
  }
  return { code: ErrorCode.REMOTE, name: 'Error', message: String(err), stack: '' };
}

/** Rebuilds an error received over the wire, keeping the remote name and stack. */
export function errorFromData(data: ErrorData): CrucialError {
  const Ctor = byCode[data.code as ErrorCodeValue] ?? RemoteError;
  const err = new Ctor(data.message);
  err.remoteName = data.name;
  err.remoteStack = data.stack;
  if (data.stack) err.stack = `${err.name}: ${data.message}\n    [remote ${data.name}]\n${stripFirstLine(data.stack)}`;
  return err;
}

function stripFirstLine(stack: string): string {
  const i = stack.indexOf('\n');
  return i < 0 ? '' : stack.slice(i + 1);
}
