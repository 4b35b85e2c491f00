// The regular-file scan: every structural check of journal_file_verify (pass 1 over the objects,
// pass 2 over the main entry array and the data hash table) over a journal held in wasm memory, as
// an accept-only fast path. It answers "regular" only when each check journalctl makes passes (plus
// a few stricter conditions that keep the code simple: no unknown object types or flags, offsets
// below 4 GiB, well-formed chains); anything else is "irregular" and the exact TypeScript verifier
// (src/verify/structure.ts) runs instead and says what is wrong, where, in journalctl's words.
// So this code never has to produce a message; it only has to never call a bad file regular.
//
// What needs the verification key (the tags' time windows, "older entry after newer tag", the
// HMACs) is left to the caller: the scan records, per tag, what those checks read (see TAG_REC_*).
//
// Memory (grown once by fileAlloc and once by scanAlloc, never again, so JS views stay attached):
//   FILE   the journal (+ 64 bytes of zero padding)
//   DATAIDX per 512 file bytes, 16 bytes: a u64 with 1 bit per 8 bytes (a DATA object pass 1 walked
//          over starts here) and a u32 rank (DATA objects before this word), so membership and
//          the DATA object's index in file order come from one cache line
//   ENTRYB, ARRAYB  1 bit per 8 bytes: an ENTRY / ENTRY_ARRAY object pass 1 walked over starts here
//   CLAIM  1 bit per 8 bytes: an entry array already used by some DATA object's chain
//   LINKED u32 per DATA: largest entry offset its chain links (0xffffffff: none)
//   HASHED u8 per DATA: 1 reached from some hash bucket, 2 from its own bucket
//   CLEAN  u8 per DATA: verify_data() can only fail on "not in the main entry array"
//   TAGS   TAG_REC_SLOTS u64 per tag, COMP u32 per compressed DATA object, OUT the counters
// The file is read in between fileAlloc and scanAlloc (the caller needs its header to size the tables).
import * as L from "./layout";
import { siphash24 } from "./siphash";
import { jenkinsHash64 } from "./lookup3";

// ---- results --------------------------------------------------------------------------------
export const SCAN_MORE: i32 = 0;
export const SCAN_REGULAR: i32 = 1;
export const SCAN_IRREGULAR: i32 = 2;
/** Pass 1 reached bytes not read in yet (scanAvail): call again once more of the file is in place. */
export const SCAN_WAIT: i32 = 3;

// OUT: u64 slots
const OUT_N_OBJECTS = 0, OUT_N_ENTRIES = 1, OUT_N_DATA = 2, OUT_N_FIELDS = 3, OUT_N_ENTRY_ARRAYS = 4,
  OUT_N_TAGS = 5, OUT_FOUND_MAIN = 6, OUT_ENTRY_SET = 7, OUT_LAST_SEQNUM = 8, OUT_LAST_MONOTONIC = 9,
  OUT_LAST_BOOT_OFF = 10, OUT_LAST_REALTIME = 11, OUT_TAIL_MIN_REALTIME = 12, OUT_N_COMPRESSED = 13,
  OUT_REASON = 14, OUT_REASON_OFFSET = 15, OUT_MAIN_LAST = 16, OUT_POSITION = 17;
const OUT_SLOTS: usize = 18;

// TAGS: u64 slots per tag
const TAG_REC_OFFSET = 0, TAG_REC_EPOCH = 1, TAG_REC_ENTRY_REALTIME = 2, TAG_REC_ENTRY_SET = 3,
  TAG_REC_MAX_REALTIME = 4, TAG_REC_MIN_REALTIME = 5, TAG_REC_COUNT = 6, TAG_REC_FIRST_SEQNUM = 7,
  TAG_REC_LAST_SEQNUM = 8, TAG_REC_FIRST_REALTIME = 9, TAG_REC_LAST_REALTIME = 10;
export const TAG_REC_SLOTS: usize = 11;

/** Why the scan said irregular (for tests and debugging; the exact verifier gives the real reason). */
export const enum Reason {
  NONE = 0, OBJECT = 1, TAIL = 2, OBJECT_FIELDS = 3, FLAGS = 4, HASH = 5, ITEMS = 6, ENTRY = 7,
  HASH_TABLE = 8, MAIN_ARRAY = 9, TAG = 10, CAPACITY = 11, DATA_HASH_TABLE = 12, DATA_CHAIN = 13,
  MAIN_WALK = 14, ENTRY_DATA = 15, HASH_CHAIN = 16,
}

// ---- state ------------------------------------------------------------------------------------
let FB: usize = 0;          // file base
let END: usize = 0;         // end of the file area (scan tables follow)
let FS: u64 = 0;            // file size
let AVAIL: u64 = 0;         // bytes [0, AVAIL) of the file are in place (the file is read in while pass 1 runs)
let DATAIDX: usize = 0, ENTRYB: usize = 0, ARRAYB: usize = 0, CLAIM: usize = 0;
let LINKED: usize = 0, HASHED: usize = 0, CLEAN: usize = 0, TAGS: usize = 0, COMP: usize = 0, OUT: usize = 0;
/** Where segmentGather copies a tag segment for the caller to hash with the platform's HMAC. */
let STAGE: usize = 0;
const STAGE_SIZE: usize = 1 << 20;
let dataCap: u64 = 0, tagCap: u64 = 0;

// file parameters (scanInit)
let headerSize: u64 = 0, tail: u64 = 0, incompat: u32 = 0;
let compact = false, keyed = false, sealed = false;
let payloadOff: u64 = 0, entryItemSize: u64 = 0, arrayItemSize: u64 = 0;

// pass-1 walk
let phase: i32 = 0;
let P: u64 = 0;
let nObjects: u64 = 0, nEntries: u64 = 0, nData: u64 = 0, nFields: u64 = 0, nEntryArrays: u64 = 0, nTags: u64 = 0;
let nDataHashTables: u64 = 0, nFieldHashTables: u64 = 0, nCompressed: u64 = 0;
let foundMain = false, entrySet = false;
let lastSeqnum: u64 = 0, lastMonotonic: u64 = 0, lastBootOff: u64 = 0, lastRealtime: u64 = 0, lastEpoch: u64 = 0;
let maxRealtime: u64 = 0, minRealtime: u64 = U64.MAX_VALUE;
let segCount: u64 = 0, segFirstSeqnum: u64 = 0, segLastSeqnum: u64 = 0, segFirstRealtime: u64 = 0, segLastRealtime: u64 = 0;

const PHASE_PASS1: i32 = 0, PHASE_PASS2: i32 = 1, PHASE_DONE: i32 = 2;

// ---- memory -----------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function bitmapBytes(size: u64): usize { return <usize>((size >> 6) + 16); }

/**
 * The file area, at the top of memory in pages grown for it alone (heap.alloc stops at 1 GiB).
 * Returns its address, or 0 when memory cannot grow that far. From here on this instance allocates
 * nothing through the runtime (whose bump pointer knows nothing of these pages): only scanAlloc.
 */
export function fileAlloc(size: u64): usize {
  if (size > 0xc0000000 || FB != 0) return 0;
  const top = (<usize>memory.size()) << 16;
  if (!grow(top + <usize>size + 64)) return 0;
  FS = size;
  AVAIL = size;
  FB = top;
  END = (top + <usize>size + 64 + 15) & ~(<usize>15);
  return FB;
}

/** Memory past the file for the scan tables of at most `maxData` DATA objects and `maxTags` tags. */
export function scanAlloc(maxData: u64, maxTags: u64): bool {
  if (FB == 0 || OUT != 0 || maxData > (FS >> 6) + 1 || maxTags > (FS >> 6) + 1) return false;
  const bm = bitmapBytes(FS);
  let at = END;
  DATAIDX = at; at += bm * 2;
  ENTRYB = at; at += bm;
  ARRAYB = at; at += bm;
  CLAIM = at; at += bm;
  LINKED = at; at += (<usize>maxData * 4 + 8 + 15) & ~(<usize>15);
  HASHED = at; at += (<usize>maxData + 8 + 15) & ~(<usize>15);
  CLEAN = at; at += (<usize>maxData + 8 + 15) & ~(<usize>15);
  COMP = at; at += (<usize>maxData * 4 + 8 + 15) & ~(<usize>15);
  TAGS = at; at += <usize>maxTags * TAG_REC_SLOTS * 8 + 16;
  OUT = at; at += OUT_SLOTS * 8;
  at = (at + 15) & ~(<usize>15);
  STAGE = at; at += STAGE_SIZE;
  if (!grow(at)) { OUT = 0; return false; }
  dataCap = maxData;
  tagCap = maxTags;
  return true;
}

/** Grows memory so that [0, end) exists. */
function grow(end: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return true;
  return memory.grow(<i32>((end - have + 0xffff) >> 16)) >= 0;
}

/** An arena instance: the runtime must not allocate (fsprg.ts checks before its one allocation). */
export function isArena(): bool { return FB != 0; }

export function scanOutPtr(): usize { return OUT; }
export function scanTagsPtr(): usize { return TAGS; }
export function scanCompressedPtr(): usize { return COMP; }
export function scanStagePtr(): usize { return STAGE; }
export function scanStageSize(): usize { return STAGE_SIZE; }
/** Tags and compressed DATA objects pass 1 has accepted so far (their records are final). */
export function scanTagCount(): u32 { return <u32>nTags; }
export function scanCompressedCount(): u32 { return <u32>nCompressed; }
/** The caller has put bytes [0, n) of the file in place; pass 1 waits (SCAN_WAIT) at the first object beyond. */
export function scanAvail(n: u64): void { AVAIL = n < FS ? n : FS; }

// ---- reads ------------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function u8at(off: u64): u8 { return load<u8>(FB + <usize>off); }
// @ts-ignore: decorator
@inline function u32at(off: u64): u32 { return load<u32>(FB + <usize>off); }
// @ts-ignore: decorator
@inline function u64at(off: u64): u64 { return load<u64>(FB + <usize>off); }
// @ts-ignore: decorator
@inline function align8(x: u64): u64 { return (x + 7) & ~(<u64>7); }

// @ts-ignore: decorator
@inline function bitSet(bm: usize, off: u64): void {
  const s = <usize>(off >> 3);
  const a = bm + (s >> 3);
  store<u8>(a, load<u8>(a) | <u8>(1 << <u8>(s & 7)));
}
// @ts-ignore: decorator
@inline function bitGet(bm: usize, off: u64): bool {
  const s = <usize>(off >> 3);
  return ((load<u8>(bm + (s >> 3)) >> <u8>(s & 7)) & 1) != 0;
}

/** A DATA / ENTRY / ENTRY_ARRAY object that pass 1 walked over starts at `off`. */
// @ts-ignore: decorator
@inline function inRange(off: u64): bool { return off > 0 && (off & 7) == 0 && off < FS; }
// @ts-ignore: decorator
@inline function isData(off: u64): bool {
  if (!inRange(off)) return false;
  const s = off >> 3;
  return ((load<u64>(DATAIDX + <usize>((s >> 6) << 4)) >> (s & 63)) & 1) != 0;
}
// @ts-ignore: decorator
@inline function isEntry(off: u64): bool { return inRange(off) && bitGet(ENTRYB, off); }
// @ts-ignore: decorator
@inline function isArray(off: u64): bool { return inRange(off) && bitGet(ARRAYB, off); }

/** Index, in file order, of the DATA object at `off` (isData(off) holds). */
// @ts-ignore: decorator
@inline function dataIndex(off: u64): u64 {
  const s = off >> 3;
  const w = DATAIDX + <usize>((s >> 6) << 4);
  const below = load<u64>(w) & ((<u64>1 << (s & 63)) - 1);
  return <u64>load<u32>(w, 8) + popcnt<u64>(below);
}

let reason: i32 = 0;
let reasonOffset: u64 = 0;
function irregular(why: Reason, off: u64): i32 {
  reason = <i32>why;
  reasonOffset = off;
  phase = PHASE_DONE;
  writeOut();
  return SCAN_IRREGULAR;
}

// ---- entry points -----------------------------------------------------------------------------
/** Starts a scan of the file at FB (header already checked by JournalFile.open). */
export function scanInit(hdrSize: u64, tailObject: u64, compactFile: bool, keyedHash: bool, sealedFile: bool): void {
  headerSize = hdrSize;
  tail = tailObject;
  incompat = u32at(L.HEADER_INCOMPATIBLE_FLAGS);
  compact = compactFile;
  keyed = keyedHash;
  sealed = sealedFile;
  payloadOff = compact ? L.DATA_PAYLOAD_COMPACT : L.DATA_PAYLOAD_REGULAR;
  entryItemSize = compact ? L.ENTRY_ITEM_SIZE_COMPACT : L.ENTRY_ITEM_SIZE_REGULAR;
  arrayItemSize = compact ? L.ENTRY_ARRAY_ITEM_SIZE_COMPACT : L.ENTRY_ARRAY_ITEM_SIZE_REGULAR;
  const bm = bitmapBytes(FS);
  memory.fill(DATAIDX, 0, bm * 2);
  memory.fill(ENTRYB, 0, bm);
  memory.fill(ARRAYB, 0, bm);
  memory.fill(CLAIM, 0, bm);
  phase = PHASE_PASS1;
  P = headerSize;
  nObjects = nEntries = nData = nFields = nEntryArrays = nTags = 0;
  nDataHashTables = nFieldHashTables = nCompressed = 0;
  foundMain = entrySet = false;
  lastSeqnum = lastMonotonic = lastBootOff = lastRealtime = lastEpoch = 0;
  maxRealtime = 0;
  minRealtime = U64.MAX_VALUE;
  segCount = 0;
  reason = 0;
  reasonOffset = 0;
  mainLast = 0;
  step2 = STEP2_START;
}

/**
 * Runs the scan for at most `budget` objects of pass 1 (pass 2 runs in one go once pass 1 is done).
 * Returns SCAN_MORE, SCAN_REGULAR or SCAN_IRREGULAR; the counters are in OUT after either of the last two.
 */
export function scanRun(budget: u32): i32 {
  if (phase == PHASE_PASS1) {
    if (tail == 0) {
      phase = PHASE_PASS2;
    } else {
      const r = pass1(budget);
      if (r != SCAN_MORE) return r;
      if (phase == PHASE_PASS1) return SCAN_MORE;
    }
  }
  if (phase == PHASE_PASS2) {
    // pass 2 follows offsets anywhere in the file
    if (AVAIL < FS) return SCAN_WAIT;
    if (step2 == STEP2_START) {
      buildRank();
      step2 = STEP2_HASH_TABLE;
      at2 = 0;
    }
    const r = pass2(<u64>budget);
    if (r != SCAN_REGULAR) return r;
    phase = PHASE_DONE;
    writeOut();
    return SCAN_REGULAR;
  }
  return SCAN_IRREGULAR;
}

function writeOut(): void {
  store<u64>(OUT + OUT_N_OBJECTS * 8, nObjects);
  store<u64>(OUT + OUT_N_ENTRIES * 8, nEntries);
  store<u64>(OUT + OUT_N_DATA * 8, nData);
  store<u64>(OUT + OUT_N_FIELDS * 8, nFields);
  store<u64>(OUT + OUT_N_ENTRY_ARRAYS * 8, nEntryArrays);
  store<u64>(OUT + OUT_N_TAGS * 8, nTags);
  store<u64>(OUT + OUT_FOUND_MAIN * 8, foundMain ? 1 : 0);
  store<u64>(OUT + OUT_ENTRY_SET * 8, entrySet ? 1 : 0);
  store<u64>(OUT + OUT_LAST_SEQNUM * 8, lastSeqnum);
  store<u64>(OUT + OUT_LAST_MONOTONIC * 8, lastMonotonic);
  store<u64>(OUT + OUT_LAST_BOOT_OFF * 8, lastBootOff);
  store<u64>(OUT + OUT_LAST_REALTIME * 8, lastRealtime);
  store<u64>(OUT + OUT_TAIL_MIN_REALTIME * 8, minRealtime);
  store<u64>(OUT + OUT_N_COMPRESSED * 8, nCompressed);
  store<u64>(OUT + OUT_REASON * 8, <u64>reason);
  store<u64>(OUT + OUT_REASON_OFFSET * 8, reasonOffset);
  store<u64>(OUT + OUT_MAIN_LAST * 8, mainLast);
  store<u64>(OUT + OUT_POSITION * 8, P);
}

// ---- pass 1 -----------------------------------------------------------------------------------
function minimumSize(type: u8): u64 {
  switch (type) {
    case L.TYPE_DATA: return payloadOff;
    case L.TYPE_FIELD: return L.FIELD_PAYLOAD;
    case L.TYPE_ENTRY: return L.ENTRY_ITEMS;
    case L.TYPE_DATA_HASH_TABLE:
    case L.TYPE_FIELD_HASH_TABLE: return L.HASH_TABLE_ITEMS;
    case L.TYPE_ENTRY_ARRAY: return L.ENTRY_ARRAY_ITEMS;
    case L.TYPE_TAG: return L.TAG_SIZE;
    default: return L.OBJECT_HEADER_SIZE;
  }
}

// @ts-ignore: decorator
@inline function aligned(off: u64): bool { return (u32at(off) & 7) == 0; }

function pass1(budget: u32): i32 {
  let p = P;
  while (budget-- > 0) {
    // journal_file_move_to_object + check_object (file.ts object()/checkObject())
    if ((p & 7) != 0 || p < headerSize || p > FS - L.OBJECT_HEADER_SIZE) return irregular(Reason.OBJECT, p);
    if (p > tail) return irregular(Reason.TAIL, p);
    if (p + L.OBJECT_HEADER_SIZE > AVAIL) { P = p; return SCAN_WAIT; }
    const type = u8at(p + L.OBJECT_TYPE);
    const flags = u8at(p + L.OBJECT_FLAGS);
    const size = u64at(p + L.OBJECT_SIZE);
    if (type == 0 || type > L.TYPE_TAG) return irregular(Reason.OBJECT, p);
    if (size < minimumSize(type) || size > FS - p) return irregular(Reason.OBJECT, p);
    if (p + size > AVAIL) { P = p; return SCAN_WAIT; }
    if (!checkObject(p, type, size)) return irregular(Reason.OBJECT_FIELDS, p);

    // flags: compression only on DATA, one algorithm, one the header announces
    if (type == L.TYPE_DATA) {
      if (flags != 0) {
        const ok = (flags == L.FLAG_COMPRESSED_XZ && (incompat & L.INCOMPATIBLE_COMPRESSED_XZ) != 0)
          || (flags == L.FLAG_COMPRESSED_LZ4 && (incompat & L.INCOMPATIBLE_COMPRESSED_LZ4) != 0)
          || (flags == L.FLAG_COMPRESSED_ZSTD && (incompat & L.INCOMPATIBLE_COMPRESSED_ZSTD) != 0);
        if (!ok) return irregular(Reason.FLAGS, p);
      }
    } else if (flags != 0) return irregular(Reason.FLAGS, p);

    nObjects++;
    switch (type) {
      case L.TYPE_DATA: {
        if (flags == 0) {
          if (objectHash(p + payloadOff, size - payloadOff) != u64at(p + L.DATA_HASH)) return irregular(Reason.HASH, p);
        } else {
          // decompressed and hashed by the caller (scanCompressedPtr list)
          store<u32>(COMP + (<usize>nCompressed << 2), <u32>p);
          nCompressed++;
        }
        if (nData >= dataCap) return irregular(Reason.CAPACITY, p);
        const sl = p >> 3;
        const w = DATAIDX + <usize>((sl >> 6) << 4);
        store<u64>(w, load<u64>(w) | (<u64>1 << (sl & 63)));
        nData++;
        break;
      }
      case L.TYPE_FIELD: {
        if (objectHash(p + L.FIELD_PAYLOAD, size - L.FIELD_PAYLOAD) != u64at(p + L.FIELD_HASH)) return irregular(Reason.HASH, p);
        nFields++;
        break;
      }
      case L.TYPE_ENTRY: {
        const n = (size - L.ENTRY_ITEMS) / entryItemSize;
        for (let i: u64 = 0; i < n; i++) {
          const at = p + L.ENTRY_ITEMS + i * entryItemSize;
          const lo = u32at(at);
          const zero = compact ? lo == 0 : (lo == 0 && u32at(at + 4) == 0);
          if (zero || (lo & 7) != 0) return irregular(Reason.ITEMS, p);
        }
        if (sealed && nTags == 0) return irregular(Reason.ENTRY, p);
        const seqnum = u64at(p + L.ENTRY_SEQNUM);
        const realtime = u64at(p + L.ENTRY_REALTIME);
        const monotonic = u64at(p + L.ENTRY_MONOTONIC);
        if (!entrySet) {
          if (seqnum != u64at(L.HEADER_HEAD_ENTRY_SEQNUM)) return irregular(Reason.ENTRY, p);
          if (realtime != u64at(L.HEADER_HEAD_ENTRY_REALTIME)) return irregular(Reason.ENTRY, p);
        } else {
          if (lastSeqnum >= seqnum) return irregular(Reason.ENTRY, p);
          if (sameId(lastBootOff, p + L.ENTRY_BOOT_ID) && lastMonotonic > monotonic) return irregular(Reason.ENTRY, p);
        }
        entrySet = true;
        lastSeqnum = seqnum;
        lastMonotonic = monotonic;
        lastBootOff = p + L.ENTRY_BOOT_ID;
        lastRealtime = realtime;
        if (realtime > maxRealtime) maxRealtime = realtime;
        if (realtime < minRealtime) minRealtime = realtime;
        if (segCount == 0) { segFirstSeqnum = seqnum; segFirstRealtime = realtime; }
        segCount++;
        segLastSeqnum = seqnum;
        segLastRealtime = realtime;
        bitSet(ENTRYB, p);
        nEntries++;
        break;
      }
      case L.TYPE_DATA_HASH_TABLE:
      case L.TYPE_FIELD_HASH_TABLE: {
        const n = (size - L.HASH_TABLE_ITEMS) / L.HASH_TABLE_ITEM_SIZE;
        for (let i: u64 = 0; i < n; i++) {
          const at = p + L.HASH_TABLE_ITEMS + i * L.HASH_TABLE_ITEM_SIZE;
          const h = u64at(at), t = u64at(at + 8);
          if ((h & 7) != 0 || (t & 7) != 0 || (h == 0) != (t == 0)) return irregular(Reason.HASH_TABLE, p);
        }
        const isData = type == L.TYPE_DATA_HASH_TABLE;
        if ((isData ? nDataHashTables : nFieldHashTables) != 0) return irregular(Reason.HASH_TABLE, p);
        const off = u64at(isData ? L.HEADER_DATA_HASH_TABLE_OFFSET : L.HEADER_FIELD_HASH_TABLE_OFFSET);
        const sz = u64at(isData ? L.HEADER_DATA_HASH_TABLE_SIZE : L.HEADER_FIELD_HASH_TABLE_SIZE);
        if (off != p + L.HASH_TABLE_ITEMS || sz != size - L.HASH_TABLE_ITEMS) return irregular(Reason.HASH_TABLE, p);
        if (isData) nDataHashTables++;
        else nFieldHashTables++;
        break;
      }
      case L.TYPE_ENTRY_ARRAY: {
        const n = (size - L.ENTRY_ARRAY_ITEMS) / arrayItemSize;
        for (let i: u64 = 0; i < n; i++) {
          if ((u32at(p + L.ENTRY_ARRAY_ITEMS + i * arrayItemSize) & 7) != 0) return irregular(Reason.ITEMS, p);
        }
        if (p == u64at(L.HEADER_ENTRY_ARRAY_OFFSET)) {
          if (foundMain) return irregular(Reason.MAIN_ARRAY, p);
          foundMain = true;
        }
        bitSet(ARRAYB, p);
        nEntryArrays++;
        break;
      }
      case L.TYPE_TAG: {
        if (!sealed) return irregular(Reason.TAG, p);
        const seqnum = u64at(p + L.TAG_SEQNUM);
        const epoch = u64at(p + L.TAG_EPOCH);
        if (seqnum != nTags + 1 || epoch < lastEpoch) return irregular(Reason.TAG, p);
        if (nTags >= tagCap) return irregular(Reason.CAPACITY, p);
        const r = TAGS + <usize>(nTags * TAG_REC_SLOTS * 8);
        store<u64>(r + TAG_REC_OFFSET * 8, p);
        store<u64>(r + TAG_REC_EPOCH * 8, epoch);
        store<u64>(r + TAG_REC_ENTRY_REALTIME * 8, lastRealtime);
        store<u64>(r + TAG_REC_ENTRY_SET * 8, entrySet ? 1 : 0);
        store<u64>(r + TAG_REC_MAX_REALTIME * 8, maxRealtime);
        store<u64>(r + TAG_REC_MIN_REALTIME * 8, minRealtime);
        store<u64>(r + TAG_REC_COUNT * 8, segCount);
        store<u64>(r + TAG_REC_FIRST_SEQNUM * 8, segFirstSeqnum);
        store<u64>(r + TAG_REC_LAST_SEQNUM * 8, segLastSeqnum);
        store<u64>(r + TAG_REC_FIRST_REALTIME * 8, segFirstRealtime);
        store<u64>(r + TAG_REC_LAST_REALTIME * 8, segLastRealtime);
        minRealtime = U64.MAX_VALUE;
        segCount = 0;
        lastEpoch = epoch;
        nTags++;
        break;
      }
    }
    if (p == tail) {
      phase = PHASE_PASS2;
      P = p;
      return SCAN_MORE;
    }
    p += align8(size);
  }
  P = p;
  return SCAN_MORE;
}

/** journal_file_check_object's per-type checks (file.ts checkObject), plus a non-null entry boot ID. */
function checkObject(p: u64, type: u8, size: u64): bool {
  switch (type) {
    case L.TYPE_DATA: {
      if ((u64at(p + L.DATA_ENTRY_OFFSET) == 0) != (u64at(p + L.DATA_N_ENTRIES) == 0)) return false;
      if (size <= payloadOff) return false;
      return aligned(p + L.DATA_NEXT_HASH_OFFSET) && aligned(p + L.DATA_NEXT_FIELD_OFFSET)
        && aligned(p + L.DATA_ENTRY_OFFSET) && aligned(p + L.DATA_ENTRY_ARRAY_OFFSET);
    }
    case L.TYPE_FIELD:
      if (size <= L.FIELD_PAYLOAD) return false;
      return aligned(p + L.FIELD_NEXT_HASH_OFFSET) && aligned(p + L.FIELD_HEAD_DATA_OFFSET);
    case L.TYPE_ENTRY: {
      const rest = size - L.ENTRY_ITEMS;
      if (rest % entryItemSize != 0 || rest == 0) return false;
      if (u64at(p + L.ENTRY_SEQNUM) == 0) return false;
      const rt = u64at(p + L.ENTRY_REALTIME);
      if (rt == 0 || rt >= L.TIME_LIMIT) return false;
      if (u64at(p + L.ENTRY_MONOTONIC) >= L.TIME_LIMIT) return false;
      return u64at(p + L.ENTRY_BOOT_ID) != 0 || u64at(p + L.ENTRY_BOOT_ID + 8) != 0;
    }
    case L.TYPE_DATA_HASH_TABLE:
    case L.TYPE_FIELD_HASH_TABLE: {
      const rest = size - L.HASH_TABLE_ITEMS;
      return rest != 0 && rest % L.HASH_TABLE_ITEM_SIZE == 0;
    }
    case L.TYPE_ENTRY_ARRAY: {
      const rest = size - L.ENTRY_ARRAY_ITEMS;
      if (rest == 0 || rest % arrayItemSize != 0) return false;
      const next = u64at(p + L.ENTRY_ARRAY_NEXT);
      return (next & 7) == 0 && (next == 0 || next > p);
    }
    case L.TYPE_TAG:
      return size == L.TAG_SIZE && u64at(p + L.TAG_EPOCH) < L.TIME_LIMIT;
  }
  return false;
}

// @ts-ignore: decorator
@inline function objectHash(at: u64, len: u64): u64 {
  return keyed ? siphash24(FB + L.HEADER_FILE_ID, FB + <usize>at, <usize>len) : jenkinsHash64(FB + <usize>at, <usize>len);
}

function sameId(a: u64, b: u64): bool {
  return u64at(a) == u64at(b) && u64at(a + 8) == u64at(b + 8);
}

// ---- pass 2 -----------------------------------------------------------------------------------
let mainLast: u64 = 0;

function buildRank(): void {
  const words = <usize>((FS >> 9) + 1);
  let sum: u32 = 0;
  for (let w: usize = 0; w < words; w++) {
    const at = DATAIDX + (w << 4);
    store<u32>(at, sum, 8);
    sum += <u32>popcnt<u64>(load<u64>(at));
  }
}

/** An offset/size field read as a number: irregular above 4 GiB (no such file fits here). */
// @ts-ignore: decorator
@inline function small(v: u64): bool { return v < 0x100000000; }

// Pass 2 runs in steps of about `budget` units of work (bucket, DATA object, array item) per call,
// like pass 1: besides keeping the caller responsive, a wasm engine runs each call in the code tier
// it started in, so one long call would run all of pass 2 in the baseline tier.
const STEP2_START: i32 = 0, STEP2_HASH_TABLE: i32 = 1, STEP2_CHAINS: i32 = 2, STEP2_MAIN: i32 = 3, STEP2_CHECK: i32 = 4;
let step2: i32 = STEP2_START;
/** Where the current step resumes (bucket, DATAIDX word, main-array object, data index). */
let at2: u64 = 0;
/** Step state carried between calls. */
let chainBudget: u64 = 0, chainD: usize = 0, mainI: u64 = 0, mainLastSeen: u64 = 0;

/** SCAN_MORE (call again), SCAN_REGULAR (pass 2 done) or SCAN_IRREGULAR. */
function pass2(budget: u64): i32 {
  if (step2 == STEP2_HASH_TABLE) {
    const r = pass2HashTable(budget);
    if (r != SCAN_REGULAR) return r;
    step2 = STEP2_CHAINS; at2 = 0; chainBudget = FS >> 2; chainD = 0;
    return SCAN_MORE;
  }
  if (step2 == STEP2_CHAINS) {
    const r = pass2Chains(budget);
    if (r != SCAN_REGULAR) return r;
    step2 = STEP2_MAIN; at2 = u64at(L.HEADER_ENTRY_ARRAY_OFFSET); mainI = 0; mainLastSeen = 0;
    return SCAN_MORE;
  }
  if (step2 == STEP2_MAIN) {
    const r = pass2Main(budget);
    if (r != SCAN_REGULAR) return r;
    mainLast = mainLastSeen;
    step2 = STEP2_CHECK; at2 = 0;
    return SCAN_MORE;
  }
  return pass2Check(budget);
}

/**
 * One walk of the data hash table does fastIndex's part (structure.ts: every chain node a DATA
 * object reached once, noted as in its own bucket or not) and pass 2b's chain checks (sorted
 * chains, tail pointers); what 2b asks of each node's entries is checked per DATA object below.
 */
function pass2HashTable(budget: u64): i32 {
  const dhtOff = u64at(L.HEADER_DATA_HASH_TABLE_OFFSET);
  const dhtSize = u64at(L.HEADER_DATA_HASH_TABLE_SIZE);
  const nBuckets = dhtSize / L.HASH_TABLE_ITEM_SIZE;
  if (at2 == 0) {
    memory.fill(HASHED, 0, <usize>nData);
    memory.fill(CLEAN, 0, <usize>nData);
    if (nBuckets == 0) return nEntries > 0 ? irregular(Reason.DATA_HASH_TABLE, 0) : SCAN_REGULAR;
    if (dhtSize > FS || dhtOff > FS - dhtSize) return irregular(Reason.DATA_HASH_TABLE, dhtOff);
  }
  const end = at2 + budget < nBuckets ? at2 + budget : nBuckets;
  for (let i: u64 = at2; i < end; i++) {
    const bucket = dhtOff + i * L.HASH_TABLE_ITEM_SIZE;
    let r = u64at(bucket);
    let lastNode: u64 = 0;
    while (r != 0) {
      if (!isData(r)) return irregular(Reason.DATA_HASH_TABLE, r);
      const d = <usize>dataIndex(r);
      if (load<u8>(HASHED + d) != 0) return irregular(Reason.DATA_HASH_TABLE, r);
      if (u64at(r + L.DATA_HASH) % nBuckets != i) return irregular(Reason.HASH_CHAIN, r);
      store<u8>(HASHED + d, 2);
      const next = u64at(r + L.DATA_NEXT_HASH_OFFSET);
      if (next != 0 && next <= r) return irregular(Reason.HASH_CHAIN, r);
      lastNode = r;
      r = next;
    }
    if (u64at(bucket + 8) != lastNode) return irregular(Reason.HASH_CHAIN, bucket);
  }
  at2 = end;
  return end == nBuckets ? SCAN_REGULAR : SCAN_MORE;
}

/** fastIndex's DATA loop: each DATA object's entry-array chain well formed (LINKED, CLEAN). */
function pass2Chains(budget: u64): i32 {
  const words = <u64>((FS >> 9) + 1);
  let d = chainD;
  let done: u64 = 0;
  let w = at2;
  for (; w < words && done < budget; w++) {
    let word = load<u64>(DATAIDX + <usize>(w << 4));
    while (word != 0) {
      const bit = ctz<u64>(word);
      word &= word - 1;
      done++;
      const p = ((w << 6) + bit) << 3;
      const n = u64at(p + L.DATA_N_ENTRIES);
      const arr0 = u64at(p + L.DATA_ENTRY_ARRAY_OFFSET);
      if (n == 0) {
        store<u32>(LINKED + (d << 2), 0xffffffff);
        if (arr0 == 0) store<u8>(CLEAN + d, 1);
        d++;
        continue;
      }
      if (!small(n)) return irregular(Reason.DATA_CHAIN, p);
      let max = u64at(p + L.DATA_ENTRY_OFFSET);
      if (!small(max)) return irregular(Reason.DATA_CHAIN, p);
      let need = n - 1;
      let a = arr0;
      let last: u64 = 0;
      let ok2b = isEntry(max) && (n >= 2 || a == 0);
      let prev = max;
      if (need == 0 && a != 0 && !isArray(a)) return irregular(Reason.DATA_CHAIN, p);
      while (need > 0) {
        if (!isArray(a) || bitGet(CLAIM, a)) return irregular(Reason.DATA_CHAIN, p);
        bitSet(CLAIM, a);
        const k = (u64at(a + L.OBJECT_SIZE) - L.ENTRY_ARRAY_ITEMS) / arrayItemSize;
        const m = k < need ? k : need;
        const base = a + L.ENTRY_ARRAY_ITEMS;
        for (let j: u64 = 0; j < m; j++) {
          const q = compact ? <u64>u32at(base + (j << 2)) : u64at(base + (j << 3));
          if (q <= last || !small(q)) return irregular(Reason.DATA_CHAIN, p);
          last = q;
          if (ok2b && !(q > prev && isEntry(q))) ok2b = false;
          prev = q;
        }
        need -= m;
        if (chainBudget < m + 1) return irregular(Reason.DATA_CHAIN, p);
        chainBudget -= m + 1;
        done += m;
        const next = u64at(a + L.ENTRY_ARRAY_NEXT);
        if (next != 0 && next <= a) ok2b = false;
        a = next;
      }
      if (last > max) max = last;
      store<u32>(LINKED + (d << 2), <u32>max);
      if (ok2b) store<u8>(CLEAN + d, 1);
      d++;
    }
  }
  chainD = d;
  at2 = w;
  return w >= words ? SCAN_REGULAR : SCAN_MORE;
}

/** verify_entry_array (pass 2a) over the main chain with the answers above. */
function pass2Main(budget: u64): i32 {
  const n = nEntries;
  let a = at2;
  let i = mainI;
  let last = mainLastSeen;
  let done: u64 = 0;
  while (i < n && done < budget) {
    if (!isArray(a)) return irregular(Reason.MAIN_WALK, a);
    const next = u64at(a + L.ENTRY_ARRAY_NEXT);
    if (next != 0 && next <= a) return irregular(Reason.MAIN_WALK, a);
    const m = (u64at(a + L.OBJECT_SIZE) - L.ENTRY_ARRAY_ITEMS) / arrayItemSize;
    const base = a + L.ENTRY_ARRAY_ITEMS;
    for (let j: u64 = 0; i < n && j < m; i++, j++) {
      const p = compact ? <u64>u32at(base + (j << 2)) : u64at(base + (j << 3));
      if (p <= last || !isEntry(p)) return irregular(Reason.MAIN_WALK, a);
      last = p;
      const isLast = i + 1 == n;
      const ni = (u64at(p + L.OBJECT_SIZE) - L.ENTRY_ITEMS) / entryItemSize;
      const eb = p + L.ENTRY_ITEMS;
      for (let k: u64 = 0; k < ni; k++) {
        const q = compact ? <u64>u32at(eb + (k << 2)) : u64at(eb + (k << 4));
        if (!isData(q)) return irregular(Reason.ENTRY_DATA, p);
        const dq = <usize>dataIndex(q);
        if (load<u8>(HASHED + dq) != 2) return irregular(Reason.ENTRY_DATA, p);
        const mx = load<u32>(LINKED + (dq << 2));
        if (!isLast && (mx == 0xffffffff || <u64>mx < p)) return irregular(Reason.ENTRY_DATA, p);
      }
      done += ni + 1;
    }
    a = next;
  }
  at2 = a;
  mainI = i;
  mainLastSeen = last;
  return i >= n ? SCAN_REGULAR : SCAN_MORE;
}

/**
 * verify_data_hash_table (pass 2b), per chain node: verify_data() answered by CLEAN/LINKED (it can
 * then fail only on "not in the main entry array", i.e. an entry beyond the main chain's last).
 */
function pass2Check(budget: u64): i32 {
  const n = nEntries;
  const end = at2 + budget < nData ? at2 + budget : nData;
  for (let dd = <usize>at2; dd < <usize>end; dd++) {
    if (load<u8>(HASHED + dd) == 0) continue;
    const mx = load<u32>(LINKED + (dd << 2));
    if (load<u8>(CLEAN + dd) != 1) return irregular(Reason.HASH_CHAIN, <u64>dd);
    if (mx != 0xffffffff && !(n > 0 && <u64>mx <= mainLast)) return irregular(Reason.HASH_CHAIN, <u64>dd);
  }
  at2 = end;
  return end == nData ? SCAN_REGULAR : SCAN_MORE;
}

// ---- HMAC gathering ---------------------------------------------------------------------------
// A tag's HMAC covers, for each object from the segment's start up to the tag itself, the bytes
// journal-authenticate.c's journal_file_hmac_put_object() feeds (the object header and the fields
// that never change after writing), and for the file's first tag also parts of the header. The
// walk below yields those bytes in order straight from the file, so no range list is built.
// Lane state (u32 × 6): object offset (0 = still in the header ranges), last object (the tag),
// piece index, offset within the piece, done flag, first object of the segment.

/** journal_file_hmac_put_header: signature..state, file_id..machine_id, seqnum_id..header_size, both hash tables. */
const HEADER_PIECES: StaticArray<u32> = [0, 16, 24, 56, 72, 96, 104, 136];

let pieceStart: u64 = 0, pieceLen: u64 = 0;
/** Sets pieceStart/pieceLen to piece `k` of the object at q; false when it has no such piece. */
function piece(q: u64, k: u32): bool {
  const type = u8at(q);
  const size = u64at(q + L.OBJECT_SIZE);
  switch (type) {
    case L.TYPE_DATA:
      if (k == 0) { pieceStart = q; pieceLen = 24; return true; }            // header + hash
      if (k == 1) { pieceStart = q + payloadOff; pieceLen = size - payloadOff; return true; }
      return false;
    case L.TYPE_FIELD:
      if (k == 0) { pieceStart = q; pieceLen = 24; return true; }            // header + hash
      if (k == 1) { pieceStart = q + L.FIELD_PAYLOAD; pieceLen = size - L.FIELD_PAYLOAD; return true; }
      return false;
    case L.TYPE_ENTRY:
      if (k == 0) { pieceStart = q; pieceLen = size; return true; }          // header, seqnum .. items
      return false;
    case L.TYPE_TAG:
      if (k == 0) { pieceStart = q; pieceLen = L.TAG_TAG; return true; }     // header, seqnum, epoch
      return false;
    default:
      if (k == 0) { pieceStart = q; pieceLen = L.OBJECT_HEADER_SIZE; return true; }
      return false;
  }
}

/** Starts lane state `st` on the segment [start, tag] (withHeader: the file's first tag). */
export function segmentStart(st: usize, start: u32, tag: u32, withHeader: bool): void {
  store<u32>(st, withHeader ? 0 : start);
  store<u32>(st, tag, 4);
  store<u32>(st, 0, 8);
  store<u32>(st, 0, 12);
  store<u32>(st, 0, 16);
  store<u32>(st, start, 20);
}

/** Copies up to `cap` more bytes of the lane's message to `dst`; returns how many (done flag at st+16). */
export function segmentGather(st: usize, dst: usize, cap: u32): u32 {
  let q = <u64>load<u32>(st);
  const tag = <u64>load<u32>(st, 4);
  let k = load<u32>(st, 8);
  let off = <u64>load<u32>(st, 12);
  let n: u32 = 0;
  while (n < cap) {
    let s: u64, len: u64;
    if (q == 0) {
      if (k >= 4) { q = <u64>load<u32>(st, 20); k = 0; off = 0; continue; }
      s = <u64>HEADER_PIECES[k * 2];
      len = <u64>HEADER_PIECES[k * 2 + 1] - s;
    } else {
      if (q > tag) { store<u32>(st, 1, 16); break; }
      if (!piece(q, k)) {
        q += align8(u64at(q + L.OBJECT_SIZE));
        k = 0; off = 0;
        continue;
      }
      s = pieceStart;
      len = pieceLen;
    }
    const take = min<u64>(len - off, <u64>(cap - n));
    memory.copy(dst + <usize>n, FB + <usize>(s + off), <usize>take);
    n += <u32>take;
    off += take;
    if (off == len) { k++; off = 0; }
  }
  if (q > tag) store<u32>(st, 1, 16);
  store<u32>(st, <u32>q);
  store<u32>(st, k, 8);
  store<u32>(st, <u32>off, 12);
  return n;
}
