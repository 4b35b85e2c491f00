// A zstd frame decoder (RFC 8878) for the payloads journald compresses, and the DATA payload check
// built on it (decode, hash as the file hashes, compare with the object's hash).
//
// Why our own: libzstd compiled to WebAssembly (zstddec) costs ~14 µs per journald frame (a DCtx
// allocated and freed per call, copies in and out of its memory, one JS call per payload), and
// V8 spends ~80 ms compiling its 25 KB main function; on a 120 MiB ZSTD journal that was ~0.3 s
// of CPU. This decoder reads the payloads where they lie (the scan's window, or a helper's batch),
// hashes the output where it lands, and is a small part of a module already compiled.
//
// Its one promise: when it says a payload is confirmed, libzstd accepts the same frame, produces
// the same bytes, and they hash to the object's hash. It covers the frames journald writes (one
// frame, single segment, content size known, no dictionary, no checksum, blocks raw, RLE or
// compressed with new tables) and is stricter than libzstd everywhere: anything else, and anything
// it finds wrong, is "not confirmed", and the caller decodes that payload with libzstd
// (src/journal/compress.ts), which decides and says why. The header readers (FSE_readNCount's
// counts, the Huffman weights' two-state FSE stream) follow libzstd's reading exactly, edge cases
// included, because their results decide what the rest of the frame means. test/zstd-kernel.test.ts
// checks the promise on every journald frame of the fixtures and on mutated ones.
import { siphash24 } from "./siphash";
import { jenkinsHash64 } from "./lookup3";

/** Largest content size decoded here (larger: libzstd). journald's payloads are far smaller. */
const OUT_MAX: u32 = 256 << 10;
const BLOCK_MAX: u32 = 128 << 10;
/**
 * Largest literals section decoded here: beyond 64 KiB libzstd may keep literals inside the output
 * buffer and fails frames whose output would catch up with them; that case is left to it.
 */
const LIT_MAX: u32 = 64 << 10;
/** Room past every buffer for 16-byte copies that overshoot and 8-byte reads past a stream's end. */
const SLACK: usize = 64;

const OUT = heap.alloc(<usize>OUT_MAX + SLACK);
const LIT = heap.alloc(<usize>LIT_MAX + SLACK);
/** Huffman table: 1 << tableLog u16 entries (symbol << 8 | code length), tableLog ≤ 11. */
const HUF = heap.alloc(2 << 11);
/** Sequence tables (8 bytes a cell: u32 base, u8 extra bits, u8 state bits, u16 next state). */
const LL_T = heap.alloc(8 << 9);
const OF_T = heap.alloc(8 << 8);
const ML_T = heap.alloc(8 << 9);
const LL_DEF = heap.alloc(8 << 6);
const OF_DEF = heap.alloc(8 << 5);
const ML_DEF = heap.alloc(8 << 6);
/** The Huffman weights' FSE table (4 bytes a cell: u8 symbol, u8 state bits, u16 next state), tableLog ≤ 6. */
const WT_T = heap.alloc(4 << 6);
/** FSE_readNCount's counts (i16 × 256), a header shorter than 8 bytes padded to 8, the spread's cells and next states. */
const NORM = heap.alloc(2 * 256);
const PAD8 = heap.alloc(16);
const CELLS = heap.alloc(512);
/** The symbols in order before they are spread (buildFse), 8 bytes of room for its 8-byte stores. */
const SPREAD = heap.alloc(512 + 8);
/** Each sequence code's cell without its state fields, by kind and symbol (buildFse): the same for every table. */
const LL_SYM = heap.alloc(8 * 64);
const ML_SYM = heap.alloc(8 * 64);
const OF_SYM = heap.alloc(8 * 64);
const NEXT = heap.alloc(2 * 256);
/** Huffman weights (u8 × 256) and rank starts. */
const WEIGHTS = heap.alloc(256 + 16);
const RANK = heap.alloc(4 * 16);
/** A helper's batch of payloads, copied here by the wrapper (its own payloads are in the window). */
export const ZIN_SIZE: usize = 256 << 10;
const ZIN = heap.alloc(ZIN_SIZE + SLACK);
const ZKEY = heap.alloc(16);
/** A batch's per-payload records: u32 end in ZIN, u8 object flags, u64 object hash. */
export const ZMAX: u32 = 4096;
const ZENDS = heap.alloc(<usize>ZMAX << 2);
const ZFLAGS = heap.alloc(<usize>ZMAX);
const ZHASHES = heap.alloc(<usize>ZMAX << 3);

export function zstdInPtr(): usize { return ZIN; }
export function zstdMax(): u32 { return ZMAX; }
export function zstdEndsPtr(): usize { return ZENDS; }
export function zstdFlagsPtr(): usize { return ZFLAGS; }
export function zstdHashesPtr(): usize { return ZHASHES; }
export function zstdInSize(): usize { return ZIN_SIZE; }
export function zstdKeyPtr(): usize { return ZKEY; }
export function zstdOutPtr(): usize { return OUT; }

// ---- code tables (RFC 8878 §3.1.1.3.2.1.1, §3.1.1.3.2.2) ------------------------------------------
const LL_BASE: StaticArray<u32> = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
  8192, 16384, 32768, 65536,
];
const LL_BITS: StaticArray<u8> = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
  13, 14, 15, 16,
];
const ML_BASE: StaticArray<u32> = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
  19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
  4099, 8195, 16387, 32771, 65539,
];
const ML_BITS: StaticArray<u8> = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
  12, 13, 14, 15, 16,
];
/** The predefined distributions (accuracy logs 6, 6 and 5). */
const LL_DEFAULT: StaticArray<i16> = [
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
  -1, -1, -1, -1,
];
const ML_DEFAULT: StaticArray<i16> = [
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1,
  -1, -1, -1, -1, -1,
];
const OF_DEFAULT: StaticArray<i16> = [
  1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
];
const MAX_LL: u32 = 35, MAX_ML: u32 = 52, MAX_OF: u32 = 31;
const KIND_LL: i32 = 0, KIND_ML: i32 = 1, KIND_OF: i32 = 2, KIND_WEIGHTS: i32 = 3;

let defaultsBuilt = false;
function buildDefaults(): void {
  for (let c: u32 = 0; c <= MAX_LL; c++) seqCell(LL_SYM + (<usize>c << 3), c, KIND_LL, 0, 0);
  for (let c: u32 = 0; c <= MAX_ML; c++) seqCell(ML_SYM + (<usize>c << 3), c, KIND_ML, 0, 0);
  for (let c: u32 = 0; c <= MAX_OF; c++) seqCell(OF_SYM + (<usize>c << 3), c, KIND_OF, 0, 0);
  for (let s = 0; s < LL_DEFAULT.length; s++) store<i16>(NORM + (<usize>s << 1), unchecked(LL_DEFAULT[s]));
  buildFse(LL_DEF, <u32>LL_DEFAULT.length - 1, 6, KIND_LL);
  for (let s = 0; s < ML_DEFAULT.length; s++) store<i16>(NORM + (<usize>s << 1), unchecked(ML_DEFAULT[s]));
  buildFse(ML_DEF, <u32>ML_DEFAULT.length - 1, 6, KIND_ML);
  for (let s = 0; s < OF_DEFAULT.length; s++) store<i16>(NORM + (<usize>s << 1), unchecked(OF_DEFAULT[s]));
  buildFse(OF_DEF, <u32>OF_DEFAULT.length - 1, 5, KIND_OF);
  defaultsBuilt = true;
}

// @ts-ignore: decorator
@inline function highbit(v: u32): u32 { return 31 - clz<u32>(v); }

// ---- FSE tables ----------------------------------------------------------------------------------
/**
 * An FSE decoding table from the counts in NORM (symbols 0..maxSym, -1 = "less than one"), laid out
 * for `kind`: sequence cells carry their code's base value and extra bits, weight cells the symbol.
 * False when the spread does not come back to its start (the counts do not fill the table).
 */
function buildFse(dst: usize, maxSym: u32, tableLog: u32, kind: i32): bool {
  const size: u32 = 1 << tableLog;
  const mask = size - 1;
  let high = size - 1;
  for (let s: u32 = 0; s <= maxSym; s++) {
    const n = load<i16>(NORM + (<usize>s << 1));
    if (n == -1) {
      store<u8>(CELLS + <usize>high, <u8>s);
      high--;
      store<u16>(NEXT + (<usize>s << 1), 1);
    } else {
      store<u16>(NEXT + (<usize>s << 1), <u16>n);
    }
  }
  const step = (size >> 1) + (size >> 3) + 3;
  let pos: u32 = 0;
  if (high == mask) {
    // No "less than one" counts (zstd writes them only from 2,048 sequences up; journald's frames
    // have ~200): the symbols laid out in order, 8 cells a store, then spread by the step, without
    // an inner loop whose length changes with every symbol (libzstd's FSE_buildDTable does the same)
    let at: u32 = 0;
    for (let s: u32 = 0; s <= maxSym; s++) {
      const n = <u32>load<i16>(NORM + (<usize>s << 1));
      if (at + n > size) return false;
      const v = <u64>s * 0x0101010101010101;
      for (let i: u32 = 0; i < n; i += 8) store<u64>(SPREAD + <usize>(at + i), v);
      at += n;
    }
    if (at != size) return false;
    for (let u: u32 = 0; u < size; u++) {
      store<u8>(CELLS + <usize>pos, load<u8>(SPREAD + <usize>u));
      pos = (pos + step) & mask;
    }
  } else {
    for (let s: u32 = 0; s <= maxSym; s++) {
      const n = <i32>load<i16>(NORM + (<usize>s << 1));
      for (let i = 0; i < n; i++) {
        store<u8>(CELLS + <usize>pos, <u8>s);
        pos = (pos + step) & mask;
        while (pos > high) pos = (pos + step) & mask;
      }
    }
  }
  if (pos != 0) return false;
  // sequence cells: the symbol's base value and extra bits (the same in every table: built once,
  // by buildDefaults), then one 8-byte store a cell
  const symt = kind == KIND_LL ? LL_SYM : kind == KIND_ML ? ML_SYM : OF_SYM;
  for (let u: u32 = 0; u < size; u++) {
    const s = <u32>load<u8>(CELLS + <usize>u);
    const a = NEXT + (<usize>s << 1);
    const ns = <u32>load<u16>(a);
    store<u16>(a, <u16>(ns + 1));
    const nb = tableLog - highbit(ns);
    const next = (ns << nb) - size;
    if (kind == KIND_WEIGHTS) store<u32>(dst + (<usize>u << 2), s | (nb << 8) | (next << 16));
    else store<u64>(dst + (<usize>u << 3), load<u64>(symt + (<usize>s << 3)) | (<u64>nb << 40) | (<u64>next << 48));
  }
  return true;
}

/** A sequence table's cell: code s's base value and extra bits, the state's bits and next state. */
// @ts-ignore: decorator
@inline function seqCell(c: usize, s: u32, kind: i32, nb: u32, next: u32): void {
  let base: u32, bits: u8;
  if (kind == KIND_LL) { base = unchecked(LL_BASE[s]); bits = unchecked(LL_BITS[s]); }
  else if (kind == KIND_ML) { base = unchecked(ML_BASE[s]); bits = unchecked(ML_BITS[s]); }
  else { base = <u32>1 << s; bits = <u8>s; } // offsets: code s means 1 << s plus s extra bits
  store<u32>(c, base);
  store<u8>(c, bits, 4);
  store<u8>(c, <u8>nb, 5);
  store<u16>(c, <u16>next, 6);
}

// ---- FSE_readNCount ------------------------------------------------------------------------------
let ncTableLog: u32 = 0;
let ncMaxSym: u32 = 0;

/**
 * The normalized counts at src (len bytes available) into NORM, for symbols up to maxSym; sets
 * ncTableLog and ncMaxSym. Returns the header's length, or -1 where libzstd reports an error.
 * Read as libzstd reads it: 32-bit windows, clamped to the last 4 bytes near the end, a header
 * shorter than 8 bytes read from a zero-padded copy.
 */
function readNCount(src: usize, len: i32, maxSym: u32): i32 {
  if (len < 8) {
    store<u64>(PAD8, 0);
    memory.copy(PAD8, src, <usize>len);
    const n = readNCountBody(PAD8, 8, maxSym);
    return n < 0 || n > len ? -1 : n;
  }
  return readNCountBody(src, len, maxSym);
}

let ncIp: i32 = 0;
let ncBitCount: i32 = 0;

/**
 * readNCountBody's step to its next 32-bit window, as libzstd steps: byte by byte while 7 bytes are
 * left, then clamped to the last 4 (the bit count kept modulo 32 as libzstd keeps it).
 */
function ncAdvance(src: usize, iend: i32): u32 {
  if (ncIp <= iend - 7 || ncIp + (ncBitCount >> 3) <= iend - 4) {
    ncIp += ncBitCount >> 3;
    ncBitCount &= 7;
  } else {
    ncBitCount -= 8 * (iend - 4 - ncIp);
    ncBitCount &= 31;
    ncIp = iend - 4;
  }
  return load<u32>(src + <usize>ncIp) >>> <u32>ncBitCount;
}

function readNCountBody(src: usize, iend: i32, maxSym: u32): i32 {
  const maxSV1 = <i32>maxSym + 1;
  memory.fill(NORM, 0, <usize>maxSV1 << 1);
  ncIp = 0;
  let bitStream = load<u32>(src);
  let nbBits = <i32>(bitStream & 15) + 5;
  if (nbBits > 15) return -1;
  bitStream >>>= 4;
  ncBitCount = 4;
  ncTableLog = <u32>nbBits;
  let remaining: i32 = (1 << nbBits) + 1;
  let threshold: i32 = 1 << nbBits;
  nbBits++;
  let charnum: i32 = 0;
  let previous0 = false;
  for (;;) {
    if (previous0) {
      let repeats = <i32>ctz<u32>(~bitStream | 0x80000000) >> 1;
      while (repeats >= 12) {
        charnum += 3 * 12;
        if (ncIp <= iend - 7) {
          ncIp += 3;
        } else {
          ncBitCount -= 8 * (iend - 7 - ncIp);
          ncBitCount &= 31;
          ncIp = iend - 4;
        }
        bitStream = load<u32>(src + <usize>ncIp) >>> <u32>ncBitCount;
        repeats = <i32>ctz<u32>(~bitStream | 0x80000000) >> 1;
      }
      charnum += 3 * repeats;
      bitStream >>>= <u32>(2 * repeats);
      ncBitCount += 2 * repeats;
      charnum += <i32>(bitStream & 3);
      ncBitCount += 2;
      if (charnum >= maxSV1) break;
      bitStream = ncAdvance(src, iend);
    }
    const max = (2 * threshold - 1) - remaining;
    let count: i32;
    if ((bitStream & <u32>(threshold - 1)) < <u32>max) {
      count = <i32>(bitStream & <u32>(threshold - 1));
      ncBitCount += nbBits - 1;
    } else {
      count = <i32>(bitStream & <u32>(2 * threshold - 1));
      if (count >= threshold) count -= max;
      ncBitCount += nbBits;
    }
    count--;
    if (count >= 0) remaining -= count;
    else remaining += count;
    store<i16>(NORM + (<usize>charnum << 1), <i16>count);
    charnum++;
    previous0 = count == 0;
    if (remaining < threshold) {
      if (remaining <= 1) break;
      nbBits = <i32>highbit(<u32>remaining) + 1;
      threshold = 1 << (nbBits - 1);
    }
    if (charnum >= maxSV1) break;
    bitStream = ncAdvance(src, iend);
  }
  if (remaining != 1) return -1;
  if (charnum > maxSV1) return -1;
  if (ncBitCount > 32) return -1;
  ncMaxSym = <u32>(charnum - 1);
  ncIp += (ncBitCount + 7) >> 3;
  return ncIp;
}

// ---- backward bit streams ------------------------------------------------------------------------
// A stream's bits are numbered from its first byte's lowest bit; reading starts just below the
// end marker (the highest set bit of the last byte) and goes down. `pos` is how many bits are left:
// reading n takes bits [pos - n, pos). Bits below 0 read as zeros (only ever peeked: a stream that
// would consume them is overrun, and every overrun is caught where libzstd catches it).

/** Bits [pos - n, pos) of the stream at s (n ≤ 32), zeros below bit 0. */
// @ts-ignore: decorator
@inline function bits(s: usize, pos: i32, n: u32): u32 {
  const lo = pos - <i32>n;
  if (lo >= 0) return <u32>(load<u64>(s + (<usize>lo >> 3)) >> <u64>(lo & 7)) & ((<u32>1 << n) - 1);
  if (pos <= 0) return 0;
  return <u32>(load<u64>(s) << <u64>(-lo)) & ((<u32>1 << n) - 1);
}

/** Bits left below the end marker of the stream [s, s + len); -1: empty, or no marker (libzstd: error). */
function streamStart(s: usize, len: u32): i32 {
  if (len == 0) return -1;
  const last = <u32>load<u8>(s + <usize>len - 1);
  if (last == 0) return -1;
  return <i32>((len - 1) << 3) + <i32>highbit(last);
}

// ---- Huffman -------------------------------------------------------------------------------------
let hufLog: u32 = 0;

/**
 * The Huffman tree description at src (HUF_readStats) into HUF; returns its length, or -1.
 * `avail` is what the literals section has (libzstd bounds the description by it).
 */
function readHuffman(src: usize, avail: u32): i32 {
  if (avail == 0) return -1;
  const iSize = <u32>load<u8>(src);
  let oSize: u32;
  let used: u32;
  if (iSize >= 128) {
    oSize = iSize - 127;
    const bytes = (oSize + 1) >> 1;
    if (bytes + 1 > avail) return -1;
    if (oSize >= 256) return -1;
    for (let n: u32 = 0; n < oSize; n += 2) {
      const b = <u32>load<u8>(src + 1 + <usize>(n >> 1));
      store<u8>(WEIGHTS + <usize>n, <u8>(b >> 4));
      store<u8>(WEIGHTS + <usize>n + 1, <u8>(b & 15));
    }
    used = bytes + 1;
  } else {
    if (iSize + 1 > avail) return -1;
    const w = readWeightsFse(src + 1, iSize);
    if (w < 0) return -1;
    oSize = <u32>w;
    used = iSize + 1;
  }
  // HUF_readStats' checks
  let total: u32 = 0;
  let rank1: u32 = 0;
  for (let n: u32 = 0; n < oSize; n++) {
    const w = <u32>load<u8>(WEIGHTS + <usize>n);
    if (w > 12) return -1;
    if (w == 1) rank1++;
    total += (<u32>1 << w) >> 1;
  }
  if (total == 0) return -1;
  const tableLog = highbit(total) + 1;
  if (tableLog > 11) return -1; // libzstd allows 12; no encoder writes it, and our table stops at 11
  const rest = (<u32>1 << tableLog) - total;
  const lastW = highbit(rest) + 1;
  if ((<u32>1 << highbit(rest)) != rest) return -1;
  store<u8>(WEIGHTS + <usize>oSize, <u8>lastW);
  if (lastW == 1) rank1++;
  if (rank1 < 2 || (rank1 & 1) != 0) return -1;
  const nSym = oSize + 1;
  // the table: weight 1 symbols first (longest codes, lowest prefixes), each in symbol order
  memory.fill(RANK, 0, 4 * 16);
  for (let n: u32 = 0; n < nSym; n++) {
    const r = RANK + (<usize>load<u8>(WEIGHTS + <usize>n) << 2);
    store<u32>(r, load<u32>(r) + 1);
  }
  let start: u32 = 0;
  for (let w: u32 = 1; w <= tableLog; w++) {
    const r = RANK + (<usize>w << 2);
    const c = load<u32>(r);
    store<u32>(r, start);
    start += c << (w - 1);
  }
  for (let n: u32 = 0; n < nSym; n++) {
    const w = <u32>load<u8>(WEIGHTS + <usize>n);
    if (w == 0) continue;
    const r = RANK + (<usize>w << 2);
    const at = load<u32>(r);
    const len = <u32>1 << (w - 1);
    const e = (n << 8) | (tableLog + 1 - w);
    const p = HUF + (<usize>at << 1);
    if (len >= 4) {
      const e4 = <u64>e * 0x0001000100010001;
      for (let u: u32 = 0; u < len; u += 4) store<u64>(p + (<usize>u << 1), e4);
    } else {
      for (let u: u32 = 0; u < len; u++) store<u16>(p + (<usize>u << 1), <u16>e);
    }
    store<u32>(r, at + len);
  }
  hufLog = tableLog;
  return <i32>used;
}

/** The FSE-compressed Huffman weights (FSE_decompress_wksp, two interleaved states) into WEIGHTS; their count, or -1. */
function readWeightsFse(src: usize, len: u32): i32 {
  const h = readNCount(src, <i32>len, 255);
  if (h < 0) return -1;
  if (ncTableLog > 6) return -1;
  if (!buildFse(WT_T, ncMaxSym, ncTableLog, KIND_WEIGHTS)) return -1;
  const s = src + <usize>h;
  let pos = streamStart(s, len - <u32>h);
  if (pos < 0) return -1;
  const log = ncTableLog;
  // initial states: an overrun here would leave libzstd decoding from undefined bits
  if (pos < <i32>(2 * log)) return -1;
  let s1 = bits(s, pos, log); pos -= <i32>log;
  let s2 = bits(s, pos, log); pos -= <i32>log;
  let n: u32 = 0;
  // libzstd's tail loop: a symbol, then that state's update; an update that overruns the stream
  // ends it with the other state's symbol. At most 255 weights (it fails past 253 + that last one).
  for (;;) {
    if (n > 253) return -1;
    let c = WT_T + (<usize>s1 << 2);
    store<u8>(WEIGHTS + <usize>n, load<u8>(c)); n++;
    let nb = <u32>load<u8>(c, 1);
    s1 = <u32>load<u16>(c, 2) + bits(s, pos, nb); pos -= <i32>nb;
    if (pos < 0) { store<u8>(WEIGHTS + <usize>n, load<u8>(WT_T + (<usize>s2 << 2))); n++; break; }
    if (n > 253) return -1;
    c = WT_T + (<usize>s2 << 2);
    store<u8>(WEIGHTS + <usize>n, load<u8>(c)); n++;
    nb = <u32>load<u8>(c, 1);
    s2 = <u32>load<u16>(c, 2) + bits(s, pos, nb); pos -= <i32>nb;
    if (pos < 0) { store<u8>(WEIGHTS + <usize>n, load<u8>(WT_T + (<usize>s1 << 2))); n++; break; }
  }
  // (libzstd's 4-symbols-at-a-time loop writes up to the 255th weight unchecked before this test
  // fails; a count that large is left to it)
  if (n >= 250) return -1;
  return <i32>n;
}

/** The next code's table entry (symbol << 8 | length) at bit position pos ≥ hufLog of the stream at s. */
// @ts-ignore: decorator
@inline function hufEntry(s: usize, pos: i32, log: u32, mask: u32): u32 {
  const lo = pos - <i32>log;
  return <u32>load<u16>(HUF + (<usize>(<u32>(load<u64>(s + (<usize>lo >> 3)) >> <u64>(lo & 7)) & mask) << 1));
}

/**
 * Literals [o, end) from the Huffman stream at s, `pos` bits left in it: the bits left after them,
 * or -1 when the stream runs out first (libzstd fails it).
 */
function hufFinish(s: usize, pos: i32, o: usize, end: usize): i32 {
  const log = hufLog;
  const mask = (<u32>1 << log) - 1;
  // fast: the peek stays above bit 0
  while (o < end && pos >= <i32>log) {
    const e = hufEntry(s, pos, log, mask);
    store<u8>(o++, <u8>(e >> 8));
    pos -= <i32>(e & 0xff);
  }
  while (o < end) {
    if (pos < 0) return -1;
    const e = <u32>load<u16>(HUF + (<usize>bits(s, pos, log) << 1));
    store<u8>(o++, <u8>(e >> 8));
    pos -= <i32>(e & 0xff);
  }
  return pos;
}

/** `count` literals from the Huffman stream [s, s + len) to dst; false unless it is used up exactly. */
function huffStream(s: usize, len: u32, dst: usize, count: u32): bool {
  const pos = streamStart(s, len);
  if (pos < 0) return false;
  return hufFinish(s, pos, dst, dst + <usize>count) == 0;
}

/**
 * Four Huffman streams (jump table of three u16 sizes first) into `count` literals at dst, decoded
 * side by side (four independent chains of loads keep the CPU busy), each then finished alone.
 */
function huff4(src: usize, len: u32, dst: usize, count: u32): bool {
  if (len < 10 || count < 6) return false;
  const l1 = <u32>load<u16>(src), l2 = <u32>load<u16>(src, 2), l3 = <u32>load<u16>(src, 4);
  if (l1 + l2 + l3 + 6 > len) return false;
  const l4 = len - 6 - l1 - l2 - l3;
  const seg = (count + 3) >> 2;
  const n4 = count - 3 * seg;
  const s1 = src + 6, s2 = s1 + <usize>l1, s3 = s2 + <usize>l2, s4 = s3 + <usize>l3;
  let p1 = streamStart(s1, l1), p2 = streamStart(s2, l2), p3 = streamStart(s3, l3), p4 = streamStart(s4, l4);
  if (p1 < 0 || p2 < 0 || p3 < 0 || p4 < 0) return false;
  const o1 = dst, o2 = dst + <usize>seg, o3 = o2 + <usize>seg, o4 = o3 + <usize>seg;
  const log = hufLog;
  const mask = (<u32>1 << log) - 1;
  const L = <i32>log;
  let k: usize = 0;
  // Four symbols per stream from one 64-bit load each: a window holds the 57–64 bits below pos,
  // top-aligned, and each symbol is its top `log` bits, then the window shifts by the code's length
  // (4 codes ≤ 44 bits, so every peek stays within bits loaded and above bit 0). Per symbol, the
  // chain from one code to the next is a shift and a table load, not a load of the stream as well.
  while (k + 4 <= <usize>n4 && p1 >= 57 && p2 >= 57 && p3 >= 57 && p4 >= 57) {
    const top = 64 - log;
    const a1 = (p1 - 57) >> 3, a2 = (p2 - 57) >> 3, a3 = (p3 - 57) >> 3, a4 = (p4 - 57) >> 3;
    let w1 = load<u64>(s1 + <usize>a1) << <u64>(64 - (p1 - (a1 << 3)));
    let w2 = load<u64>(s2 + <usize>a2) << <u64>(64 - (p2 - (a2 << 3)));
    let w3 = load<u64>(s3 + <usize>a3) << <u64>(64 - (p3 - (a3 << 3)));
    let w4 = load<u64>(s4 + <usize>a4) << <u64>(64 - (p4 - (a4 << 3)));
    for (let j = 0; j < 4; j++) {
      const e1 = <u32>load<u16>(HUF + (<usize>(w1 >> <u64>top) << 1));
      const e2 = <u32>load<u16>(HUF + (<usize>(w2 >> <u64>top) << 1));
      const e3 = <u32>load<u16>(HUF + (<usize>(w3 >> <u64>top) << 1));
      const e4 = <u32>load<u16>(HUF + (<usize>(w4 >> <u64>top) << 1));
      store<u8>(o1 + k, <u8>(e1 >> 8));
      store<u8>(o2 + k, <u8>(e2 >> 8));
      store<u8>(o3 + k, <u8>(e3 >> 8));
      store<u8>(o4 + k, <u8>(e4 >> 8));
      w1 <<= <u64>(e1 & 0xff); p1 -= <i32>(e1 & 0xff);
      w2 <<= <u64>(e2 & 0xff); p2 -= <i32>(e2 & 0xff);
      w3 <<= <u64>(e3 & 0xff); p3 -= <i32>(e3 & 0xff);
      w4 <<= <u64>(e4 & 0xff); p4 -= <i32>(e4 & 0xff);
      k++;
    }
  }
  while (k < <usize>n4 && p1 >= L && p2 >= L && p3 >= L && p4 >= L) {
    const e1 = hufEntry(s1, p1, log, mask);
    const e2 = hufEntry(s2, p2, log, mask);
    const e3 = hufEntry(s3, p3, log, mask);
    const e4 = hufEntry(s4, p4, log, mask);
    store<u8>(o1 + k, <u8>(e1 >> 8));
    store<u8>(o2 + k, <u8>(e2 >> 8));
    store<u8>(o3 + k, <u8>(e3 >> 8));
    store<u8>(o4 + k, <u8>(e4 >> 8));
    p1 -= <i32>(e1 & 0xff);
    p2 -= <i32>(e2 & 0xff);
    p3 -= <i32>(e3 & 0xff);
    p4 -= <i32>(e4 & 0xff);
    k++;
  }
  return hufFinish(s1, p1, o1 + k, o2) == 0
    && hufFinish(s2, p2, o2 + k, o3) == 0
    && hufFinish(s3, p3, o3 + k, o4) == 0
    && hufFinish(s4, p4, o4 + k, dst + <usize>count) == 0;
}

// ---- blocks --------------------------------------------------------------------------------------
let rep1: u32 = 1, rep2: u32 = 4, rep3: u32 = 8;

/** Copies n bytes forward in 16-byte steps (may write up to 15 bytes past dst + n; src must not overlap ahead). */
// @ts-ignore: decorator
@inline function wildCopy(dst: usize, src: usize, n: usize): void {
  const end = dst + n;
  do {
    v128.store(dst, v128.load(src));
    dst += 16;
    src += 16;
  } while (dst < end);
}

/**
 * One compressed block [src, src + len) decoded to out (frame output starts at OUT); returns the
 * new output position, or 0 when not confirmed. `cap` is where this block's output must stop.
 */
function compressedBlock(src: usize, len: u32, out: usize, cap: usize): usize {
  // literals section header
  if (len < 2) return 0;
  const b0 = <u32>load<u8>(src);
  const type = b0 & 3;
  const sf = (b0 >> 2) & 3;
  let litSize: u32, hdr: u32, litPtr: usize;
  let p = src;
  const end = src + <usize>len;
  if (type == 0 || type == 1) {
    if (sf == 0 || sf == 2) { litSize = b0 >> 3; hdr = 1; }
    else if (sf == 1) { if (len < 2) return 0; litSize = (b0 >> 4) | (<u32>load<u8>(src, 1) << 4); hdr = 2; }
    else { if (len < 3) return 0; litSize = (b0 >> 4) | (<u32>load<u8>(src, 1) << 4) | (<u32>load<u8>(src, 2) << 12); hdr = 3; }
    if (litSize > LIT_MAX || out + <usize>litSize > cap) return 0;
    if (type == 0) {
      if (hdr + litSize > len) return 0;
      litPtr = src + <usize>hdr; // read in place
      p = litPtr + <usize>litSize;
    } else {
      if (hdr + 1 > len) return 0;
      memory.fill(LIT, load<u8>(src + <usize>hdr), <usize>litSize);
      litPtr = LIT;
      p = src + <usize>hdr + 1;
    }
  } else if (type == 2) {
    // compressed (treeless, type 3, reuses an earlier block's tree: left to libzstd)
    if (len < 5) return 0;
    let litC: u32;
    let four = true;
    if (sf <= 1) {
      const h = <u32>load<u8>(src) | (<u32>load<u8>(src, 1) << 8) | (<u32>load<u8>(src, 2) << 16);
      litSize = (h >> 4) & 0x3ff; litC = (h >> 14) & 0x3ff; hdr = 3; four = sf == 1;
    } else if (sf == 2) {
      const h = load<u32>(src);
      litSize = (h >> 4) & 0x3fff; litC = h >> 18; hdr = 4;
    } else {
      const h = <u64>load<u32>(src) | (<u64>load<u8>(src, 4) << 32);
      litSize = <u32>(h >> 4) & 0x3ffff; litC = <u32>(h >> 22) & 0x3ffff; hdr = 5;
    }
    if (litSize == 0 || litSize > LIT_MAX || out + <usize>litSize > cap) return 0;
    if (four && litSize < 6) return 0;
    if (litC + hdr > len) return 0;
    const t = src + <usize>hdr;
    const h = readHuffman(t, litC);
    if (h < 0 || <u32>h >= litC) return 0;
    const ok = four
      ? huff4(t + <usize>h, litC - <u32>h, LIT, litSize)
      : huffStream(t + <usize>h, litC - <u32>h, LIT, litSize);
    if (!ok) return 0;
    litPtr = LIT;
    p = t + <usize>litC;
  } else {
    return 0;
  }
  const litEnd = litPtr + <usize>litSize;

  // sequences section header
  if (p >= end) return 0;
  let nbSeq = <u32>load<u8>(p++);
  if (nbSeq == 0) {
    if (p != end) return 0;
    memory.copy(out, litPtr, <usize>litSize);
    return out + <usize>litSize;
  }
  if (nbSeq == 0xff) {
    if (p + 2 > end) return 0;
    nbSeq = <u32>load<u16>(p) + 0x7f00;
    p += 2;
  } else if (nbSeq > 0x7f) {
    if (p >= end) return 0;
    nbSeq = ((nbSeq - 0x80) << 8) + <u32>load<u8>(p++);
  }
  if (nbSeq == 0) return 0; // a long form of zero: left to libzstd
  if (p >= end) return 0;
  const modes = <u32>load<u8>(p++);
  if ((modes & 3) != 0) return 0;
  const llT = seqTable(modes >> 6, KIND_LL, p, end);
  if (llT == 0) return 0;
  p += <usize>tableBytes;
  const llLog = tableLog;
  const ofT = seqTable((modes >> 4) & 3, KIND_OF, p, end);
  if (ofT == 0) return 0;
  p += <usize>tableBytes;
  const ofLog = tableLog;
  const mlT = seqTable((modes >> 2) & 3, KIND_ML, p, end);
  if (mlT == 0) return 0;
  p += <usize>tableBytes;
  const mlLog = tableLog;

  // the sequences' bit stream: the rest of the block
  const s = p;
  let pos = streamStart(s, <u32>(end - p));
  if (pos < 0) return 0;
  if (pos < <i32>(llLog + ofLog + mlLog)) return 0;
  let llS = bits(s, pos, llLog); pos -= <i32>llLog;
  let ofS = bits(s, pos, ofLog); pos -= <i32>ofLog;
  let mlS = bits(s, pos, mlLog); pos -= <i32>mlLog;
  let lit = litPtr;
  let o = out;
  for (let i: u32 = 0; ; ) {
    const lc = llT + (<usize>llS << 3);
    const oc = ofT + (<usize>ofS << 3);
    const mc = mlT + (<usize>mlS << 3);
    const ofCode = <u32>load<u8>(oc, 4);
    if (ofCode > 24) return 0; // an offset beyond anything decoded here
    const mlBits = <u32>load<u8>(mc, 4);
    const llBits = <u32>load<u8>(lc, 4);
    const need = ofCode + mlBits + llBits; // ≤ 56
    if (pos < <i32>need) return 0; // overrun: libzstd fails it at the end
    read3(s, pos, ofCode, mlBits, llBits);
    const ofx = r0, mlx = r1, llx = r2;
    pos -= <i32>need;
    const ofv = load<u32>(oc) + ofx;
    const ml = load<u32>(mc) + mlx;
    const ll = load<u32>(lc) + llx;
    let offset: u32;
    if (ofv > 3) {
      offset = ofv - 3;
      rep3 = rep2; rep2 = rep1; rep1 = offset;
    } else {
      let idx = ofv;
      if (ll == 0) idx++;
      if (idx == 1) offset = rep1;
      else if (idx == 2) { offset = rep2; rep2 = rep1; rep1 = offset; }
      else if (idx == 3) { offset = rep3; rep3 = rep2; rep2 = rep1; rep1 = offset; }
      else { offset = rep1 - 1; rep3 = rep2; rep2 = rep1; rep1 = offset; }
      if (offset == 0) return 0;
    }
    // execute: literals, then the match
    if (lit + <usize>ll > litEnd) return 0;
    const oLit = o + <usize>ll;
    if (oLit + <usize>ml > cap) return 0;
    // one 16-byte copy serves almost every sequence's literals (3.3 bytes on average in journald's
    // frames, none in nearly half): made whether there are any or not, the branch on "any" (a coin
    // toss for the CPU) is gone; the copy stays within the literals
    if (ll <= 16 && lit + 16 <= litEnd) v128.store(o, v128.load(lit));
    else if (ll != 0) wildCopy(o, lit, <usize>ll);
    lit += <usize>ll;
    o = oLit;
    if (<usize>offset > o - OUT) return 0;
    let m = o - <usize>offset;
    const stop = o + <usize>ml;
    if (offset >= 16) {
      // two 16-byte copies cover all but ~3 % of the matches (9.2 bytes on average, 13 % longer
      // than 16), without the loop's exit test that every one of those longer ones mispredicted
      v128.store(o, v128.load(m));
      v128.store(o, v128.load(m, 16), 16);
      if (ml > 32) wildCopy(o + 32, m + 32, <usize>ml - 32);
    } else if (offset >= 8) {
      // each 8 bytes read were written before (offset ≥ 8)
      do { store<u64>(o, load<u64>(m)); o += 8; m += 8; } while (o < stop);
    } else {
      while (o < stop) store<u8>(o++, load<u8>(m++));
    }
    o = stop;
    if (++i == nbSeq) break;
    // state updates: literal length, match length, offset (≤ 26 bits)
    const lnb = <u32>load<u8>(lc, 5), mnb = <u32>load<u8>(mc, 5), onb = <u32>load<u8>(oc, 5);
    const upd = lnb + mnb + onb;
    if (pos < <i32>upd) return 0;
    read3(s, pos, lnb, mnb, onb);
    pos -= <i32>upd;
    llS = <u32>load<u16>(lc, 6) + r0;
    mlS = <u32>load<u16>(mc, 6) + r1;
    ofS = <u32>load<u16>(oc, 6) + r2;
  }
  if (pos != 0) return 0;
  // the literals left after the last sequence
  const rest = litEnd - lit;
  if (o + rest > cap) return 0;
  memory.copy(o, lit, rest);
  return o + rest;
}

let r0: u32 = 0, r1: u32 = 0, r2: u32 = 0;

/**
 * Three fields of a, b and c bits (a + b + c ≤ 56, all of them left) read one after the other from
 * the stream at s, `pos` bits left: into r0, r1, r2. With 57 bits or more left one load serves the
 * three (the bits below pos, read from the top of a 64-bit word); near the start, one at a time.
 */
// @ts-ignore: decorator
@inline function read3(s: usize, pos: i32, a: u32, b: u32, c: u32): void {
  if (pos >= 57) {
    const at = (pos - 57) >> 3;
    const w = load<u64>(s + <usize>at);
    let avail = <u64>(pos - (at << 3));
    avail -= <u64>a; r0 = <u32>(w >> avail) & ((<u32>1 << a) - 1);
    avail -= <u64>b; r1 = <u32>(w >> avail) & ((<u32>1 << b) - 1);
    avail -= <u64>c; r2 = <u32>(w >> avail) & ((<u32>1 << c) - 1);
  } else {
    r0 = bits(s, pos, a);
    r1 = bits(s, pos - <i32>a, b);
    r2 = bits(s, pos - <i32>(a + b), c);
  }
}

let tableBytes: u32 = 0;
let tableLog: u32 = 0;

/** The decoding table for one sequence code by its mode (predefined, RLE, FSE); 0 when not confirmed. Sets tableBytes, tableLog. */
function seqTable(mode: u32, kind: i32, p: usize, end: usize): usize {
  if (mode == 0) {
    tableBytes = 0;
    if (kind == KIND_LL) { tableLog = 6; return LL_DEF; }
    if (kind == KIND_ML) { tableLog = 6; return ML_DEF; }
    tableLog = 5;
    return OF_DEF;
  }
  const dst = kind == KIND_LL ? LL_T : kind == KIND_ML ? ML_T : OF_T;
  const maxSym = kind == KIND_LL ? MAX_LL : kind == KIND_ML ? MAX_ML : MAX_OF;
  if (mode == 1) {
    if (p >= end) return 0;
    const sym = <u32>load<u8>(p);
    if (sym > maxSym) return 0;
    seqCell(dst, sym, kind, 0, 0); // RLE: one cell, no state bits
    tableBytes = 1;
    tableLog = 0;
    return dst;
  }
  if (mode == 3) return 0; // repeat: the previous block's table (left to libzstd)
  const n = readNCount(p, <i32>(end - p), maxSym);
  if (n < 0) return 0;
  const maxLog: u32 = kind == KIND_OF ? 8 : 9;
  if (ncTableLog > maxLog) return 0;
  if (!buildFse(dst, ncMaxSym, ncTableLog, kind)) return 0;
  tableBytes = <u32>n;
  tableLog = ncTableLog;
  return dst;
}

// ---- frames --------------------------------------------------------------------------------------
/**
 * Decodes the zstd frame [src, src + len) into OUT: its length, or -1 when not confirmed (see the
 * top of this file). The frame must fill the payload exactly.
 */
export function zstdDecode(src: usize, len: u32): i32 {
  if (!defaultsBuilt) buildDefaults();
  if (len < 6 || load<u32>(src) != 0xfd2fb528) return -1;
  const fhd = <u32>load<u8>(src, 4);
  // single segment, 1-byte content size or 2 (+256) or 4; no checksum, no dictionary, reserved and unused bits clear
  if ((fhd & 0x20) == 0 || (fhd & 0x1f) != 0) return -1;
  const fcsFlag = fhd >> 6;
  let size: u32, p: usize;
  if (fcsFlag == 0) { size = <u32>load<u8>(src, 5); p = src + 6; }
  else if (fcsFlag == 1) { if (len < 7) return -1; size = <u32>load<u16>(src, 5) + 256; p = src + 7; }
  else if (fcsFlag == 2) { if (len < 9) return -1; size = load<u32>(src, 5); p = src + 9; }
  else return -1;
  if (size == 0 || size > OUT_MAX) return -1;
  const blockMax: u32 = size < BLOCK_MAX ? size : BLOCK_MAX;
  const end = src + <usize>len;
  const outEnd = OUT + <usize>size;
  let o = OUT;
  rep1 = 1; rep2 = 4; rep3 = 8;
  for (;;) {
    if (p + 3 > end) return -1;
    const bh = <u32>load<u16>(p) | (<u32>load<u8>(p, 2) << 16);
    p += 3;
    const last = bh & 1;
    const type = (bh >> 1) & 3;
    const bsize = bh >> 3;
    if (bsize > blockMax) return -1;
    if (type == 0) {
      if (p + <usize>bsize > end || o + <usize>bsize > outEnd) return -1;
      memory.copy(o, p, <usize>bsize);
      o += <usize>bsize;
      p += <usize>bsize;
    } else if (type == 1) {
      if (p + 1 > end || o + <usize>bsize > outEnd) return -1;
      memory.fill(o, load<u8>(p), <usize>bsize);
      o += <usize>bsize;
      p += 1;
    } else if (type == 2) {
      if (bsize >= blockMax || p + <usize>bsize > end) return -1;
      const cap = o + <usize>blockMax < outEnd ? o + <usize>blockMax : outEnd;
      const next = compressedBlock(p, bsize, o, cap);
      if (next == 0) return -1;
      o = next;
      p += <usize>bsize;
    } else {
      return -1;
    }
    if (last != 0) break;
  }
  if (p != end || o != outEnd) return -1;
  return <i32>size;
}

/** decode + hash + compare: true when the payload is confirmed. */
function confirm(src: usize, len: u32, hash: u64, keyed: bool): bool {
  const n = zstdDecode(src, len);
  if (n < 0) return false;
  return (keyed ? siphash24(ZKEY, OUT, <usize>n) : jenkinsHash64(OUT, <usize>n)) == hash;
}

/**
 * The n payloads of a batch in ZIN: payload i is [ends[i-1], ends[i]) (ZENDS), its object's flags
 * and hash in ZFLAGS and ZHASHES. Returns the index of the first one not confirmed (n: all are).
 * The hash key (file ID) is at ZKEY.
 */
export function zstdCheckBatch(n: u32, keyed: bool): u32 {
  if (n > ZMAX) return 0;
  let from: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const to = load<u32>(ZENDS + (<usize>i << 2));
    if (to < from || <usize>to > ZIN_SIZE) return i;
    if (load<u8>(ZFLAGS + <usize>i) != 4) return i; // ZSTD alone
    if (!confirm(ZIN + <usize>from, to - from, load<u64>(ZHASHES + (<usize>i << 3)), keyed)) return i;
    from = to;
  }
  return n;
}

/**
 * DATA objects at the file offsets listed at offs[from, to) (u32), in memory at base + offset:
 * the index of the first one not confirmed (to: all are). The caller makes sure each is in memory
 * whole; `payload` is the payload's offset in a DATA object (64, or 72 when compact).
 */
export function zstdCheckObjects(base: usize, offs: usize, from: u32, to: u32, payload: u32, keyed: bool): u32 {
  for (let i = from; i < to; i++) {
    const o = base + <usize>load<u32>(offs + (<usize>i << 2));
    if (load<u8>(o, 1) != 4) return i;
    const size = load<u64>(o, 8);
    if (size <= <u64>payload || size > <u64>(OUT_MAX << 2)) return i;
    if (!confirm(o + <usize>payload, <u32>size - payload, load<u64>(o, 16), keyed)) return i;
  }
  return to;
}

/**
 * A batch for a helper (src/verify/payloads.ts): the payloads of the compressed DATA objects at
 * offs[from, to) (file offsets, in memory at base + offset) copied one after another into ZIN (up
 * to cap ≤ ZIN_SIZE bytes, ZMAX objects), each one's end in ZIN, object flags and hash into ZENDS, ZFLAGS,
 * ZHASHES. Returns how many it took (0: the first alone does not fit). One call where the wrapper
 * read and copied each object on its own.
 */
export function zstdPack(base: usize, offs: usize, from: u32, to: u32, payload: u32, cap: usize): u32 {
  if (cap > ZIN_SIZE) cap = ZIN_SIZE;
  let used: usize = 0;
  let n: u32 = 0;
  for (let i = from; i < to && n < ZMAX; i++, n++) {
    const o = base + <usize>load<u32>(offs + (<usize>i << 2));
    const size = load<u64>(o, 8);
    if (size < <u64>payload || size - <u64>payload > <u64>(cap - used)) break;
    const len = <usize>(size - <u64>payload);
    memory.copy(ZIN + used, o + <usize>payload, len);
    used += len;
    store<u32>(ZENDS + (<usize>n << 2), <u32>used);
    store<u8>(ZFLAGS + <usize>n, load<u8>(o, 1));
    store<u64>(ZHASHES + (<usize>n << 3), load<u64>(o, 16));
  }
  return n;
}
