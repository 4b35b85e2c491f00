// The regular-file scan: every structural check of journal_file_verify (pass 1 over the objects,
// pass 2 over the main entry array and the data hash table) as an accept-only fast path. It answers
// "regular" only when each check journalctl makes passes (plus a few stricter conditions that keep
// the code simple: no unknown object types or flags, offsets below 4 GiB, well-formed chains, an
// entry's DATA objects before it); anything else is "irregular" and the exact TypeScript verifier
// (src/verify/structure.ts) runs instead and says what is wrong, where, in journalctl's words.
// So this code never has to produce a message; it only has to never call a bad file regular.
//
// What needs the verification key (the tags' time windows, "older entry after newer tag", the
// HMACs) is left to the caller: the scan records, per tag, what those checks read (see TAG_REC_*).
//
// The file streams through a window: pass 1 reads each object once, in file order, and does there
// what journalctl's pass 2 checks by following offsets, as far as the objects have come: a DATA
// object's hash chain and entry-array chain link forward (to objects written after it), so the
// scan knows which object it expects next on each chain when it gets there. What only the end can
// tell (every expected object came; each entry an array or DATA object lists is an ENTRY object;
// each entry's DATA objects in their own hash bucket and linked back to it) is kept in small
// tables and checked by pass 2. The caller reads the file into the window, and moves it on
// (winShift) once the bytes behind are no longer needed (by pass 1, the tag HMACs, the compressed
// payloads). So memory holds a window of the file plus the tables, not the file.
//
// Memory (grown once by fileAlloc and once by scanAlloc, never again, so JS views stay attached;
// pages of the window the caller never fills are never touched):
//   WIN     file bytes [WBASE, AVAIL) at WIN + (offset - WBASE); room for the whole file if need be
//           (the tables after it; or before it, in a reserve made ahead: arenaReserve)
//   HDR     a copy of the header's first HDR_SIZE bytes (the window moves on; the scan and the
//           first tag's HMAC read it)
//   DATAIDX per 512 file bytes, 16 bytes: a u64 with 1 bit per 8 bytes (a DATA object pass 1 walked
//           over starts here) and a u32 rank (DATA objects before this word), written as pass 1
//           goes, so membership and the DATA object's index in file order come from one cache line
//   ENTRYB  1 bit per 8 bytes: an ENTRY object pass 1 walked over starts here
//   ENTREF  1 bit per 8 bytes: an entry array or a DATA object names an entry here (⊆ ENTRYB at the end)
//   DREF    per DATA (file order): the newest ENTRY whose items name it, and the one before (u32 each)
//   CHAIN   per DATA: entries its entry-array chain still has to list, and the last one it listed
//           (its entry_offset before any; u32 each)
//   HASHED  u8 per DATA: pass 1 met it on its own bucket's hash chain
//   OWNER   open-addressing map: entry array offset -> the chain (DATA index, or MAIN) expecting it
//   DHT     the data hash table's buckets: the next DATA object expected on the chain, its tail (u32 each)
//   TAGS    TAG_REC_SLOTS u64 per tag, COMP u32 per compressed DATA object, OUT the counters
// The first bytes of the file are read in between fileAlloc and scanAlloc (the caller needs its
// header to size the tables).
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
  OUT_REASON = 14, OUT_REASON_OFFSET = 15, OUT_MAIN_LAST = 16, OUT_POSITION = 17,
  OUT_LAST_BOOT_ID = 18; // 2 slots: the last entry's boot ID (its bytes may have left the window)
const OUT_SLOTS: usize = 20;

// TAGS: u64 slots per tag
const TAG_REC_OFFSET = 0, TAG_REC_EPOCH = 1, TAG_REC_ENTRY_REALTIME = 2, TAG_REC_ENTRY_SET = 3,
  TAG_REC_MAX_REALTIME = 4, TAG_REC_MIN_REALTIME = 5, TAG_REC_COUNT = 6, TAG_REC_FIRST_SEQNUM = 7,
  TAG_REC_LAST_SEQNUM = 8, TAG_REC_FIRST_REALTIME = 9, TAG_REC_LAST_REALTIME = 10,
  TAG_REC_TAG = 11; // 4 slots: the tag's stored HMAC
export const TAG_REC_SLOTS: usize = 15;

/** Why the scan said irregular (for tests and debugging; the exact verifier gives the real reason). */
export const enum Reason {
  NONE = 0, OBJECT = 1, TAIL = 2, OBJECT_FIELDS = 3, FLAGS = 4, HASH = 5, ITEMS = 6, ENTRY = 7,
  HASH_TABLE = 8, MAIN_ARRAY = 9, TAG = 10, CAPACITY = 11, DATA_HASH_TABLE = 12, DATA_CHAIN = 13,
  MAIN_WALK = 14, ENTRY_DATA = 15, HASH_CHAIN = 16, WINDOW = 17,
}

/** Header bytes kept (every field the scan and the HMAC read lies below). */
const HDR_SIZE: usize = 272;
const NONE: u32 = 0xffffffff;

// ---- state ------------------------------------------------------------------------------------
let WIN: usize = 0;         // window base address
let WBASE: u64 = 0;         // file offset at WIN
let FB: usize = 0;          // WIN - WBASE (wrapping): file offset o is at FB + o while o is in the window
let FS: u64 = 0;            // file size
let AVAIL: u64 = 0;         // bytes [WBASE, AVAIL) of the file are in the window
let HDR: usize = 0;
let DATAIDX: usize = 0, ENTRYB: usize = 0, ENTREF: usize = 0;
let DREF: usize = 0, CHAIN: usize = 0, HASHED: usize = 0, OWNER: usize = 0, DHT: usize = 0;
let TAGS: usize = 0, COMP: usize = 0, OUT: usize = 0;
/** Where segmentGather copies a tag segment for the caller to hash with the platform's HMAC. */
let STAGE: usize = 0;
const STAGE_SIZE: usize = 1 << 20;
let dataCap: u64 = 0, tagCap: u64 = 0, bucketCap: u64 = 0;
/** OWNER's slots (a power of two) and entries. */
let ownerSlots: u32 = 0, owners: u32 = 0;

// file parameters (scanInit)
let headerSize: u64 = 0, tail: u64 = 0, incompat: u32 = 0;
let compact = false, keyed = false, sealed = false;
let payloadOff: u64 = 0, entryItemSize: u64 = 0, arrayItemSize: u64 = 0;

// pass-1 walk
let phase: i32 = 0;
let P: u64 = 0;
let nObjects: u64 = 0, nEntries: u64 = 0, nData: u64 = 0, nFields: u64 = 0, nEntryArrays: u64 = 0, nTags: u64 = 0;
let nDataHashTables: u64 = 0, nFieldHashTables: u64 = 0, nCompressed: u64 = 0;
/** Buckets of the data hash table (header), entries the main entry array chain has yet to list, its last. */
let nBuckets: u64 = 0, mainNeed: u64 = 0, mainTail: u32 = 0;
let foundMain = false, entrySet = false;
let lastSeqnum: u64 = 0, lastMonotonic: u64 = 0, lastBootOff: u64 = 0, lastRealtime: u64 = 0, lastEpoch: u64 = 0;
let lastBoot0: u64 = 0, lastBoot1: u64 = 0, lastEntry: u64 = 0;
let maxRealtime: u64 = 0, minRealtime: u64 = U64.MAX_VALUE;
let segCount: u64 = 0, segFirstSeqnum: u64 = 0, segFirstRealtime: u64 = 0, segLastSeqnum: u64 = 0, segLastRealtime: u64 = 0;
/** Rank words written so far (rankSet) in DATAIDX. */
let dataRanked: usize = 0;

const PHASE_PASS1: i32 = 0, PHASE_PASS2: i32 = 1, PHASE_DONE: i32 = 2;

// ---- memory -----------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function bitmapBytes(size: u64): usize { return <usize>((size >> 6) + 16); }

/**
 * The window, at the top of memory in pages grown for it alone (heap.alloc stops at 1 GiB), with
 * room for the whole file (+ 64 bytes of zero padding). Returns its address, or 0 when memory
 * cannot grow that far. From here on this instance allocates nothing through the runtime (whose
 * bump pointer knows nothing of these pages): only scanAlloc.
 */
export function fileAlloc(size: u64): usize {
  if (size > 0xc0000000 || WIN != 0) return 0;
  // in a reserve (arenaReserve), the window starts where its room does; else at the top of memory
  const top = RES_WIN != 0 ? RES_WIN : (<usize>memory.size()) << 16;
  if (<u64>top + size + 64 > 0xffff0000 || !grow(top + <usize>size + 64)) return 0;
  FS = size;
  AVAIL = size;
  WIN = top;
  WBASE = 0;
  FB = top;
  return WIN;
}

/**
 * A reserve, made before the file comes (the page, while it waits for one): `tableBytes` of room for
 * the scan tables, then `windowBytes` for the start of the window, every page written now (zeros).
 * A page of wasm memory is mapped on its first write, ~2.2 µs a page, ten times the write itself:
 * the window and tables of a 120 MiB journal (~36 MiB) cost ~9,000 such faults on the verifying
 * thread while the file is read, and none in a reserve. fileAlloc then puts the window at the
 * reserve's window room (the whole file's room still follows it), scanAlloc the tables in the table
 * room when they fit (else after the window's room, as without a reserve). Nothing else changes:
 * the instance is still the file's alone, its memory zeros until the file's bytes come.
 * Returns the reserve's start, or 0 (it exists, a file is allocated, or memory cannot grow).
 */
export function arenaReserve(tableBytes: u64, windowBytes: u64): usize {
  if (WIN != 0 || RES != 0 || tableBytes > 0x10000000 || windowBytes > 0x10000000) return 0;
  const top = (<usize>memory.size()) << 16;
  const win = top + ((<usize>tableBytes + 0xffff) & ~0xffff);
  const end = win + ((<usize>windowBytes + 0xffff) & ~0xffff);
  if (!grow(end)) return 0;
  memory.fill(top, 0, end - top);
  RES = top;
  RES_WIN = win;
  return top;
}
let RES: usize = 0, RES_WIN: usize = 0;

/**
 * Memory past the window for the scan tables: at most `maxData` DATA objects, `maxTags` tags and a
 * data hash table of `maxBuckets` buckets. A file beyond any of them is irregular (the exact path runs).
 */
export function scanAlloc(maxData: u64, maxTags: u64, maxBuckets: u64): bool {
  const bound = (FS >> 3) + 1;
  if (WIN == 0 || OUT != 0 || maxData > bound || maxTags > bound || maxBuckets > bound) return false;
  // sizes summed in u64: a total beyond wasm's 4 GiB must fail, not wrap
  const bm = <u64>bitmapBytes(FS);
  // the owner map: twice the chains that can wait at once (one per DATA object, and the main one)
  let slots: u64 = 64;
  while (slots < 2 * (maxData + 1)) slots <<= 1;
  // in the reserve's table room if they fit there, else after the room for the whole file
  let end = RES != 0 ? layoutTables(<u64>RES, bm, maxData, slots, maxBuckets, maxTags) : U64.MAX_VALUE;
  if (end > <u64>RES_WIN) end = layoutTables((<u64>WIN + FS + 64 + 15) & ~(<u64>15), bm, maxData, slots, maxBuckets, maxTags);
  if (end > 0xffff0000 || !grow(<usize>end)) { OUT = 0; return false; }
  dataCap = maxData;
  tagCap = maxTags;
  bucketCap = maxBuckets;
  ownerSlots = <u32>slots;
  return true;
}

/** Lays the tables out from `at` (16-byte aligned): where they end (scanAlloc checks it before any is used). */
function layoutTables(at: u64, bm: u64, maxData: u64, slots: u64, maxBuckets: u64, maxTags: u64): u64 {
  allocAt = at;
  HDR = take(<u64>HDR_SIZE);
  DATAIDX = take(bm * 2);
  ENTRYB = take(bm);
  ENTREF = take(bm);
  DREF = take(maxData * 8 + 8);
  CHAIN = take(maxData * 8 + 8);
  HASHED = take(maxData + 8);
  COMP = take(maxData * 4 + 8);
  OWNER = take(slots * 8);
  DHT = take(maxBuckets * 8 + 8);
  TAGS = take(maxTags * <u64>TAG_REC_SLOTS * 8 + 16);
  OUT = take(<u64>OUT_SLOTS * 8);
  STAGE = take(<u64>STAGE_SIZE);
  return allocAt;
}

let allocAt: u64 = 0;
/** The next `bytes` of the tables (16-byte aligned). */
function take(bytes: u64): usize {
  const here = allocAt;
  allocAt = (allocAt + bytes + 15) & ~(<u64>15);
  return <usize>here;
}

/** Grows memory so that [0, end) exists. */
function grow(end: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return true;
  return memory.grow(<i32>((end - have + 0xffff) >> 16)) >= 0;
}

/** An arena instance: the runtime must not allocate (fsprg.ts checks before its one allocation). */
export function isArena(): bool { return WIN != 0; }

export function scanOutPtr(): usize { return OUT; }
export function scanTagsPtr(): usize { return TAGS; }
export function scanCompressedPtr(): usize { return COMP; }
export function scanStagePtr(): usize { return STAGE; }
export function scanStageSize(): usize { return STAGE_SIZE; }
/** Tags and compressed DATA objects pass 1 has accepted so far (their records are final). */
export function scanTagCount(): u32 { return <u32>nTags; }
export function scanCompressedCount(): u32 { return <u32>nCompressed; }
/** The caller has put bytes [WBASE, n) of the file in the window; pass 1 waits (SCAN_WAIT) at the first object beyond. */
export function scanAvail(n: u64): void { AVAIL = n < FS ? n : FS; }
/** Where pass 1 is: the bytes from here on are still to be read by it (the file's size once it is done). */
export function scanPosition(): u64 { return phase == PHASE_PASS1 ? P : FS; }
/** The file offset at the window's start. */
export function winBase(): u64 { return WBASE; }

/**
 * Moves the window on: bytes [keep, loaded) go to its start, and file offset `keep` is there from
 * now on. The caller makes sure nothing before `keep` is needed any more (pass 1 is at or beyond it)
 * and that no read into the window is in progress.
 */
export function winShift(keep: u64, loaded: u64): bool {
  if (keep < WBASE || keep > loaded || loaded > AVAIL || keep > scanPosition()) return false;
  memory.copy(WIN, FB + <usize>keep, <usize>(loaded - keep));
  WBASE = keep;
  FB = WIN - <usize>keep;
  return true;
}

// ---- reads ------------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function u8at(off: u64): u8 { return load<u8>(FB + <usize>off); }
// @ts-ignore: decorator
@inline function u32at(off: u64): u32 { return load<u32>(FB + <usize>off); }
// @ts-ignore: decorator
@inline function u64at(off: u64): u64 { return load<u64>(FB + <usize>off); }
/** A header field (from the copy: the window moves on). */
// @ts-ignore: decorator
@inline function hdr64(off: usize): u64 { return load<u64>(HDR + off); }
// @ts-ignore: decorator
@inline function align8(x: u64): u64 { return (x + 7) & ~(<u64>7); }

// @ts-ignore: decorator
@inline function bitSet(bm: usize, off: u64): void {
  const s = <usize>(off >> 3);
  const a = bm + (s >> 3);
  store<u8>(a, load<u8>(a) | <u8>(1 << <u8>(s & 7)));
}

/**
 * Marks the object at `off` in a rank map (DATAIDX), `count` such objects before it; the
 * ranks of the words up to its own are written first (objects come in file order, so a word's rank
 * is final once pass 1 reaches it: an entry's items, DATA objects before it, find theirs). Returns
 * how many words are ranked now.
 */
function rankSet(idx: usize, off: u64, count: u64, ranked: usize): usize {
  const s = off >> 3;
  const w = <usize>(s >> 6);
  for (; ranked <= w; ranked++) store<u32>(idx + (ranked << 4), <u32>count, 8);
  const a = idx + (w << 4);
  store<u64>(a, load<u64>(a) | (<u64>1 << (s & 63)));
  return ranked;
}

// ---- the owner map: entry array offset -> the chain expecting it ----------------------------
// Linear probing over ownerSlots (a power of two) u32 key/value pairs; key 0 = empty (no array
// starts at 0); removal shifts the entries after it back, so no tombstones.
const MAIN: u32 = 0xfffffffe; // (NONE is 0xffffffff)

// @ts-ignore: decorator
@inline function ownerSlot(key: u32): u32 { return ((key >> 3) * 0x9e3779b1) & (ownerSlots - 1); }

/** The array at `key` is expected by `chain`; false when another chain expects it already. */
function ownerPut(key: u32, chain: u32): bool {
  if (owners + 1 >= ownerSlots >> 1) return false; // (more chains waiting than DATA objects: irregular)
  let i = ownerSlot(key);
  let k = load<u32>(OWNER + (<usize>i << 3));
  while (k != 0) {
    if (k == key) return false;
    i = (i + 1) & (ownerSlots - 1);
    k = load<u32>(OWNER + (<usize>i << 3));
  }
  store<u32>(OWNER + (<usize>i << 3), key);
  store<u32>(OWNER + (<usize>i << 3), chain, 4);
  owners++;
  return true;
}

/** The chain expecting the array at `key` (removed from the map), or NONE. */
function ownerTake(key: u32): u32 {
  let i = ownerSlot(key);
  let k = load<u32>(OWNER + (<usize>i << 3));
  while (k != key) {
    if (k == 0) return NONE;
    i = (i + 1) & (ownerSlots - 1);
    k = load<u32>(OWNER + (<usize>i << 3));
  }
  const chain = load<u32>(OWNER + (<usize>i << 3), 4);
  owners--;
  // backward-shift deletion: move later entries of the run into the hole when their home allows
  let hole = i;
  let j = (i + 1) & (ownerSlots - 1);
  let kj = load<u32>(OWNER + (<usize>j << 3));
  while (kj != 0) {
    // kj may fill the hole unless its home lies cyclically in (hole, j]
    if (((j - ownerSlot(kj)) & (ownerSlots - 1)) >= ((j - hole) & (ownerSlots - 1))) {
      store<u64>(OWNER + (<usize>hole << 3), load<u64>(OWNER + (<usize>j << 3)));
      hole = j;
    }
    j = (j + 1) & (ownerSlots - 1);
    kj = load<u32>(OWNER + (<usize>j << 3));
  }
  store<u64>(OWNER + (<usize>hole << 3), 0);
  return chain;
}

/** An offset/size field read as a number: irregular from 4 GiB up (no such file has a window here). */
// @ts-ignore: decorator
@inline function small(v: u64): bool { return v < 0x100000000; }

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
/**
 * Starts a scan of the file in the window (header already checked by JournalFile.open; its first
 * HDR_SIZE bytes, or the whole file if shorter, are in the window, which still starts at offset 0).
 */
export function scanInit(hdrSize: u64, tailObject: u64, compactFile: bool, keyedHash: bool, sealedFile: bool): void {
  const h = <usize>(FS < <u64>HDR_SIZE ? FS : <u64>HDR_SIZE);
  memory.fill(HDR, 0, HDR_SIZE);
  memory.copy(HDR, WIN, h);
  headerSize = hdrSize;
  tail = tailObject;
  incompat = load<u32>(HDR + L.HEADER_INCOMPATIBLE_FLAGS);
  compact = compactFile;
  keyed = keyedHash;
  sealed = sealedFile;
  payloadOff = compact ? L.DATA_PAYLOAD_COMPACT : L.DATA_PAYLOAD_REGULAR;
  entryItemSize = compact ? L.ENTRY_ITEM_SIZE_COMPACT : L.ENTRY_ITEM_SIZE_REGULAR;
  arrayItemSize = compact ? L.ENTRY_ARRAY_ITEM_SIZE_COMPACT : L.ENTRY_ARRAY_ITEM_SIZE_REGULAR;
  // Cleared even when fresh (zero already): the scan reads these marks before it sets them, and a
  // fresh page read first maps the kernel's shared zero page; the write after it then copies the page
  // and flushes the TLB of every core the process runs on (an interrupt per page while the seal
  // helper's thread runs on the other core). Written first, a page costs one plain fault: 20–40 ms
  // less on a 120 MiB journal (CLI, 2 cores).
  const bm = bitmapBytes(FS);
  memory.fill(DATAIDX, 0, bm * 2);
  memory.fill(ENTRYB, 0, bm);
  memory.fill(ENTREF, 0, bm);
  memory.fill(DREF, 0, <usize>dataCap * 8);
  memory.fill(HASHED, 0, <usize>dataCap);
  memory.fill(OWNER, 0, <usize>ownerSlots << 3);
  owners = 0;
  nBuckets = hdr64(L.HEADER_DATA_HASH_TABLE_SIZE) / L.HASH_TABLE_ITEM_SIZE;
  // the main entry array chain lists every entry (the header's count: the caller checks it is the file's)
  mainNeed = hdr64(L.HEADER_N_ENTRIES);
  mainTail = 0;
  phase = PHASE_PASS1;
  P = headerSize;
  nObjects = nEntries = nData = nFields = nEntryArrays = nTags = 0;
  nDataHashTables = nFieldHashTables = nCompressed = 0;
  foundMain = entrySet = false;
  lastSeqnum = lastMonotonic = lastBootOff = lastRealtime = lastEpoch = 0;
  lastBoot0 = lastBoot1 = lastEntry = 0;
  maxRealtime = 0;
  minRealtime = U64.MAX_VALUE;
  segCount = 0;
  dataRanked = 0;
  reason = 0;
  reasonOffset = 0;
  step2 = STEP2_START;
  const main = hdr64(L.HEADER_ENTRY_ARRAY_OFFSET);
  if (mainNeed > 0) {
    if (!small(mainNeed) || main == 0 || !small(main) || !ownerPut(<u32>main, MAIN)) irregular(Reason.MAIN_WALK, main);
  }
}

/**
 * Runs the scan for at most `budget` units of work (objects in pass 1). Returns SCAN_MORE,
 * SCAN_WAIT, SCAN_REGULAR or SCAN_IRREGULAR; the counters are in OUT after either of the last two.
 */
export function scanRun(budget: u32): i32 {
  if (phase == PHASE_PASS1) {
    if (tail == 0) {
      if (endPass1() == SCAN_IRREGULAR) return SCAN_IRREGULAR;
    } else {
      const r = pass1(budget);
      if (r != SCAN_MORE) return r;
      if (phase == PHASE_PASS1) return SCAN_MORE;
    }
  }
  if (phase == PHASE_PASS2) {
    // pass 2 reads only the tables: the rest of the file (the zeros after the tail object, usually)
    // may still be being read (the caller waits for all of it before it trusts the result)
    const r = pass2(<u64>budget);
    if (r != SCAN_REGULAR) return r;
    phase = PHASE_DONE;
    writeOut();
    return SCAN_REGULAR;
  }
  return SCAN_IRREGULAR;
}

/**
 * Pass 1 is over: every chain got the objects it expected — every entry array (the map is empty,
 * the main chain listed the header's n_entries, which is the file's), every hash chain node (each
 * bucket's expected next is 0).
 */
function endPass1(): i32 {
  phase = PHASE_PASS2;
  step2 = STEP2_CHECK;
  at2 = 0;
  if (owners != 0 || mainNeed != 0 || nEntries != hdr64(L.HEADER_N_ENTRIES)) return irregular(Reason.MAIN_WALK, 0);
  if (nBuckets == 0) return nEntries > 0 ? irregular(Reason.DATA_HASH_TABLE, 0) : SCAN_MORE;
  if (nDataHashTables != 1) return irregular(Reason.DATA_HASH_TABLE, 0);
  for (let b: usize = 0; <u64>b < nBuckets; b++) if (load<u32>(DHT + (b << 3)) != 0) return irregular(Reason.HASH_CHAIN, <u64>b);
  return SCAN_MORE;
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
  store<u64>(OUT + OUT_LAST_BOOT_ID * 8, lastBoot0);
  store<u64>(OUT + OUT_LAST_BOOT_ID * 8 + 8, lastBoot1);
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
    if (p < WBASE) return irregular(Reason.WINDOW, p); // the caller moved the window past pass 1
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
    let r: i32 = SCAN_MORE;
    switch (type) {
      case L.TYPE_DATA: r = dataObject(p, flags, size); break;
      case L.TYPE_FIELD: {
        if (objectHash(p + L.FIELD_PAYLOAD, size - L.FIELD_PAYLOAD) != u64at(p + L.FIELD_HASH)) return irregular(Reason.HASH, p);
        nFields++;
        break;
      }
      case L.TYPE_ENTRY: r = entryObject(p, size); break;
      case L.TYPE_DATA_HASH_TABLE:
      case L.TYPE_FIELD_HASH_TABLE: r = hashTableObject(p, type, size); break;
      case L.TYPE_ENTRY_ARRAY: r = entryArrayObject(p, size); break;
      case L.TYPE_TAG: r = tagObject(p); break;
    }
    if (r != SCAN_MORE) return r;
    if (p == tail) {
      P = p;
      return endPass1();
    }
    p += align8(size);
  }
  P = p;
  return SCAN_MORE;
}

/**
 * A DATA object: its payload hash (compressed ones: listed for the caller); on its own bucket's hash
 * chain if that chain expects it here (journal_file_link_data: a chain links DATA objects in the
 * order they were written); its entry-array chain started (the arrays come later, in chain order).
 */
function dataObject(p: u64, flags: u8, size: u64): i32 {
  if (flags == 0) {
    if (objectHash(p + payloadOff, size - payloadOff) != u64at(p + L.DATA_HASH)) return irregular(Reason.HASH, p);
  } else {
    // decompressed and hashed by the caller (scanCompressedPtr list)
    store<u32>(COMP + (<usize>nCompressed << 2), <u32>p);
    nCompressed++;
  }
  if (nData >= dataCap) return irregular(Reason.CAPACITY, p);
  const d = <usize>nData;
  const p32 = <u32>p;
  // the hash chain of its bucket (the buckets come first: the table is written when the file is made)
  if (nBuckets > 0) {
    if (nDataHashTables == 0) return irregular(Reason.DATA_HASH_TABLE, p);
    const bucket = DHT + <usize>((u64at(p + L.DATA_HASH) % nBuckets) << 3);
    if (load<u32>(bucket) == p32) {
      const next = u64at(p + L.DATA_NEXT_HASH_OFFSET);
      if (next != 0 && (next <= p || !small(next))) return irregular(Reason.HASH_CHAIN, p);
      if (next == 0 && load<u32>(bucket, 4) != p32) return irregular(Reason.HASH_CHAIN, p);
      store<u32>(bucket, <u32>next);
      store<u8>(HASHED + d, 1);
    }
  }
  // its entries: entry_offset, then n_entries - 1 more in the arrays from entry_array_offset on
  const n = u64at(p + L.DATA_N_ENTRIES);
  const first = u64at(p + L.DATA_ENTRY_OFFSET);
  const arr = u64at(p + L.DATA_ENTRY_ARRAY_OFFSET);
  const c = CHAIN + (d << 3);
  if (n == 0) {
    if (arr != 0) return irregular(Reason.DATA_CHAIN, p);
    store<u32>(c, 0);
    store<u32>(c, NONE, 4);
  } else {
    if (!small(n) || first >= FS || !small(arr)) return irregular(Reason.DATA_CHAIN, p);
    bitSet(ENTREF, first);
    store<u32>(c, <u32>(n - 1));
    store<u32>(c, <u32>first, 4);
    if (n == 1) {
      if (arr != 0) return irregular(Reason.DATA_CHAIN, p);
    } else if (arr <= p || !ownerPut(<u32>arr, <u32>d)) return irregular(Reason.DATA_CHAIN, p);
  }
  dataRanked = rankSet(DATAIDX, p, nData, dataRanked);
  nData++;
  return SCAN_MORE;
}

/**
 * An ENTRY object: pass 1's checks, and for pass 2a (verify_entry) its items: each a DATA object
 * before it (so already marked), noted in that DATA object's DREF (the newest entry naming it, and
 * the one before, since the file's last entry is exempt from one check). Pass 2 then asks per DATA
 * object what verify_entry asks per item.
 */
function entryObject(p: u64, size: u64): i32 {
  // 32-bit arithmetic: the file is below 4 GiB, so is every valid item (a larger one is irregular)
  const p32 = <u32>p;
  const step = <usize>entryItemSize;
  const end = FB + <usize>(p + size);
  for (let a = FB + <usize>(p + L.ENTRY_ITEMS); a < end; a += step) {
    const q = load<u32>(a);
    if (!compact && load<u32>(a, 4) != 0) return irregular(Reason.ENTRY_DATA, p);
    if (q == 0 || (q & 7) != 0) return irregular(Reason.ITEMS, p);
    if (q >= p32) return irregular(Reason.ENTRY_DATA, p);
    // isData(q) and its index, from q's DATAIDX word (ranked: q is before p)
    const w = DATAIDX + (<usize>(q >> 9) << 4);
    const bits = load<u64>(w);
    const bit = <u64>((q >> 3) & 63);
    if (((bits >> bit) & 1) == 0) return irregular(Reason.ENTRY_DATA, p);
    const d = load<u32>(w, 8) + <u32>popcnt<u64>(bits & ((<u64>1 << bit) - 1));
    const ref = DREF + (<usize>d << 3);
    const newest = load<u32>(ref);
    if (newest != p32) {
      store<u32>(ref, newest, 4);
      store<u32>(ref, p32);
    }
  }
  if (sealed && nTags == 0) return irregular(Reason.ENTRY, p);
  const seqnum = u64at(p + L.ENTRY_SEQNUM);
  const realtime = u64at(p + L.ENTRY_REALTIME);
  const monotonic = u64at(p + L.ENTRY_MONOTONIC);
  const boot0 = u64at(p + L.ENTRY_BOOT_ID), boot1 = u64at(p + L.ENTRY_BOOT_ID + 8);
  if (!entrySet) {
    if (seqnum != hdr64(L.HEADER_HEAD_ENTRY_SEQNUM)) return irregular(Reason.ENTRY, p);
    if (realtime != hdr64(L.HEADER_HEAD_ENTRY_REALTIME)) return irregular(Reason.ENTRY, p);
  } else {
    if (lastSeqnum >= seqnum) return irregular(Reason.ENTRY, p);
    if (boot0 == lastBoot0 && boot1 == lastBoot1 && lastMonotonic > monotonic) return irregular(Reason.ENTRY, p);
  }
  entrySet = true;
  lastSeqnum = seqnum;
  lastMonotonic = monotonic;
  lastBootOff = p + L.ENTRY_BOOT_ID;
  lastBoot0 = boot0;
  lastBoot1 = boot1;
  lastRealtime = realtime;
  lastEntry = p;
  if (realtime > maxRealtime) maxRealtime = realtime;
  if (realtime < minRealtime) minRealtime = realtime;
  if (segCount == 0) { segFirstSeqnum = seqnum; segFirstRealtime = realtime; }
  segCount++;
  segLastSeqnum = seqnum;
  segLastRealtime = realtime;
  bitSet(ENTRYB, p);
  nEntries++;
  return SCAN_MORE;
}

/** A hash table object: items well formed, the one the header names; the data table's buckets kept for pass 2. */
function hashTableObject(p: u64, type: u8, size: u64): i32 {
  const n = (size - L.HASH_TABLE_ITEMS) / L.HASH_TABLE_ITEM_SIZE;
  const isDataTable = type == L.TYPE_DATA_HASH_TABLE;
  if ((isDataTable ? nDataHashTables : nFieldHashTables) != 0) return irregular(Reason.HASH_TABLE, p);
  const off = hdr64(isDataTable ? L.HEADER_DATA_HASH_TABLE_OFFSET : L.HEADER_FIELD_HASH_TABLE_OFFSET);
  const sz = hdr64(isDataTable ? L.HEADER_DATA_HASH_TABLE_SIZE : L.HEADER_FIELD_HASH_TABLE_SIZE);
  if (off != p + L.HASH_TABLE_ITEMS || sz != size - L.HASH_TABLE_ITEMS) return irregular(Reason.HASH_TABLE, p);
  if (isDataTable && n > bucketCap) return irregular(Reason.CAPACITY, p);
  for (let i: u64 = 0; i < n; i++) {
    const at = p + L.HASH_TABLE_ITEMS + i * L.HASH_TABLE_ITEM_SIZE;
    const h = u64at(at), t = u64at(at + 8);
    if ((h & 7) != 0 || (t & 7) != 0 || (h == 0) != (t == 0)) return irregular(Reason.HASH_TABLE, p);
    if (isDataTable) {
      if (!small(h) || !small(t)) return irregular(Reason.DATA_HASH_TABLE, p);
      store<u32>(DHT + <usize>(i << 3), <u32>h);
      store<u32>(DHT + <usize>(i << 3), <u32>t, 4);
    }
  }
  if (isDataTable) nDataHashTables++;
  else nFieldHashTables++;
  return SCAN_MORE;
}

/** An ENTRY_ARRAY object: items aligned; kept for pass 2 up to the last non-zero one. */
function entryArrayObject(p: u64, size: u64): i32 {
  const n = (size - L.ENTRY_ARRAY_ITEMS) / arrayItemSize;
  const step = <usize>arrayItemSize;
  const base = FB + <usize>(p + L.ENTRY_ARRAY_ITEMS);
  // the items up to the last non-zero one (journald fills an array from the front: the zeros after
  // are unused slots, and aligned); those must all be aligned (and below 4 GiB, to keep as u32)
  let count = <usize>n;
  if (compact) while (count > 0 && load<u32>(base + ((count - 1) << 2)) == 0) count--;
  else while (count > 0 && load<u64>(base + ((count - 1) << 3)) == 0) count--;
  const used = count * step;
  let any = i64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= used; i += 16) any = v128.or(any, v128.load(base + i));
  let bits = i64x2.extract_lane(any, 0) | i64x2.extract_lane(any, 1);
  for (; i < used; i += step) bits |= compact ? <u64>load<u32>(base + i) : load<u64>(base + i);
  // compact: two items per u64 lane, fold them; regular: the high halves must be 0
  if (compact) bits |= bits >> 32;
  else if ((bits >> 32) != 0) return irregular(Reason.ITEMS, p);
  if ((bits & 7) != 0) return irregular(Reason.ITEMS, p);
  if (p == hdr64(L.HEADER_ENTRY_ARRAY_OFFSET)) {
    if (foundMain) return irregular(Reason.MAIN_ARRAY, p);
    foundMain = true;
  }
  const next = u64at(p + L.ENTRY_ARRAY_NEXT);
  if (!small(next)) return irregular(Reason.DATA_CHAIN, p);
  nEntryArrays++;
  // the chain expecting this array takes its next items: strictly increasing entries (ENTREF),
  // and if it needs more, its next array
  const chain = ownerTake(<u32>p);
  if (chain == NONE) return SCAN_MORE;
  const main = chain == MAIN;
  const c = CHAIN + (<usize>chain << 3);
  let need = main ? mainNeed : <u64>load<u32>(c);
  let last = main ? mainTail : load<u32>(c, 4);
  const m = <usize>(need < n ? need : n);
  if (m > count) return irregular(Reason.DATA_CHAIN, p); // a 0 item: not above the one before
  const fs = <u32>FS;
  for (let j: usize = 0; j < m; j++) {
    const q = load<u32>(base + j * step);
    if (q <= last || q >= fs) return irregular(Reason.DATA_CHAIN, p);
    last = q;
    bitSet(ENTREF, <u64>q);
  }
  need -= <u64>m;
  if (need > 0 && (next == 0 || !ownerPut(<u32>next, chain))) return irregular(Reason.DATA_CHAIN, p);
  if (main) {
    mainNeed = need;
    mainTail = last;
  } else {
    store<u32>(c, <u32>need);
    store<u32>(c, last, 4);
  }
  return SCAN_MORE;
}

/** A TAG object: in order; what the seal checks need recorded (the caller replays them with the key). */
function tagObject(p: u64): i32 {
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
  memory.copy(r + TAG_REC_TAG * 8, FB + <usize>(p + L.TAG_TAG), 32);
  minRealtime = U64.MAX_VALUE;
  segCount = 0;
  lastEpoch = epoch;
  nTags++;
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
  return keyed ? siphash24(HDR + L.HEADER_FILE_ID, FB + <usize>at, <usize>len) : jenkinsHash64(FB + <usize>at, <usize>len);
}

// ---- pass 2 -----------------------------------------------------------------------------------
let mainLast: u64 = 0;

// Pass 2 runs in steps of about `budget` DATA objects per call, like pass 1: besides keeping the
// caller responsive, a wasm engine runs each call in the code tier it started in.
const STEP2_START: i32 = 0, STEP2_CHECK: i32 = 1;
let step2: i32 = STEP2_START;
/** Where the current step resumes (data index). */
let at2: u64 = 0;

/**
 * What only the whole file tells, per DATA object (pass 1 followed every chain as far as it went):
 *  - verify_data_hash_table (pass 2b) per chain node, verify_data(): its entries (each an ENTRY
 *    object, strictly increasing: ENTREF ⊆ ENTRYB below) all in the main entry array, i.e. none
 *    beyond the main chain's last;
 *  - verify_entry (pass 2a) for every entry whose items name it: it is in its own hash bucket's
 *    chain, and — but for the file's last entry — its chain reaches that entry or beyond.
 * Then every offset an entry array or DATA object names as an entry is an ENTRY object.
 */
function pass2(budget: u64): i32 {
  if (at2 == 0) mainLast = <u64>mainTail;
  const n = nEntries;
  const end = at2 + budget < nData ? at2 + budget : nData;
  for (let d = <usize>at2; d < <usize>end; d++) {
    const hashed = load<u8>(HASHED + d) != 0;
    const c = CHAIN + (d << 3);
    const mx = load<u32>(c, 4); // the chain's last entry (its only one, or NONE for none)
    if (hashed && mx != NONE && !(n > 0 && <u64>mx <= mainLast)) return irregular(Reason.HASH_CHAIN, <u64>d);
    const newest = <u64>load<u32>(DREF + (d << 3));
    if (newest != 0) {
      if (!hashed) return irregular(Reason.ENTRY_DATA, <u64>d);
      const needed = newest == lastEntry ? <u64>load<u32>(DREF + (d << 3), 4) : newest;
      if (needed != 0 && (mx == NONE || <u64>mx < needed)) return irregular(Reason.ENTRY_DATA, <u64>d);
    }
  }
  at2 = end;
  if (end < nData) return SCAN_MORE;
  // every entry named is an ENTRY object
  const words = bitmapBytes(FS) >> 3;
  for (let w: usize = 0; w < words; w++) {
    if ((load<u64>(ENTREF + (w << 3)) & ~load<u64>(ENTRYB + (w << 3))) != 0) return irregular(Reason.ENTRY_DATA, <u64>w);
  }
  return SCAN_REGULAR;
}

// ---- HMAC gathering ---------------------------------------------------------------------------
// A tag's HMAC covers, for each object from the segment's start up to the tag itself, the bytes
// journal-authenticate.c's journal_file_hmac_put_object() feeds (the object header and the fields
// that never change after writing), and for the file's first tag also parts of the header. The
// walk below yields those bytes in order straight from the window (the caller keeps the segment in
// it until hashed), so no range list is built.
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
    let s: usize, len: u64;
    if (q == 0) {
      if (k >= 4) { q = <u64>load<u32>(st, 20); k = 0; off = 0; continue; }
      s = HDR + <usize>HEADER_PIECES[k * 2];
      len = <u64>HEADER_PIECES[k * 2 + 1] - <u64>HEADER_PIECES[k * 2];
    } else {
      if (q > tag) { store<u32>(st, 1, 16); break; }
      if (!piece(q, k)) {
        q += align8(u64at(q + L.OBJECT_SIZE));
        k = 0; off = 0;
        continue;
      }
      s = FB + <usize>pieceStart;
      len = pieceLen;
    }
    const take = min<u64>(len - off, <u64>(cap - n));
    memory.copy(dst + <usize>n, s + <usize>off, <usize>take);
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
