/**
 * A journal file opened from bytes: systemd's open-time header checks (journal_file_verify_header) and
 * object access with the acceptance rules of journal_file_move_to_object + journal_file_check_object.
 * Environment-neutral: works on a Uint8Array, no I/O. See ../shared/spec/journal-file-format.md §2.3, §3.2.
 *
 * Numbers: offsets and sizes are JS numbers (files are far below 2^53 bytes); counters, seqnums, times and
 * hashes are bigint because hostile (or merely old) files can carry any 64-bit value there.
 */
import { JournalError, type Errno } from '../errors.js';
import {
  CompatibleFlag,
  DataObject,
  EntryArrayObject,
  EntryObject,
  FieldObject,
  HashTableObject,
  Header,
  HeaderFieldSize,
  HEADER_SIZE_MIN,
  HEADER_SIZE_MIN_SEALED,
  INCOMPATIBLE_SUPPORTED,
  IncompatibleFlag,
  OBJECT_TYPE_NAMES,
  ObjectHeader,
  ObjectType,
  TagObject,
  minimumObjectSize,
  validEpoch,
  validMonotonic,
  validRealtime,
} from './format.js';

export interface OpenOptions {
  /**
   * Which systemd's open-time checks to apply. 254 (254.19+, what journalctl 254 in the corpus runs)
   * adds the stricter ENODATA header checks of journal_file_verify_header to 252's set (checkHeader254).
   * Object access applies 252's rules for both; the verifier adds 254's `type >= 8` and zero-boot-ID
   * rejections itself. Default: 254's object rules with 252's lenient header set (library use: the
   * reader keeps reading what it can); journalctl-compatible callers (verify, export CLI) pass it.
   */
  version?: 252 | 254;
  /**
   * The file's real size when `bytes` holds only its beginning (enough for the header): the open-time
   * checks alone, e.g. to check many files before reading any of them. Objects must not be read then.
   */
  size?: number;
}

/** Every header field. Fields beyond `headerSize` (older writers) are `undefined`. */
export interface JournalHeader {
  signature: Uint8Array;
  compatibleFlags: number;
  incompatibleFlags: number;
  state: number;
  reserved: Uint8Array;
  fileId: Uint8Array;
  machineId: Uint8Array;
  /** ≤253: `boot_id` of the last writer. */
  tailEntryBootId: Uint8Array;
  seqnumId: Uint8Array;
  headerSize: number;
  arenaSize: number;
  dataHashTableOffset: number;
  dataHashTableSize: number;
  fieldHashTableOffset: number;
  fieldHashTableSize: number;
  tailObjectOffset: number;
  nObjects: bigint;
  nEntries: bigint;
  tailEntrySeqnum: bigint;
  headEntrySeqnum: bigint;
  entryArrayOffset: number;
  headEntryRealtime: bigint;
  tailEntryRealtime: bigint;
  tailEntryMonotonic: bigint;
  nData?: bigint;
  nFields?: bigint;
  nTags?: bigint;
  nEntryArrays?: bigint;
  dataHashChainDepth?: bigint;
  fieldHashChainDepth?: bigint;
  tailEntryArrayOffset?: number;
  tailEntryArrayNEntries?: number;
  tailEntryOffset?: number;
}

/** An object that passed the acceptance rules. `size` excludes padding. */
export interface ObjectRef {
  readonly offset: number;
  readonly type: number;
  readonly flags: number;
  readonly size: number;
}

/** Offsets and sizes from 2^52 up are beyond any file; see offsetValue(). */
const HUGE_HI = 0x100000; // 2^52 / 2^32
const HUGE_BASE = 2 ** 52;
const U64_MAX = (1n << 64n) - 1n;
const TWO32 = 4294967296;
const TWO53 = 2n ** 53n;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 128-bit ID → 32 lowercase hex digits, in byte order (sd_id128_to_string). */
export function id128Hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += HEX[b[i]!];
  return s;
}

export function isNullId128(b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (b[i] !== 0) return false;
  return true;
}

/** Type name as systemd prints it (journal_object_type_to_string; unknown → "(null)" via glibc). */
export function objectTypeName(type: number): string {
  return OBJECT_TYPE_NAMES[type] ?? '(null)';
}

/** BigInt → number, only for values already known to be below 2^53. */
const num = (v: bigint): number => Number(v);

export class JournalFile {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly size: number;
  readonly header: JournalHeader;
  readonly compact: boolean;
  readonly keyedHash: boolean;
  readonly sealed: boolean;
  readonly version: 252 | 254;
  /** Bytes per ENTRY item (16 regular, 4 compact) and per ENTRY_ARRAY item (8 regular, 4 compact). */
  readonly entryItemSize: number;
  readonly entryArrayItemSize: number;
  /** Offset of the payload inside a DATA object (64 regular, 72 compact). */
  readonly dataPayloadOffset: number;
  private readonly view: DataView;

  private constructor(bytes: Uint8Array, name: string, version: 252 | 254, strictHeader: boolean, size: number) {
    this.bytes = bytes;
    this.name = name;
    this.size = size;
    this.version = version;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.header = this.verifyHeader();
    const inc = this.header.incompatibleFlags;
    this.compact = (inc & IncompatibleFlag.COMPACT) !== 0;
    this.keyedHash = (inc & IncompatibleFlag.KEYED_HASH) !== 0;
    this.sealed = (this.header.compatibleFlags & CompatibleFlag.SEALED) !== 0;
    this.entryItemSize = this.compact ? EntryObject.ITEM_SIZE_COMPACT : EntryObject.ITEM_SIZE_REGULAR;
    this.entryArrayItemSize = this.compact ? EntryArrayObject.ITEM_SIZE_COMPACT : EntryArrayObject.ITEM_SIZE_REGULAR;
    this.dataPayloadOffset = this.compact ? DataObject.PAYLOAD_COMPACT : DataObject.PAYLOAD_REGULAR;
    if (strictHeader) this.checkHeader254();
  }

  /**
   * systemd 254's extra open-time header checks (journal_file_verify_header; 252 lacks them): offsets
   * inside the arena and aligned, hash tables and the tail entry array inside it, head/tail entry fields
   * consistent with tail_entry_offset, counters bounded by n_objects. Any failure: ENODATA.
   */
  private checkHeader254(): void {
    const U64_MAX = (1n << 64n) - 1n;
    const bad = (field: number, what: string): never => this.fail(field, 'open', what, 'ENODATA');
    const hs = BigInt(this.header.headerSize);
    const arena = this.u64(Header.arenaSize);
    const end = hs + arena;
    const tail = this.u64(Header.tailObjectOffset);
    const has = (k: keyof typeof Header) => this.header.headerSize >= Header[k] + HeaderFieldSize[k];
    const isNull = (off: number) => isNullId128(this.bytes.subarray(off, off + 16));
    const offsetValid = (o: bigint, max: bigint) => o === 0n || ((o & 7n) === 0n && o >= hs && o <= max);
    if (!offsetValid(tail, U64_MAX)) bad(Header.tailObjectOffset, `invalid tail object offset ${tail}`);
    if (end < tail) bad(Header.tailObjectOffset, `tail object offset ${tail} beyond the arena end ${end}`);
    if (end - tail < 16n) bad(Header.tailObjectOffset, `tail object at ${tail} leaves no room for an object header`);
    const hashTableValid = (off: bigint, size: bigint) => {
      if ((off === 0n) !== (size === 0n)) return false;
      if (off === 0n) return true;
      if (off <= 16n) return false;
      off -= 16n;
      if (!offsetValid(off, tail)) return false;
      return size <= end - off;
    };
    if (!hashTableValid(this.u64(Header.dataHashTableOffset), this.u64(Header.dataHashTableSize))) bad(Header.dataHashTableOffset, 'invalid data hash table');
    if (!hashTableValid(this.u64(Header.fieldHashTableOffset), this.u64(Header.fieldHashTableSize))) bad(Header.fieldHashTableOffset, 'invalid field hash table');
    const eao = this.u64(Header.entryArrayOffset);
    if (!offsetValid(eao, tail)) bad(Header.entryArrayOffset, `invalid entry array offset ${eao}`);
    if (has('tailEntryArrayOffset')) {
      const off = BigInt(this.u32(Header.tailEntryArrayOffset));
      const n = BigInt(this.u32(Header.tailEntryArrayNEntries));
      const why = 'invalid tail entry array offset / n_entries';
      if (!offsetValid(off, tail)) bad(Header.tailEntryArrayOffset, why);
      if (eao > off) bad(Header.tailEntryArrayOffset, why);
      if (eao === 0n && off !== 0n) bad(Header.tailEntryArrayOffset, why);
      if ((off === 0n) !== (n === 0n)) bad(Header.tailEntryArrayOffset, why);
      if (n * BigInt(this.entryArrayItemSize) > end - off) bad(Header.tailEntryArrayNEntries, why);
    }
    if (has('tailEntryOffset')) {
      const off = this.u64(Header.tailEntryOffset);
      if (!offsetValid(off, tail)) bad(Header.tailEntryOffset, `invalid tail entry offset ${off}`);
      const validRt = (u: bigint) => u > 0n && u < 1n << 55n;
      const why = 'head/tail entry fields inconsistent with tail_entry_offset';
      if (off > 0n) {
        if (isNull(Header.tailEntryBootId)) bad(Header.tailEntryBootId, why);
        if (!validRt(this.u64(Header.headEntryRealtime))) bad(Header.headEntryRealtime, why);
        if (!validRt(this.u64(Header.tailEntryRealtime))) bad(Header.tailEntryRealtime, why);
        if (this.u64(Header.tailEntryMonotonic) >= 1n << 55n) bad(Header.tailEntryMonotonic, why);
      } else {
        if ((this.header.compatibleFlags & CompatibleFlag.TAIL_ENTRY_BOOT_ID) !== 0 && !isNull(Header.tailEntryBootId)) bad(Header.tailEntryBootId, why);
        if (this.u64(Header.headEntryRealtime) !== 0n) bad(Header.headEntryRealtime, why);
        if (this.u64(Header.tailEntryRealtime) !== 0n) bad(Header.tailEntryRealtime, why);
        if (this.u64(Header.tailEntryMonotonic) !== 0n) bad(Header.tailEntryMonotonic, why);
      }
    }
    const nObjects = this.u64(Header.nObjects);
    if (nObjects > arena / 16n) bad(Header.nObjects, `n_objects ${nObjects} exceeds what the arena can hold`);
    const nEntries = this.u64(Header.nEntries);
    if (nEntries > nObjects) bad(Header.nEntries, `n_entries ${nEntries} exceeds n_objects ${nObjects}`);
    for (const k of ['nData', 'nFields', 'nTags', 'nEntryArrays'] as const) {
      if (has(k) && this.u64(Header[k]) > nObjects) bad(Header[k], `${k} exceeds n_objects ${nObjects}`);
    }
    if (has('tailEntryArrayNEntries') && BigInt(this.u32(Header.tailEntryArrayNEntries)) > nEntries) {
      bad(Header.tailEntryArrayNEntries, `tail_entry_array_n_entries exceeds n_entries ${nEntries}`);
    }
  }

  /**
   * Open with systemd's read-only open-time checks (journal_file_open → journal_file_verify_header).
   * Throws JournalError (check "open") with systemd's errno; `offset` is the header field at fault.
   */
  static open(bytes: Uint8Array | ArrayBuffer, name: string, opts: OpenOptions = {}): JournalFile {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return new JournalFile(b, name, opts.version ?? 254, opts.version === 254, Math.max(b.length, opts.size ?? 0));
  }

  private fail(offset: number, check: string, message: string, errno: Errno): never {
    throw new JournalError(this.name, offset, check, message, errno);
  }

  private verifyHeader(): JournalHeader {
    const size = this.size;
    if (size < HEADER_SIZE_MIN) {
      this.fail(0, 'open', `file is ${size} bytes, smaller than the smallest journal header (${HEADER_SIZE_MIN})`, 'ENODATA');
    }
    const b = this.bytes;
    // "LPKSHHRH"
    const sig = [0x4c, 0x50, 0x4b, 0x53, 0x48, 0x48, 0x52, 0x48];
    for (let i = 0; i < 8; i++) {
      if (b[Header.signature + i] !== sig[i]) this.fail(Header.signature, 'open', 'not a journal file (bad signature)', 'EBADMSG');
    }
    const compatibleFlags = this.u32(Header.compatibleFlags);
    const incompatibleFlags = this.u32(Header.incompatibleFlags);
    const unknown = (incompatibleFlags & ~INCOMPATIBLE_SUPPORTED) >>> 0;
    if (unknown !== 0) {
      this.fail(Header.incompatibleFlags, 'open', `unknown incompatible flags 0x${unknown.toString(16).padStart(8, '0')}`, 'EPROTONOSUPPORT');
    }
    const state = b[Header.state]!;
    if (state >= 3) this.fail(Header.state, 'open', `invalid file state ${state}`, 'EBADMSG');

    const headerSize = this.u64(Header.headerSize);
    if (headerSize < BigInt(HEADER_SIZE_MIN)) {
      this.fail(Header.headerSize, 'open', `header size ${headerSize} is smaller than ${HEADER_SIZE_MIN}`, 'EBADMSG');
    }
    const sealed = (compatibleFlags & CompatibleFlag.SEALED) !== 0;
    if (sealed && headerSize < BigInt(HEADER_SIZE_MIN_SEALED)) {
      this.fail(Header.headerSize, 'open', `sealed file with header size ${headerSize} (< ${HEADER_SIZE_MIN_SEALED}, no n_entry_arrays)`, 'EBADMSG');
    }
    const arenaSize = this.u64(Header.arenaSize);
    const end = headerSize + arenaSize; // bigint: cannot overflow here, compared to 2^64 below
    if (end >= 2n ** 64n || end > BigInt(size)) {
      this.fail(Header.arenaSize, 'open', `header size ${headerSize} + arena size ${arenaSize} exceeds the file size ${size}`, 'ENODATA');
    }
    const tailObjectOffset = this.u64(Header.tailObjectOffset);
    if (tailObjectOffset > end) {
      this.fail(Header.tailObjectOffset, 'open', `tail object offset ${tailObjectOffset} beyond the arena end ${end}`, 'ENODATA');
    }
    for (const [field, off] of [
      ['data hash table offset', Header.dataHashTableOffset],
      ['field hash table offset', Header.fieldHashTableOffset],
      ['tail object offset', Header.tailObjectOffset],
      ['entry array offset', Header.entryArrayOffset],
    ] as const) {
      const v = this.u64(off);
      if ((v & 7n) !== 0n) this.fail(off, 'open', `${field} ${v} is not 64-bit aligned`, 'ENODATA');
    }

    const hs = num(headerSize); // ≤ file size now
    const has = (f: keyof typeof Header) => hs >= Header[f] + HeaderFieldSize[f];
    const u64o = (f: keyof typeof Header) => this.offsetValue(Header[f]);
    const opt64 = (f: keyof typeof Header) => (has(f) ? this.u64(Header[f]) : undefined);
    return {
      signature: b.subarray(0, 8),
      compatibleFlags,
      incompatibleFlags,
      state,
      reserved: b.subarray(Header.reserved, Header.reserved + 7),
      fileId: b.subarray(Header.fileId, Header.fileId + 16),
      machineId: b.subarray(Header.machineId, Header.machineId + 16),
      tailEntryBootId: b.subarray(Header.tailEntryBootId, Header.tailEntryBootId + 16),
      seqnumId: b.subarray(Header.seqnumId, Header.seqnumId + 16),
      headerSize: hs,
      arenaSize: num(arenaSize),
      dataHashTableOffset: u64o('dataHashTableOffset'),
      dataHashTableSize: u64o('dataHashTableSize'),
      fieldHashTableOffset: u64o('fieldHashTableOffset'),
      fieldHashTableSize: u64o('fieldHashTableSize'),
      tailObjectOffset: num(tailObjectOffset),
      nObjects: this.u64(Header.nObjects),
      nEntries: this.u64(Header.nEntries),
      tailEntrySeqnum: this.u64(Header.tailEntrySeqnum),
      headEntrySeqnum: this.u64(Header.headEntrySeqnum),
      entryArrayOffset: u64o('entryArrayOffset'),
      headEntryRealtime: this.u64(Header.headEntryRealtime),
      tailEntryRealtime: this.u64(Header.tailEntryRealtime),
      tailEntryMonotonic: this.u64(Header.tailEntryMonotonic),
      nData: opt64('nData'),
      nFields: opt64('nFields'),
      nTags: opt64('nTags'),
      nEntryArrays: opt64('nEntryArrays'),
      dataHashChainDepth: opt64('dataHashChainDepth'),
      fieldHashChainDepth: opt64('fieldHashChainDepth'),
      tailEntryArrayOffset: has('tailEntryArrayOffset') ? this.u32(Header.tailEntryArrayOffset) : undefined,
      tailEntryArrayNEntries: has('tailEntryArrayNEntries') ? this.u32(Header.tailEntryArrayNEntries) : undefined,
      tailEntryOffset: has('tailEntryOffset') ? u64o('tailEntryOffset') : undefined,
    };
  }

  /** JOURNAL_HEADER_CONTAINS: the header is large enough to hold `field`. */
  has(field: keyof typeof Header): boolean {
    return this.header.headerSize >= Header[field] + HeaderFieldSize[field];
  }

  // ---- raw little-endian reads (absolute offsets; the caller keeps them inside the file) ----

  u8(off: number): number {
    return this.bytes[off]!;
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  u64(off: number): bigint {
    return this.view.getBigUint64(off, true);
  }
  /** u64 as a number; exact below 2^53. */
  u64n(off: number): number {
    return this.view.getUint32(off, true) + this.view.getUint32(off + 4, true) * TWO32;
  }
  /**
   * A u64 that is an offset or a size, as a number. Values ≥ 2^52 (only in hostile files) cannot all be
   * numbers exactly, so each distinct one gets its own stand-in HUGE_BASE + 8k + (value mod 8): beyond
   * every file, (un)aligned exactly as the stored value (so the acceptance rules give systemd's verdict),
   * distinct values stay distinct, and rawOffset() gives the stored value back for messages.
   */
  offsetValue(off: number): number {
    const hi = this.view.getUint32(off + 4, true);
    const lo = this.view.getUint32(off, true);
    if (hi < HUGE_HI) return lo + hi * TWO32;
    const raw = this.view.getBigUint64(off, true);
    let k = this.hugeIndex.get(raw);
    if (k === undefined) {
      k = this.hugeValues.push(raw) - 1;
      this.hugeIndex.set(raw, k);
    }
    return HUGE_BASE + k * 8 + (lo & 7);
  }
  /** The stored u64 behind a number offsetValue() returned (exact for hostile values too). */
  rawOffset(n: number | bigint): bigint {
    if (typeof n === 'bigint') return n;
    if (n < HUGE_BASE) return BigInt(n);
    return this.hugeValues[Math.floor((n - HUGE_BASE) / 8)] ?? BigInt(n);
  }
  private readonly hugeValues: bigint[] = [];
  private readonly hugeIndex = new Map<bigint, number>();
  /** 16 bytes (an ID) as a subarray. */
  id128(off: number): Uint8Array {
    return this.bytes.subarray(off, off + 16);
  }

  // ---- objects ----

  private objFail(offset: number, message: string, errno: Errno = 'EBADMSG'): never {
    throw new JournalError(this.name, offset, 'object', message, errno);
  }

  /**
   * journal_file_move_to_object(f, expectedType, offset) with check_object (spec §3.2). Throws
   * JournalError (check "object", errno EBADMSG or EADDRNOTAVAIL, offset = `offset`).
   */
  object(offset: number, expectedType: number = ObjectType.UNUSED): ObjectRef {
    if (!Number.isSafeInteger(offset) || offset < 0) this.objFail(offset, `invalid object offset ${offset}`, 'EADDRNOTAVAIL');
    if (offset % 8 !== 0) this.objFail(offset, `attempt to move to object at non-64bit boundary: ${offset}`);
    if (offset < this.header.headerSize) this.objFail(offset, `attempt to move to object located in file header: ${offset}`);
    if (offset + ObjectHeader.SIZE > this.size) {
      this.objFail(offset, `object header at ${offset} extends beyond the end of the file (${this.size} bytes)`, 'EADDRNOTAVAIL');
    }
    const v = this.view;
    const type = this.bytes[offset + ObjectHeader.type]!;
    const flags = this.bytes[offset + ObjectHeader.flags]!;
    const sLo = v.getUint32(offset + ObjectHeader.size, true);
    const sHi = v.getUint32(offset + ObjectHeader.size + 4, true);
    if (sLo === 0 && sHi === 0) this.objFail(offset, `attempt to move to uninitialized object: ${offset}`);
    // Sizes ≥ 2^52 cannot fit any file: clamp to a value that still fails the end-of-file test below
    // (after journal_file_move_to()'s overflow test, which needs the exact value).
    const size = sHi < HUGE_HI ? sLo + sHi * TWO32 : HUGE_BASE;
    if (size < ObjectHeader.SIZE) this.objFail(offset, `attempt to move to overly short object (${size} bytes): ${offset}`);
    if (type === ObjectType.UNUSED) this.objFail(offset, `attempt to move to object with invalid type: ${offset}`);
    if (expectedType !== ObjectType.UNUSED && type !== expectedType) {
      this.objFail(offset, `found ${objectTypeName(type)} object while expecting ${objectTypeName(expectedType)} object: ${offset}`);
    }
    const min = minimumObjectSize(type, this.compact);
    if (size < min) {
      this.objFail(offset, `size of ${objectTypeName(type)} object (${size}) is smaller than the minimum object size (${min}): ${offset}`);
    }
    if (sHi >= HUGE_HI && v.getBigUint64(offset + ObjectHeader.size, true) > U64_MAX - BigInt(offset)) {
      // journal_file_move_to(): offset + size would overflow 64 bits — EBADMSG, before the end-of-file test.
      this.objFail(offset, `object at ${offset} has a size that overflows 64 bits`);
    }
    if (offset + size > this.size) {
      this.objFail(offset, `${objectTypeName(type)} object at ${offset} of size ${size} extends beyond the end of the file (${this.size} bytes)`, 'EADDRNOTAVAIL');
    }
    this.checkObject(offset, type, size);
    return { offset, type, flags, size };
  }

  /** journal_file_check_object: the cheap per-type checks done on every access. */
  private checkObject(p: number, type: number, size: number): void {
    const al = (off: number) => (this.view.getUint32(off, true) & 7) === 0;
    switch (type) {
      case ObjectType.DATA: {
        const entryZero = this.u64(p + DataObject.entryOffset) === 0n;
        const nEntries = this.u64(p + DataObject.nEntries);
        if (entryZero !== (nEntries === 0n)) {
          this.objFail(p, `bad data n_entries: ${this.u64(p + DataObject.entryOffset)}: ${nEntries}`);
        }
        if (size <= this.dataPayloadOffset) this.objFail(p, `bad data object size (<= ${this.dataPayloadOffset}): ${size}`);
        if (!al(p + DataObject.nextHashOffset) || !al(p + DataObject.nextFieldOffset) || !al(p + DataObject.entryOffset) || !al(p + DataObject.entryArrayOffset)) {
          this.objFail(p, `invalid offset in data object, next_hash_offset=${this.u64(p + DataObject.nextHashOffset)}, next_field_offset=${this.u64(p + DataObject.nextFieldOffset)}, entry_offset=${this.u64(p + DataObject.entryOffset)}, entry_array_offset=${this.u64(p + DataObject.entryArrayOffset)}`);
        }
        return;
      }
      case ObjectType.FIELD:
        if (size <= FieldObject.PAYLOAD) this.objFail(p, `bad field size (<= ${FieldObject.PAYLOAD}): ${size}`);
        if (!al(p + FieldObject.nextHashOffset) || !al(p + FieldObject.headDataOffset)) {
          this.objFail(p, `invalid offset in field object, next_hash_offset=${this.u64(p + FieldObject.nextHashOffset)}, head_data_offset=${this.u64(p + FieldObject.headDataOffset)}`);
        }
        return;
      case ObjectType.ENTRY: {
        const rest = size - EntryObject.ITEMS;
        if (rest < 0 || rest % this.entryItemSize !== 0) this.objFail(p, `bad entry size (<= ${EntryObject.ITEMS}): ${size}`);
        if (rest / this.entryItemSize <= 0) this.objFail(p, `invalid number of items in entry: ${rest / this.entryItemSize}`);
        const seqnum = this.u64(p + EntryObject.seqnum);
        if (seqnum === 0n) this.objFail(p, `invalid entry seqnum: ${seqnum.toString(16)}`);
        const rt = this.u64(p + EntryObject.realtime);
        if (!validRealtime(rt)) this.objFail(p, `invalid entry realtime timestamp: ${rt}`);
        const mt = this.u64(p + EntryObject.monotonic);
        if (!validMonotonic(mt)) this.objFail(p, `invalid entry monotonic timestamp: ${mt}`);
        return;
      }
      case ObjectType.DATA_HASH_TABLE:
      case ObjectType.FIELD_HASH_TABLE: {
        const rest = size - HashTableObject.ITEMS;
        if (rest < 0 || rest % HashTableObject.ITEM_SIZE !== 0 || rest / HashTableObject.ITEM_SIZE <= 0) {
          this.objFail(p, `invalid ${type === ObjectType.DATA_HASH_TABLE ? 'data' : 'field'} hash table size: ${size}`);
        }
        return;
      }
      case ObjectType.ENTRY_ARRAY: {
        const rest = size - EntryArrayObject.ITEMS;
        if (rest < 0 || rest % this.entryArrayItemSize !== 0 || rest / this.entryArrayItemSize <= 0) {
          this.objFail(p, `invalid object entry array size: ${size}`);
        }
        const next = this.offsetValue(p + EntryArrayObject.nextEntryArrayOffset);
        if (next % 8 !== 0 || (next !== 0 && next <= p)) {
          this.objFail(p, `invalid object entry array next_entry_array_offset: ${this.u64(p + EntryArrayObject.nextEntryArrayOffset)}`);
        }
        return;
      }
      case ObjectType.TAG: {
        if (size !== TagObject.SIZE) this.objFail(p, `invalid object tag size: ${size}`);
        const epoch = this.u64(p + TagObject.epoch);
        if (!validEpoch(epoch)) this.objFail(p, `invalid object tag epoch: ${epoch}`);
        return;
      }
      default:
        return; // 252/254 accept unknown types ≥ 8 here
    }
  }

  /** Like object(), but returns the JournalError instead of throwing it. */
  tryObject(offset: number, expectedType?: number): ObjectRef | JournalError {
    try {
      return this.object(offset, expectedType);
    } catch (e) {
      if (e instanceof JournalError) return e;
      throw e;
    }
  }

  /** Offset of the next object in file order (offset + ALIGN64(size)). */
  nextObjectOffset(obj: ObjectRef): number {
    return obj.offset + Math.ceil(obj.size / 8) * 8;
  }

  /** The whole object's bytes (header included, padding excluded), no copy. */
  objectBytes(obj: ObjectRef): Uint8Array {
    return this.bytes.subarray(obj.offset, obj.offset + obj.size);
  }

  // ---- DATA ----

  dataHash(obj: ObjectRef): bigint {
    return this.u64(obj.offset + DataObject.hash);
  }
  dataNextHashOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + DataObject.nextHashOffset);
  }
  dataNextFieldOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + DataObject.nextFieldOffset);
  }
  dataEntryOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + DataObject.entryOffset);
  }
  dataEntryArrayOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + DataObject.entryArrayOffset);
  }
  dataNEntries(obj: ObjectRef): bigint {
    return this.u64(obj.offset + DataObject.nEntries);
  }
  /** Compression flags of a DATA object (ObjectFlag bits; more than one set = invalid). */
  dataCompression(obj: ObjectRef): number {
    return obj.flags & 0x07;
  }
  /** Stored (possibly compressed) payload of a DATA object, as a subarray (no copy). */
  dataPayloadRaw(obj: ObjectRef): Uint8Array {
    return this.bytes.subarray(obj.offset + this.dataPayloadOffset, obj.offset + obj.size);
  }

  // ---- FIELD ----

  fieldHash(obj: ObjectRef): bigint {
    return this.u64(obj.offset + FieldObject.hash);
  }
  fieldNextHashOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + FieldObject.nextHashOffset);
  }
  fieldHeadDataOffset(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + FieldObject.headDataOffset);
  }
  fieldPayload(obj: ObjectRef): Uint8Array {
    return this.bytes.subarray(obj.offset + FieldObject.PAYLOAD, obj.offset + obj.size);
  }

  // ---- ENTRY ----

  entrySeqnum(obj: ObjectRef): bigint {
    return this.u64(obj.offset + EntryObject.seqnum);
  }
  entryRealtime(obj: ObjectRef): bigint {
    return this.u64(obj.offset + EntryObject.realtime);
  }
  entryMonotonic(obj: ObjectRef): bigint {
    return this.u64(obj.offset + EntryObject.monotonic);
  }
  entryBootId(obj: ObjectRef): Uint8Array {
    return this.id128(obj.offset + EntryObject.bootId);
  }
  entryXorHash(obj: ObjectRef): bigint {
    return this.u64(obj.offset + EntryObject.xorHash);
  }
  entryItemCount(obj: ObjectRef): number {
    return (obj.size - EntryObject.ITEMS) / this.entryItemSize;
  }
  /** DATA offset of item i (no bounds check beyond the object's own size). */
  entryItem(obj: ObjectRef, i: number): number {
    const at = obj.offset + EntryObject.ITEMS + i * this.entryItemSize;
    return this.compact ? this.view.getUint32(at, true) : this.offsetValue(at);
  }
  /** Stored hash of item i (regular mode only; compact items carry no hash → undefined). */
  entryItemHash(obj: ObjectRef, i: number): bigint | undefined {
    if (this.compact) return undefined;
    return this.u64(obj.offset + EntryObject.ITEMS + i * this.entryItemSize + 8);
  }
  /** DATA offsets of all items, in item order. */
  entryItems(obj: ObjectRef): number[] {
    const n = this.entryItemCount(obj);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.entryItem(obj, i);
    return out;
  }

  // ---- ENTRY_ARRAY ----

  entryArrayNext(obj: ObjectRef): number {
    return this.offsetValue(obj.offset + EntryArrayObject.nextEntryArrayOffset);
  }
  /** Capacity (number of item slots, used or not). */
  entryArrayCapacity(obj: ObjectRef): number {
    return (obj.size - EntryArrayObject.ITEMS) / this.entryArrayItemSize;
  }
  entryArrayItem(obj: ObjectRef, i: number): number {
    const at = obj.offset + EntryArrayObject.ITEMS + i * this.entryArrayItemSize;
    return this.compact ? this.view.getUint32(at, true) : this.offsetValue(at);
  }
  /** All item slots (trailing unused slots are 0). */
  entryArrayItems(obj: ObjectRef): number[] {
    const n = this.entryArrayCapacity(obj);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.entryArrayItem(obj, i);
    return out;
  }

  // ---- hash tables ----

  /** Number of buckets of the data/field hash table, from the header (size / 16). */
  hashTableBuckets(which: 'data' | 'field'): number {
    const size = which === 'data' ? this.header.dataHashTableSize : this.header.fieldHashTableSize;
    return Math.floor(size / HashTableObject.ITEM_SIZE);
  }
  /**
   * Bucket i of the data/field hash table as located by the header (items at *_hash_table_offset).
   * Throws JournalError EADDRNOTAVAIL when the bucket lies outside the file.
   */
  hashTableBucket(which: 'data' | 'field', i: number): { head: number; tail: number } {
    const base = which === 'data' ? this.header.dataHashTableOffset : this.header.fieldHashTableOffset;
    const at = base + i * HashTableObject.ITEM_SIZE;
    if (at + HashTableObject.ITEM_SIZE > this.size) {
      this.objFail(at, `${which} hash table bucket ${i} at ${at} lies beyond the end of the file`, 'EADDRNOTAVAIL');
    }
    return {
      head: this.offsetValue(at + HashTableObject.headHashOffset),
      tail: this.offsetValue(at + HashTableObject.tailHashOffset),
    };
  }

  // ---- TAG ----

  tagSeqnum(obj: ObjectRef): bigint {
    return this.u64(obj.offset + TagObject.seqnum);
  }
  tagEpoch(obj: ObjectRef): bigint {
    return this.u64(obj.offset + TagObject.epoch);
  }
  tagHmac(obj: ObjectRef): Uint8Array {
    return this.bytes.subarray(obj.offset + TagObject.tag, obj.offset + TagObject.tag + TagObject.TAG_LENGTH);
  }
}

/** True when a bigint fits a JS number exactly. */
export const isSafeBig = (v: bigint): boolean => v < TWO53;
