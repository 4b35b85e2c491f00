// The journal's on-disk layout as scan.ts needs it: the same named offsets as src/journal/format.ts
// (journal-def.h), kept in step by test/kernel-scan.test.ts.

export const HEADER_COMPATIBLE_FLAGS: usize = 8;
export const HEADER_INCOMPATIBLE_FLAGS: usize = 12;
export const HEADER_FILE_ID: usize = 24;
export const HEADER_DATA_HASH_TABLE_OFFSET: usize = 104;
export const HEADER_DATA_HASH_TABLE_SIZE: usize = 112;
export const HEADER_FIELD_HASH_TABLE_OFFSET: usize = 120;
export const HEADER_FIELD_HASH_TABLE_SIZE: usize = 128;
export const HEADER_HEAD_ENTRY_SEQNUM: usize = 168;
export const HEADER_N_ENTRIES: usize = 152;
export const HEADER_ENTRY_ARRAY_OFFSET: usize = 176;
export const HEADER_HEAD_ENTRY_REALTIME: usize = 184;

export const INCOMPATIBLE_COMPRESSED_XZ: u32 = 1 << 0;
export const INCOMPATIBLE_COMPRESSED_LZ4: u32 = 1 << 1;
export const INCOMPATIBLE_COMPRESSED_ZSTD: u32 = 1 << 3;

export const OBJECT_TYPE: usize = 0;   // u8
export const OBJECT_FLAGS: usize = 1;  // u8
export const OBJECT_SIZE: usize = 8;   // u64
export const OBJECT_HEADER_SIZE: u64 = 16;

export const TYPE_DATA: u8 = 1;
export const TYPE_FIELD: u8 = 2;
export const TYPE_ENTRY: u8 = 3;
export const TYPE_DATA_HASH_TABLE: u8 = 4;
export const TYPE_FIELD_HASH_TABLE: u8 = 5;
export const TYPE_ENTRY_ARRAY: u8 = 6;
export const TYPE_TAG: u8 = 7;

export const FLAG_COMPRESSED_XZ: u8 = 1 << 0;
export const FLAG_COMPRESSED_LZ4: u8 = 1 << 1;
export const FLAG_COMPRESSED_ZSTD: u8 = 1 << 2;

export const DATA_HASH: usize = 16;
export const DATA_NEXT_HASH_OFFSET: usize = 24;
export const DATA_NEXT_FIELD_OFFSET: usize = 32;
export const DATA_ENTRY_OFFSET: usize = 40;
export const DATA_ENTRY_ARRAY_OFFSET: usize = 48;
export const DATA_N_ENTRIES: usize = 56;
export const DATA_PAYLOAD_REGULAR: u64 = 64;
export const DATA_PAYLOAD_COMPACT: u64 = 72;

export const FIELD_HASH: usize = 16;
export const FIELD_NEXT_HASH_OFFSET: usize = 24;
export const FIELD_HEAD_DATA_OFFSET: usize = 32;
export const FIELD_PAYLOAD: u64 = 40;

export const ENTRY_SEQNUM: usize = 16;
export const ENTRY_REALTIME: usize = 24;
export const ENTRY_MONOTONIC: usize = 32;
export const ENTRY_BOOT_ID: usize = 40;
export const ENTRY_ITEMS: u64 = 64;
export const ENTRY_ITEM_SIZE_REGULAR: u64 = 16;
export const ENTRY_ITEM_SIZE_COMPACT: u64 = 4;

export const HASH_TABLE_ITEMS: u64 = 16;
export const HASH_TABLE_ITEM_SIZE: u64 = 16;

export const ENTRY_ARRAY_NEXT: usize = 16;
export const ENTRY_ARRAY_ITEMS: u64 = 24;
export const ENTRY_ARRAY_ITEM_SIZE_REGULAR: u64 = 8;
export const ENTRY_ARRAY_ITEM_SIZE_COMPACT: u64 = 4;

export const TAG_SEQNUM: usize = 16;
export const TAG_EPOCH: usize = 24;
export const TAG_SIZE: u64 = 64;
/** The HMAC covers a tag up to its tag field (seqnum + epoch). */
export const TAG_TAG: u64 = 32;

/** journal-file.h VALID_REALTIME / VALID_MONOTONIC / VALID_EPOCH bound. */
export const TIME_LIMIT: u64 = 1 << 55;
