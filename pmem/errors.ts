/**
 * Errors raised by the persistent heap. Each condition has one class and one stable `code`,
 * so callers (and the DSO layer, which ships errors as `{code, name, message}`) can match on it.
 */

/** Every code a pmem error can carry. */
export type PmemErrorCode =
  | "ERR_PMEM_CORRUPT"
  | "ERR_PMEM_TRUNCATED"
  | "ERR_PMEM_VERSION"
  | "ERR_PMEM_OUT_OF_MEMORY"
  | "ERR_PMEM_FREED"
  | "ERR_PMEM_CLOSED"
  | "ERR_PMEM_INVALID_ARGUMENT"
  | "ERR_PMEM_TX"
  | "ERR_PMEM_NATIVE";

/** Base class: `code` is stable, `message` is for people. */
export class PmemError extends Error {
  /** Stable code of the condition (`ERR_PMEM_*`). */
  readonly code: PmemErrorCode;
  constructor(code: PmemErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "PmemError";
  }
}

/** The region file has a bad magic, a bad header checksum, or a block or log that makes no sense. */
export class PmemCorruptError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_CORRUPT", message, options);
    this.name = "PmemCorruptError";
  }
}

/** The region file is shorter than its header says it is. */
export class PmemTruncatedError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_TRUNCATED", message, options);
    this.name = "PmemTruncatedError";
  }
}

/** The region was written by an incompatible layout version. */
export class PmemVersionError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_VERSION", message, options);
    this.name = "PmemVersionError";
  }
}

/** No free block of the requested size and the heap cannot grow further. */
export class PmemOutOfMemoryError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_OUT_OF_MEMORY", message, options);
    this.name = "PmemOutOfMemoryError";
  }
}

/** A proxy was used, or a block freed, after its persistent object was freed. */
export class PmemFreedError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_FREED", message, options);
    this.name = "PmemFreedError";
  }
}

/** The heap was closed; its views are detached. */
export class PmemClosedError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_CLOSED", message, options);
    this.name = "PmemClosedError";
  }
}

/** A caller passed an option or argument outside what the heap accepts. */
export class PmemArgumentError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_INVALID_ARGUMENT", message, options);
    this.name = "PmemArgumentError";
  }
}

/** Misuse of failure-atomic blocks (e.g. an async function passed to `atomic`, or log overflow). */
export class PmemTxError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_TX", message, options);
    this.name = "PmemTxError";
  }
}

/** The native mapping addon could not be built, loaded, or failed a system call. */
export class PmemNativeError extends PmemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_PMEM_NATIVE", message, options);
    this.name = "PmemNativeError";
  }
}
