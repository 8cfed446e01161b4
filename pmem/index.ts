/**
 * crucial/pmem: persistent objects in a memory-mapped region, in the manner of J-NVM.
 * Data structures live off-heap in the region; proxies in the JS heap read and write them in place.
 */
export { Heap } from "./heap.ts";
export { PObject } from "./pobject.ts";
export { persistentClass } from "./schema.ts";
export { PString } from "./types/pstring.ts";
export { PBytes } from "./types/pbytes.ts";
export { PFloat64Array, PFloat64Matrix } from "./types/pfloat64array.ts";
export { PHashMap } from "./types/phashmap.ts";
export { PSortedMap } from "./types/psortedmap.ts";
export { buildNative } from "./native.ts";
export {
  PmemError,
  PmemCorruptError,
  PmemTruncatedError,
  PmemVersionError,
  PmemOutOfMemoryError,
  PmemFreedError,
  PmemClosedError,
  PmemArgumentError,
  PmemTxError,
  PmemNativeError,
} from "./errors.ts";

export type { HeapOptions } from "./heap.ts";
export type { FlushMode } from "./region.ts";
export type { AllocatorCheck } from "./allocator.ts";
export type { RecoveryReport } from "./recovery.ts";
export type { FieldKind, Schema, PClass, PInstance } from "./schema.ts";
export type { PValue } from "./types/phashmap.ts";
export type { PmemErrorCode } from "./errors.ts";
