/**
 * The on-media layout of a region. Logic-free: offsets, sizes and tags only, so the layout can be
 * read in one place (and matched against pmem/README.md).
 *
 *   [0, 4096)            immutable header: magic, version, sizes, offsets, CRC-32 of the header
 *   [4096, 8192)         meta page: bump pointer (top), clean-shutdown flag, epoch, sealed top
 *   [8192, 8192+16K)     root table: 256 slots x 64 B (ref u32, name length u16, UTF-8 name)
 *   [ROOTS_END, +log)    redo log: checksum, entry count, entries (addr, len, bytes)
 *   [heapStart, size)    blocks, each with a 16-byte header, 16-byte aligned
 */

export const PAGE = 4096;
export const MAGIC = "CRUCPMEM";
export const VERSION = 1;

// Header page fields (byte offsets).
export const H_MAGIC = 0; // 8 ASCII bytes
export const H_VERSION = 8; // u32
export const H_SIZE = 16; // f64: total region size in bytes
export const H_LOG_OFF = 24; // u32
export const H_LOG_SIZE = 28; // u32
export const H_HEAP_OFF = 32; // u32
export const H_ROOTS_OFF = 36; // u32
export const H_NROOTS = 40; // u32
export const H_CHECKSUM = 44; // u32 CRC-32 of bytes [0, H_CHECKSUM)

// Meta page fields.
export const META = PAGE;
export const M_TOP = META + 0; // u32 bump pointer: every byte below it belongs to a block
export const M_CLEAN = META + 4; // u32: 1 after a clean close
export const M_EPOCH = META + 8; // u32: incremented at every open
/**
 * u32: every block header below this address is on media. Written after a flush completes (msync
 * mode), so it can only reach media after those headers; 0 (regions from before) reads as the heap
 * start. Recovery uses it to tell a crash's torn tail (above it) from corruption (below it).
 */
export const M_SEALED = META + 12;

export const ROOTS_OFF = 2 * PAGE;
export const ROOT_SLOT = 64;
export const NROOTS = 256;
export const ROOT_NAME_MAX = ROOT_SLOT - 8;
export const ROOTS_END = ROOTS_OFF + ROOT_SLOT * NROOTS;

// Redo log header (relative to log start).
export const L_CHECKSUM = 0; // u32 CRC-32 over [L_COUNT, L_COUNT + 8 + bytes)
export const L_COUNT = 4; // u32 number of entries; 0 means empty
export const L_BYTES = 8; // u32 bytes of entries
export const L_ENTRIES = 16;

// Block header (relative to block start). Payload begins at +16 and is 16-byte aligned.
export const B_SIZE = 0; // u32 whole block size
export const B_STATE = 4; // u8: FREE or LIVE
export const B_KIND = 5; // u8: Kind
export const B_SUB = 6; // u16: dtype for numeric arrays
export const B_AUX = 8; // u32: ref bitmap (objects) / length / map entry: next marker (entry-seal.ts)
export const B_TAG = 12; // u32: class id (objects) / map entry: seal (entry-seal.ts)
export const BLOCK_HEADER = 16;

export const FREE = 0;
export const LIVE = 0xa5;

/** What a block holds; decides how recovery finds references inside it. */
export const enum Kind {
  Bytes = 1,
  String = 2,
  NumArray = 3,
  Object = 4,
  HashMap = 5,
  RefArray = 6,
  HashEntry = 7,
  Matrix = 8,
}

/** Value tags stored in map entries. */
export const enum VTag {
  Number = 1,
  String = 2,
  Bytes = 3,
  Ref = 4,
}

/** A reference of 1 marks a deleted slot in an open-addressing table; 0 is null. */
export const TOMBSTONE = 1;
export const NULL = 0;
/** Refs are u32 byte offsets, so a region is capped just under 4 GiB. */
export const MAX_REGION = 0xffff_f000;

// Hash map header payload (relative to block start).
export const MAP_SIZE = BLOCK_HEADER + 0; // u32 live entries (recounted at recovery)
export const MAP_USED = BLOCK_HEADER + 4; // u32 live + tombstones (recounted at recovery)
export const MAP_SLOTS = BLOCK_HEADER + 8; // ref to a RefArray of capacity slots
export const MAP_FLAGS = BLOCK_HEADER + 12; // u32: 1 for a sorted map

// Hash entry payload (relative to block start). The key is inline UTF-16, the value inline too.
export const E_HASH = BLOCK_HEADER + 0;
export const E_KEYLEN = BLOCK_HEADER + 4; // UTF-16 code units
export const E_TAG = BLOCK_HEADER + 8; // VTag
export const E_VALLEN = BLOCK_HEADER + 12; // bytes of an inline String/Bytes value
export const E_VAL = BLOCK_HEADER + 16; // f64 for Number, u32 ref for Ref
export const E_KEY = BLOCK_HEADER + 24;

// Numeric arrays: payload starts with the length (or rows, cols), data 16-byte aligned after it.
export const A_LEN = BLOCK_HEADER + 0; // f64 element count
export const A_ROWS = BLOCK_HEADER + 0; // u32 (matrix)
export const A_COLS = BLOCK_HEADER + 4; // u32 (matrix)
export const A_DATA = BLOCK_HEADER + 16;

// Strings and byte blobs: u32 byte length, then the bytes.
export const S_LEN = BLOCK_HEADER + 0;
export const S_DATA = BLOCK_HEADER + 8;
