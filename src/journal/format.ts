/**
 * The on-disk layout of a systemd journal file, and nothing else (the analogue of systemd's
 * journal-def.h). Every offset here is relative to the start of the structure it names; all integers
 * are little-endian. See ../shared/spec/journal-file-format.md.
 */

export const SIGNATURE = 'LPKSHHRH';

/** Header fields: [offset, size]. A field exists iff header_size >= offset + size. */
export const Header = {
  signature: 0, // 8
  compatibleFlags: 8, // u32
  incompatibleFlags: 12, // u32
  state: 16, // u8
  reserved: 17, // 7 bytes, must be zero
  fileId: 24, // 16
  machineId: 40, // 16
  tailEntryBootId: 56, // 16 (≤253: boot_id)
  seqnumId: 72, // 16
  headerSize: 88, // u64
  arenaSize: 96, // u64
  dataHashTableOffset: 104, // u64
  dataHashTableSize: 112, // u64
  fieldHashTableOffset: 120, // u64
  fieldHashTableSize: 128, // u64
  tailObjectOffset: 136, // u64
  nObjects: 144, // u64
  nEntries: 152, // u64
  tailEntrySeqnum: 160, // u64
  headEntrySeqnum: 168, // u64
  entryArrayOffset: 176, // u64
  headEntryRealtime: 184, // u64
  tailEntryRealtime: 192, // u64
  tailEntryMonotonic: 200, // u64
  nData: 208, // u64, since 187
  nFields: 216, // u64, since 187
  nTags: 224, // u64, since 189
  nEntryArrays: 232, // u64, since 189
  dataHashChainDepth: 240, // u64, since 246
  fieldHashChainDepth: 248, // u64, since 246
  tailEntryArrayOffset: 256, // u32, since 252
  tailEntryArrayNEntries: 260, // u32, since 252
  tailEntryOffset: 264, // u64, since 254
} as const;

/** Smallest header a reader accepts: ALIGN64(offsetof(n_data)). */
export const HEADER_SIZE_MIN = 208;
/** Largest header any released systemd writes (254+). */
export const HEADER_SIZE_MAX_KNOWN = 272;
/** A sealed file must contain n_entry_arrays (offset 232 + 8). */
export const HEADER_SIZE_MIN_SEALED = 240;

export const IncompatibleFlag = {
  COMPRESSED_XZ: 1 << 0,
  COMPRESSED_LZ4: 1 << 1,
  KEYED_HASH: 1 << 2,
  COMPRESSED_ZSTD: 1 << 3,
  COMPACT: 1 << 4,
} as const;
export const INCOMPATIBLE_SUPPORTED = 0x1f;

export const CompatibleFlag = {
  SEALED: 1 << 0,
  TAIL_ENTRY_BOOT_ID: 1 << 1,
  SEALED_CONTINUOUS: 1 << 2,
} as const;

export const FileState = { OFFLINE: 0, ONLINE: 1, ARCHIVED: 2 } as const;

export const ObjectType = {
  UNUSED: 0,
  DATA: 1,
  FIELD: 2,
  ENTRY: 3,
  DATA_HASH_TABLE: 4,
  FIELD_HASH_TABLE: 5,
  ENTRY_ARRAY: 6,
  TAG: 7,
} as const;
export type ObjectTypeId = (typeof ObjectType)[keyof typeof ObjectType];

/** Names systemd prints for object types (journal_object_type_to_string). */
export const OBJECT_TYPE_NAMES: Record<number, string> = {
  1: 'data',
  2: 'field',
  3: 'entry',
  4: 'data hash table',
  5: 'field hash table',
  6: 'entry array',
  7: 'tag',
};

/** Object flags (only meaningful on DATA). */
export const ObjectFlag = {
  COMPRESSED_XZ: 1 << 0,
  COMPRESSED_LZ4: 1 << 1,
  COMPRESSED_ZSTD: 1 << 2,
} as const;
export const OBJECT_COMPRESSION_MASK = 0x07;

/** Common 16-byte header of every object. */
export const ObjectHeader = {
  type: 0, // u8
  flags: 1, // u8
  reserved: 2, // 6
  size: 8, // u64, including this header, excluding padding
  SIZE: 16,
} as const;

export const DataObject = {
  hash: 16,
  nextHashOffset: 24,
  nextFieldOffset: 32,
  entryOffset: 40,
  entryArrayOffset: 48,
  nEntries: 56,
  /** Compact mode only: u32 tail_entry_array_offset, u32 tail_entry_array_n_entries. */
  compactTailEntryArrayOffset: 64,
  compactTailEntryArrayNEntries: 68,
  PAYLOAD_REGULAR: 64,
  PAYLOAD_COMPACT: 72,
} as const;

export const FieldObject = {
  hash: 16,
  nextHashOffset: 24,
  headDataOffset: 32,
  PAYLOAD: 40,
} as const;

export const EntryObject = {
  seqnum: 16,
  realtime: 24,
  monotonic: 32,
  bootId: 40, // 16
  xorHash: 56,
  ITEMS: 64,
  /** Regular items: le64 object_offset + le64 hash; compact: le32 object_offset. */
  ITEM_SIZE_REGULAR: 16,
  ITEM_SIZE_COMPACT: 4,
} as const;

export const HashTableObject = {
  ITEMS: 16,
  /** Each bucket: le64 head_hash_offset, le64 tail_hash_offset. */
  ITEM_SIZE: 16,
  headHashOffset: 0,
  tailHashOffset: 8,
} as const;

export const EntryArrayObject = {
  nextEntryArrayOffset: 16,
  ITEMS: 24,
  ITEM_SIZE_REGULAR: 8,
  ITEM_SIZE_COMPACT: 4,
} as const;

export const TagObject = {
  seqnum: 16,
  epoch: 24,
  tag: 32, // 32 bytes HMAC-SHA256
  SIZE: 64,
  TAG_LENGTH: 32,
} as const;

/** Minimum object sizes by type (minimum_header_size in journal-file.c); DATA depends on COMPACT. */
export function minimumObjectSize(type: number, compact: boolean): number {
  switch (type) {
    case ObjectType.DATA:
      return compact ? DataObject.PAYLOAD_COMPACT : DataObject.PAYLOAD_REGULAR;
    case ObjectType.FIELD:
      return FieldObject.PAYLOAD;
    case ObjectType.ENTRY:
      return EntryObject.ITEMS;
    case ObjectType.DATA_HASH_TABLE:
    case ObjectType.FIELD_HASH_TABLE:
      return HashTableObject.ITEMS;
    case ObjectType.ENTRY_ARRAY:
      return EntryArrayObject.ITEMS;
    case ObjectType.TAG:
      return TagObject.SIZE;
    default:
      return ObjectHeader.SIZE;
  }
}

/** Validity predicates of journal-file.h. */
export const TIME_LIMIT = 1n << 55n;
export const validRealtime = (u: bigint): boolean => u > 0n && u < TIME_LIMIT;
export const validMonotonic = (u: bigint): boolean => u < TIME_LIMIT;
export const validEpoch = (u: bigint): boolean => u < TIME_LIMIT;

/** ALIGN64 on JS numbers (exact below 2^53; bit operators would truncate at 2^31). */
export const align64 = (x: number): number => Math.ceil(x / 8) * 8;
export const valid64 = (x: number | bigint): boolean =>
  typeof x === 'bigint' ? (x & 7n) === 0n : x % 8 === 0;

/** The header bytes that the first TAG's HMAC covers (journal_file_hmac_put_header). */
export const HMAC_HEADER_RANGES: ReadonlyArray<readonly [number, number]> = [
  [Header.signature, Header.state], // signature + compatible + incompatible flags
  [Header.fileId, Header.tailEntryBootId], // file_id + machine_id
  [Header.seqnumId, Header.arenaSize], // seqnum_id + header_size
  [Header.dataHashTableOffset, Header.tailObjectOffset], // both hash table offsets/sizes
];

/** Byte sizes of the header fields (for JOURNAL_HEADER_CONTAINS: header_size >= offset + size). */
export const HeaderFieldSize: Record<keyof typeof Header, number> = {
  signature: 8, compatibleFlags: 4, incompatibleFlags: 4, state: 1, reserved: 7,
  fileId: 16, machineId: 16, tailEntryBootId: 16, seqnumId: 16,
  headerSize: 8, arenaSize: 8, dataHashTableOffset: 8, dataHashTableSize: 8,
  fieldHashTableOffset: 8, fieldHashTableSize: 8, tailObjectOffset: 8, nObjects: 8, nEntries: 8,
  tailEntrySeqnum: 8, headEntrySeqnum: 8, entryArrayOffset: 8, headEntryRealtime: 8,
  tailEntryRealtime: 8, tailEntryMonotonic: 8, nData: 8, nFields: 8, nTags: 8, nEntryArrays: 8,
  dataHashChainDepth: 8, fieldHashChainDepth: 8, tailEntryArrayOffset: 4, tailEntryArrayNEntries: 4,
  tailEntryOffset: 8,
};
