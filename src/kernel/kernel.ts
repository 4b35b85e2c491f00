// Typed wrapper around build/kernel.wasm (assembly/): the one implementation of SHA-256/HMAC,
// SipHash-2-4, lookup3 and FSPRG that the verifier uses, in Node and in browsers alike.
//
// Memory discipline: inputs are copied into fixed staging areas of wasm memory in chunks, so hashing
// a 128 MB file never grows wasm memory; every context lives in preallocated wasm memory or in a
// small JS-side shadow copy (streaming HMACs, FSPRG seeds), so nothing leaks across calls.

/** `BufferSource` spelled without lib.dom. */
export type WasmBytes = ArrayBufferView | ArrayBuffer;

export interface Kernel {
  sha256(data: Uint8Array): Uint8Array;
  /** Streaming HMAC-SHA256; update() may be called with many non-contiguous subarrays of a file, without the caller concatenating them. */
  hmacSha256(key: Uint8Array): { update(part: Uint8Array): void; digest(): Uint8Array };
  /**
   * HMAC-SHA256 of many independent messages (the tag segments of a journal), four at a time with
   * the 4-lane SIMD multi-buffer SHA-256; the last one or two run scalar. Each job's message is the
   * concatenation of its `parts` (subarrays of a file, never concatenated by the caller). Returns
   * the 32-byte tags in job order; equal to hmacSha256(key) fed the same parts.
   */
  hmacSha256Many(jobs: readonly HmacJob[]): Uint8Array[];
  /**
   * hmacSha256Many with each message given as flat (offset, length) pairs into one `data` array
   * (e.g. the journal file): no subarrays to allocate, one copy of each job's span into wasm
   * memory and the gathering done there. Equal to hmacSha256(key) fed data.subarray(o, o + len)
   * for each pair in order.
   */
  hmacSha256Ranges(data: Uint8Array, jobs: readonly HmacRangesJob[]): Uint8Array[];
  /** SipHash-2-4 as a u64 (journal KEYED_HASH: key = the header's file_id). */
  siphash24(key16: Uint8Array, data: Uint8Array): bigint;
  /** lookup3 hashlittle2 with initvals 0/0, as (c << 32) | b (journal hash of non-keyed files). */
  jenkinsHash64(data: Uint8Array): bigint;
  /**
   * siphash24(key16, data[o, o + len)) for every (o, len) pair of `ranges`, as lo/hi u32 pairs
   * (result[2i] = low 32 bits of hash i): many journal objects of one buffer in few wasm calls.
   */
  siphash24Many(key16: Uint8Array, data: Uint8Array, ranges: ArrayLike<number>, count?: number): Uint32Array;
  /** jenkinsHash64 of every (offset, length) range of `data`, as lo/hi u32 pairs like siphash24Many. */
  jenkinsHash64Many(data: Uint8Array, ranges: ArrayLike<number>, count?: number): Uint32Array;
  /**
   * The zstd frame decoded by the kernel's decoder (assembly/zstd.ts), or null when that decoder does
   * not confirm it (anything but the frames journald writes, and anything wrong: then libzstd
   * decides, src/journal/compress.ts). A new array.
   */
  zstdDecode(frame: Uint8Array): Uint8Array | null;
  /**
   * Compressed DATA payloads checked by the kernel's decoder: payload i is bytes[ends[i-1], ends[i])
   * (ends[-1] = 0), its object's flags and hash flags[i] and hashes[i]; each is confirmed when it
   * decodes there and hashes (SipHash-2-4 keyed by `fileId`, or lookup3) to its hash. Returns the
   * index of the first payload from `from` on that is not confirmed (ends.length: all are); that one
   * is for libzstd to decide.
   */
  zstdConfirm(batch: ZstdBatch, keyed: boolean, fileId: Uint8Array, from?: number): number;
  /** FSPRG bound to one 12-byte seed: primes are generated once (the expensive part), then any epoch is cheap. */
  fsprg(seed: Uint8Array): Fsprg;
  /**
   * A fresh kernel instance whose memory has a window for one journal of `size` bytes (see
   * JournalArena), or null when it cannot (too large for wasm memory, or no memory left). With
   * `tables` (the bounds from the file's header, read first), the scan tables are sized now, so
   * the memory never grows while the file is being read in.
   */
  openArena(size: number, tables?: ScanTables): Promise<JournalArena | null>;
  /**
   * Makes the next openArena's instance now, with `tableBytes` of room for its scan tables and
   * `windowBytes` for the start of its window already in memory (assembly/scan.ts arenaReserve):
   * the page does it while it waits for a file. One arena takes it; a file whose tables do not fit
   * has them after its window, as without it. Resolves false when it could not be made.
   */
  readyArena(tableBytes: number, windowBytes: number): Promise<boolean>;
}

/** Compressed payloads for Kernel.zstdConfirm (the seal helper's batches: mac-helper.ts PayloadBatch). */
export interface ZstdBatch {
  bytes: Uint8Array;
  ends: Uint32Array;
  flags: Uint8Array;
  hashes: BigUint64Array;
}

/** Upper bounds for the scan tables (window.ts scanTables). */
export interface ScanTables { maxData: number; maxTags: number; maxBuckets: number }

/**
 * One journal file streaming through wasm memory (assembly/scan.ts): the caller reads the file into
 * the `window` (straight from disk or from a File), the structural scan and the tag HMACs run over
 * it in place, and the caller moves the window on (shift) behind them (src/verify/window.ts). The
 * instance is the file's alone; dropping the arena frees its memory.
 */
export interface JournalArena {
  /** The file's size. */
  readonly size: number;
  /**
   * The window, in wasm memory: file offset o is at window[o - base]. Room for the whole file (its
   * pages are touched only as far as they are filled). Stays valid: the arena's memory grows only in
   * prepareScan() (never, when openArena sized the tables).
   */
  readonly window: Uint8Array;
  /** The file offset at the window's start (0 until the first shift). */
  readonly base: number;
  /**
   * Moves the window on: file bytes [keep, loaded) go to its start (keep becomes the base). Nothing
   * before `keep` may be needed any more (pass 1 is at or beyond it), and no read into the window
   * may be under way.
   */
  shift(keep: number, loaded: number): void;
  /** File bytes [from, to), which must be in the window (a view of it: valid until the next shift). */
  at(from: number, to: number): Uint8Array;
  /** Hashing with the arena's own instance (no FSPRG: use the kernel that opened the arena). */
  readonly kernel: Kernel;
  /**
   * The compressed DATA objects pass 1 listed, [from, to) of its list, checked by the kernel's zstd
   * decoder in place (Kernel.zstdConfirm): the index of the first one not confirmed (to: all are).
   * Every one of them must still be in the window.
   */
  zstdConfirmListed(from: number, to: number, payloadOffset: number, keyed: boolean, fileId: Uint8Array): number;
  /**
   * The compressed DATA objects pass 1 listed, [from, to) of its list, as one batch for a helper:
   * their payloads one after another into `into` (as many as fit, at most 4096; none when the first
   * alone does not fit), with each one's end, object flags and hash. Every one must still be in the
   * window.
   */
  packListed(from: number, to: number, payloadOffset: number, into: Uint8Array): ZstdBatch;
  /**
   * Sizes the scan tables (once, after the head of the file is in the window: the bounds come from
   * its header). False when memory cannot grow that far. A second call answers as the first did.
   */
  prepareScan(tables: ScanTables): boolean;
  /** The scan tables are sized (prepareScan succeeded, or openArena sized them). */
  readonly sized: boolean;
  /** Bytes [base, n) are in the window: pass 1 stops (SCAN_WAIT) at the first object reaching beyond. */
  scanAvail(n: number): void;
  /** Where pass 1 is: the bytes it still needs start here. */
  scanPosition(): number;
  /** Tags and compressed DATA objects accepted so far (their records are final). */
  scanCounts(): { tags: number; compressed: number };
  /** Starts the scan (header fields as JournalFile.open validated them). */
  scanInit(headerSize: number, tailObject: number, compact: boolean, keyedHash: boolean, sealed: boolean): void;
  /** Runs up to `budget` pass-1 objects: SCAN_MORE, SCAN_REGULAR or SCAN_IRREGULAR. */
  scanRun(budget: number): number;
  /** The counters (scan.ts OUT slots), valid once scanRun returned REGULAR or IRREGULAR. */
  scanOut(): BigUint64Array;
  /** The tag records (scan.ts TAG_REC_* slots, TAG_REC_SLOTS per tag), tags [from, to). */
  scanTags(to: number, from?: number): BigUint64Array;
  /** Offsets of the compressed DATA objects the scan left to the caller, [from, to). */
  scanCompressed(to: number, from?: number): Uint32Array;
  /** HMAC-SHA256 of tag segments [start, tag] walked in place (4-lane), in job order; each must be in the window. */
  hmacSegments(jobs: readonly SegmentJob[]): Uint8Array[];
  /**
   * The bytes a segment's HMAC covers, in order, copied into `into` (or a larger array when it is
   * too small); returns the filled part. For hashing with the platform's HMAC (tag-macs.ts).
   */
  gatherSegment(span: SegmentSpan, into: Uint8Array): Uint8Array;
}

/** One tag segment: the objects from `start` through the tag at `tag`, plus the header for the first tag. */
export interface SegmentSpan { start: number; tag: number; withHeader: boolean }
export interface SegmentJob extends SegmentSpan { key: Uint8Array }

export const SCAN_MORE = 0;
export const SCAN_REGULAR = 1;
export const SCAN_IRREGULAR = 2;
export const SCAN_WAIT = 3;

/** One message of hmacSha256Many: the key and the message as a list of byte ranges. */
export interface HmacJob { key: Uint8Array; parts: readonly Uint8Array[] }
/** One message of hmacSha256Ranges: the key and flat (offset, length) pairs into the shared data. */
export interface HmacRangesJob { key: Uint8Array; ranges: ArrayLike<number> }

/** Where a lane of the multi-buffer scheduler gets its message bytes from. */
interface LaneSource {
  start(lane: number, job: number): void;
  /** Writes up to `cap` more message bytes at wasm address `dst`, returns how many. */
  fill(lane: number, dst: number, cap: number): number;
  done(lane: number): boolean;
}

export interface Fsprg {
  readonly p: Uint8Array; readonly q: Uint8Array; readonly n: Uint8Array;   // big-endian, 96/96/192 bytes
  /** 394-byte state for epoch e (FSPRG_Seek, CRT, cost independent of e). */
  state(epoch: bigint): Uint8Array;
  /** 32-byte HMAC key of epoch e; uses Evolve (one squaring) when e == previous epoch + 1, Seek otherwise (one running state per kernel). */
  epochKey(epoch: bigint): Uint8Array;
}

export const FSPRG_SEED_SIZE = 12;
export const FSPRG_STATE_SIZE = 394;

// ---- the raw module --------------------------------------------------------------------------
type Ptr = number;
/** The exports of kernel.wasm (assembly/index.ts). u64 values cross the boundary as bigint. */
export interface KernelExports {
  memory: { buffer: ArrayBuffer };
  stagePtr(): Ptr; stageSize(): number; scratchPtr(): Ptr; scratchSize(): number;
  streamCtxPtr(): Ptr; oneshotCtxPtr(): Ptr; hmacCtxSize(): number; sha256CtxSize(): number;
  ioPtr(): Ptr; bnPtr(): Ptr; montCtxPtr(): Ptr; fsprgCtxPtr(): Ptr; fsprgCtxSize(): number;
  sha256Init(ctx: Ptr): void; sha256Update(ctx: Ptr, p: Ptr, len: number): void; sha256Final(ctx: Ptr, out: Ptr): void;
  hmacInit(ctx: Ptr, key: Ptr, keyLen: number): void; hmacFinal(ctx: Ptr, out: Ptr): void;
  hmacX4Blocks(c0: Ptr, c1: Ptr, c2: Ptr, c3: Ptr, p0: Ptr, p1: Ptr, p2: Ptr, p3: Ptr, nb: number): void;
  laneCtxPtr(): Ptr; laneBufPtr(): Ptr; laneBufSize(): number;
  laneWinPtr(): Ptr; laneWinSize(): number; laneRangesPtr(): Ptr; laneRangesSize(): number; laneGatherPtr(): Ptr;
  gatherRanges(win: Ptr, ranges: Ptr, count: number, state: Ptr, dst: Ptr, cap: number): number;
  siphash24Many(key: Ptr, base: Ptr, ranges: Ptr, n: number, out: Ptr): void;
  jenkinsHash64Many(base: Ptr, ranges: Ptr, n: number, out: Ptr): void;
  hashWinPtr(): Ptr; hashWinSize(): number; hashRangesPtr(): Ptr; hashOutPtr(): Ptr; hashMax(): number;
  siphashInit(key: Ptr): void; siphashUpdate(p: Ptr, len: number): void; siphashFinal(): bigint;
  lookup3Init(totalLen: number): void; lookup3Update(p: Ptr, len: number): void; lookup3Final(): bigint;
  bnMul(r: Ptr, a: Ptr, an: number, b: Ptr, bn: number): void;
  bnMod(r: Ptr, a: Ptr, an: number, m: Ptr, mn: number): void;
  montSetup(mc: Ptr, m: Ptr, n: number): void;
  montMul(r: Ptr, a: Ptr, b: Ptr, mc: Ptr): void;
  montExp(r: Ptr, base: Ptr, exp: Ptr, en: number, mc: Ptr): void;
  isProbablePrime(n: Ptr, nl: number): number;
  fsprgSetup(seed: Ptr): void; fsprgExportPQN(out: Ptr): void;
  fsprgSeek(epoch: bigint, out: Ptr): void; fsprgEvolve(state: Ptr): void; fsprgGetKey(state: Ptr, out: Ptr): void;
  fsprgCurPtr(): Ptr; fsprgSeekCur(epoch: bigint): void; fsprgNextKey(out: Ptr): void;
  arenaReserve(tableBytes: bigint, windowBytes: bigint): Ptr; fileAlloc(size: bigint): Ptr; scanAlloc(maxData: bigint, maxTags: bigint, maxBuckets: bigint): number;
  scanPosition(): bigint; winBase(): bigint; winShift(keep: bigint, loaded: bigint): number;
  scanInit(headerSize: bigint, tail: bigint, compact: number, keyed: number, sealed: number): void;
  scanRun(budget: number): number;
  scanOutPtr(): Ptr; scanTagsPtr(): Ptr; scanCompressedPtr(): Ptr; scanStagePtr(): Ptr; scanStageSize(): number;
  scanTagCount(): number; scanCompressedCount(): number; scanAvail(n: bigint): void;
  segmentStart(state: Ptr, start: number, tag: number, withHeader: number): void;
  segmentGather(state: Ptr, dst: Ptr, cap: number): number;
  zstdDecode(src: Ptr, len: number): number;
  zstdCheckBatch(n: number, keyed: number): number;
  zstdCheckObjects(base: Ptr, offs: Ptr, from: number, to: number, payload: number, keyed: number): number;
  zstdPack(base: Ptr, offs: Ptr, from: number, to: number, payload: number, cap: number): number;
  zstdInPtr(): Ptr; zstdInSize(): number; zstdKeyPtr(): Ptr; zstdOutPtr(): Ptr;
  zstdMax(): number; zstdEndsPtr(): Ptr; zstdFlagsPtr(): Ptr; zstdHashesPtr(): Ptr;
}

interface WasmInstance { exports: unknown }
interface WasmRuntime {
  Module: abstract new (bytes: WasmBytes) => WebAssembly.Module;
  /** Only ever called with a compiled Module, so it resolves to the Instance. */
  instantiate(module: WebAssembly.Module, imports: object): Promise<WasmInstance>;
  compile(bytes: WasmBytes): Promise<WebAssembly.Module>;
}

function wasmRuntime(): WasmRuntime {
  const wa = (globalThis as unknown as { WebAssembly?: WasmRuntime }).WebAssembly;
  if (!wa) throw new Error("WebAssembly is not available in this environment");
  return wa;
}

/** kernel.wasm compiled, for loadKernel() in several threads (a compiled module crosses postMessage). */
export function compileKernel(bytes: WasmBytes): Promise<WebAssembly.Module> {
  return wasmRuntime().compile(bytes);
}

export async function loadKernel(source: WasmBytes | WebAssembly.Module): Promise<Kernel> {
  const wa = wasmRuntime();
  const imports = kernelImports;
  // Always asynchronous: browsers refuse synchronous compilation/instantiation on the main thread.
  const module = source instanceof wa.Module ? source : await wa.compile(source as WasmBytes);
  const instance = await wa.instantiate(module, imports);
  return new KernelImpl(instance.exports as KernelExports, module);
}

const kernelImports = { env: { abort(): never { throw new Error("kernel.wasm aborted"); } } };

// ---- implementation ---------------------------------------------------------------------------
interface Stream { ctx: Uint8Array; done: boolean }

const U64 = (1n << 64n) - 1n;

export class KernelImpl implements Kernel {
  readonly raw: KernelExports;
  private u8: Uint8Array;
  private readonly STAGE: Ptr; private readonly STAGE_SIZE: number;
  private readonly SCRATCH: Ptr; private readonly SCRATCH_SIZE: number;
  private readonly STREAM_CTX: Ptr; private readonly ONESHOT_CTX: Ptr; private readonly CTX_SIZE: number;
  readonly IO: Ptr;
  /** Which stream's context is in STREAM_CTX, and how many of its bytes wait in STAGE. */
  private owner: Stream | null = null;
  private pending = 0;
  /** Which FSPRG seed context is loaded in the module, and whose running state (fsprgCurPtr) is there. */
  fsprgOwner: object | null = null;
  fsprgCurOwner: object | null = null;

  constructor(raw: KernelExports, private readonly module?: WebAssembly.Module) {
    this.raw = raw;
    this.u8 = new Uint8Array(raw.memory.buffer);
    this.STAGE = raw.stagePtr(); this.STAGE_SIZE = raw.stageSize();
    this.SCRATCH = raw.scratchPtr(); this.SCRATCH_SIZE = raw.scratchSize();
    this.STREAM_CTX = raw.streamCtxPtr(); this.ONESHOT_CTX = raw.oneshotCtxPtr();
    this.CTX_SIZE = raw.hmacCtxSize();
    this.IO = raw.ioPtr();
  }

  /** A view of wasm memory (renewed if memory ever grew, which detaches the old buffer). */
  mem(): Uint8Array {
    if (this.u8.byteLength === 0 || this.u8.buffer !== this.raw.memory.buffer) this.u8 = new Uint8Array(this.raw.memory.buffer);
    return this.u8;
  }

  private u32 = new Uint32Array(0);
  /** A u32 view of wasm memory (renewed like mem()). */
  mem32(): Uint32Array {
    if (this.u32.buffer !== this.raw.memory.buffer || this.u32.byteLength === 0) this.u32 = new Uint32Array(this.raw.memory.buffer);
    return this.u32;
  }

  /** Copies `data` into the IO area (small inputs: keys, seeds, states). */
  putIO(data: Uint8Array, offset = 0): Ptr {
    if (data.length + offset > 1024) throw new RangeError("kernel IO area overflow");
    this.mem().set(data, this.IO + offset);
    return this.IO + offset;
  }
  getIO(offset: number, length: number): Uint8Array {
    const m = this.mem();
    return m.slice(this.IO + offset, this.IO + offset + length);
  }

  /** Feeds `data` through the one-shot scratch area in chunks. */
  private chunks(data: Uint8Array, feed: (p: Ptr, len: number) => void): void {
    const m = this.mem();
    if (data.length <= this.SCRATCH_SIZE) {
      m.set(data, this.SCRATCH);
      feed(this.SCRATCH, data.length);
      return;
    }
    for (let off = 0; off < data.length; off += this.SCRATCH_SIZE) {
      const part = data.subarray(off, Math.min(data.length, off + this.SCRATCH_SIZE));
      this.mem().set(part, this.SCRATCH);
      feed(this.SCRATCH, part.length);
    }
  }

  sha256(data: Uint8Array): Uint8Array {
    const r = this.raw, ctx = this.ONESHOT_CTX;
    r.sha256Init(ctx);
    this.chunks(data, (p, len) => r.sha256Update(ctx, p, len));
    r.sha256Final(ctx, this.IO);
    return this.getIO(0, 32);
  }

  siphash24(key16: Uint8Array, data: Uint8Array): bigint {
    if (key16.length !== 16) throw new RangeError(`siphash24 key must be 16 bytes, got ${key16.length}`);
    const r = this.raw;
    r.siphashInit(this.putIO(key16));
    this.chunks(data, (p, len) => r.siphashUpdate(p, len));
    return BigInt.asUintN(64, r.siphashFinal());
  }

  jenkinsHash64(data: Uint8Array): bigint {
    const r = this.raw;
    r.lookup3Init(data.length >>> 0);
    this.chunks(data, (p, len) => r.lookup3Update(p, len));
    return BigInt.asUintN(64, r.lookup3Final());
  }

  zstdDecode(frame: Uint8Array): Uint8Array | null {
    const r = this.raw;
    if (frame.length > r.zstdInSize()) return null;
    this.mem().set(frame, r.zstdInPtr());
    const n = r.zstdDecode(r.zstdInPtr(), frame.length);
    return n < 0 ? null : this.mem().slice(r.zstdOutPtr(), r.zstdOutPtr() + n);
  }

  zstdConfirm(batch: ZstdBatch, keyed: boolean, fileId: Uint8Array, from = 0): number {
    const { bytes, ends, flags, hashes } = batch;
    const n = ends.length;
    if (flags.length !== n || hashes.length !== n || fileId.length !== 16) throw new RangeError('zstdConfirm: malformed batch');
    const r = this.raw, IN = r.zstdInPtr(), IN_SIZE = r.zstdInSize(), MAX = r.zstdMax();
    this.mem().set(fileId, r.zstdKeyPtr());
    let i = from;
    while (i < n) {
      // as many whole payloads from i on as fit the kernel's input area (one that does not: libzstd's)
      const start = i === 0 ? 0 : ends[i - 1]!;
      let j = i;
      while (j < n && j - i < MAX && ends[j]! - start <= IN_SIZE && ends[j]! >= (j === 0 ? 0 : ends[j - 1]!)) j++;
      if (j === i) return i;
      if (ends[j - 1]! > bytes.length) throw new RangeError('zstdConfirm: payload beyond the batch');
      const m = this.mem();
      m.set(bytes.subarray(start, ends[j - 1]!), IN);
      const e = new Uint32Array(m.buffer, r.zstdEndsPtr(), j - i);
      for (let k = i; k < j; k++) e[k - i] = ends[k]! - start;
      m.set(flags.subarray(i, j), r.zstdFlagsPtr());
      new BigUint64Array(m.buffer, r.zstdHashesPtr(), j - i).set(hashes.subarray(i, j));
      const ok = r.zstdCheckBatch(j - i, keyed ? 1 : 0);
      if (ok < j - i) return i + ok;
      i = j;
    }
    return n;
  }

  siphash24Many(key16: Uint8Array, data: Uint8Array, ranges: ArrayLike<number>, count?: number): Uint32Array {
    if (key16.length !== 16) throw new RangeError(`siphash24Many key must be 16 bytes, got ${key16.length}`);
    // The key lives in IO, which the window calls do not touch.
    return this.hashMany(data, ranges, count, (base, rng, n, out) => this.raw.siphash24Many(this.putIO(key16), base, rng, n, out), (d) => this.siphash24(key16, d));
  }

  jenkinsHash64Many(data: Uint8Array, ranges: ArrayLike<number>, count?: number): Uint32Array {
    return this.hashMany(data, ranges, count, (base, rng, n, out) => this.raw.jenkinsHash64Many(base, rng, n, out), (d) => this.jenkinsHash64(d));
  }

  /** Groups ranges into windows of the file that fit HASH_WIN; a range larger than it is hashed alone. */
  private hashMany(
    data: Uint8Array,
    ranges: ArrayLike<number>,
    count: number | undefined,
    many: (base: Ptr, rng: Ptr, n: number, out: Ptr) => void,
    single: (d: Uint8Array) => bigint,
  ): Uint32Array {
    const n = count ?? ranges.length >> 1;
    if (count === undefined && ranges.length % 2 !== 0) throw new RangeError('hash ranges must be (offset, length) pairs');
    if (!(n >= 0 && 2 * n <= ranges.length)) throw new RangeError(`hash ranges: count ${n} exceeds the list`);
    const res = new Uint32Array(2 * n);
    const r = this.raw, WIN = r.hashWinPtr(), WS = r.hashWinSize(), RNG = r.hashRangesPtr(), OUT = r.hashOutPtr(), MAX = r.hashMax();
    let i = 0;
    while (i < n) {
      let lo = Infinity, hi = -Infinity, j = i;
      for (; j < n && j - i < MAX; j++) {
        const o = ranges[2 * j]!, len = ranges[2 * j + 1]!;
        if (!(o >= 0 && len >= 0 && o + len <= data.length) || o !== Math.floor(o) || len !== Math.floor(len)) {
          throw new RangeError(`hash range ${j}: [${o}, +${len}) outside the data (${data.length} bytes)`);
        }
        if (len === 0) continue;
        const nlo = Math.min(lo, o), nhi = Math.max(hi, o + len);
        if (nhi - nlo > WS) break;
        lo = nlo; hi = nhi;
      }
      if (j === i) {
        // One range larger than the window.
        const h = single(data.subarray(ranges[2 * i]!, ranges[2 * i]! + ranges[2 * i + 1]!));
        res[2 * i] = Number(h & 0xffffffffn); res[2 * i + 1] = Number(h >> 32n);
        i++;
        continue;
      }
      if (hi < lo) lo = hi = 0;
      this.mem().set(data.subarray(lo, hi), WIN);
      const v = this.mem32(), rb = RNG >> 2;
      for (let k = i; k < j; k++) {
        const len = ranges[2 * k + 1]!;
        v[rb + 2 * (k - i)] = len === 0 ? 0 : ranges[2 * k]! - lo;
        v[rb + 2 * (k - i) + 1] = len;
      }
      many(WIN, RNG, j - i, OUT);
      const w = this.mem32(), ob = OUT >> 2;
      res.set(w.subarray(ob, ob + 2 * (j - i)), 2 * i);
      i = j;
    }
    return res;
  }

  // -- streaming HMAC: one wasm slot, contexts swapped on demand --------------------------------
  private flush(): void {
    if (this.pending !== 0) {
      this.raw.sha256Update(this.STREAM_CTX, this.STAGE, this.pending);
      this.pending = 0;
    }
  }

  private acquire(s: Stream): void {
    if (this.owner === s) return;
    const m = this.mem();
    if (this.owner) {
      this.flush();
      this.owner.ctx.set(m.subarray(this.STREAM_CTX, this.STREAM_CTX + this.CTX_SIZE));
    }
    m.set(s.ctx, this.STREAM_CTX);
    this.owner = s;
  }

  private streamUpdate(s: Stream, part: Uint8Array): void {
    if (s.done) throw new Error("HMAC already finalised");
    this.acquire(s);
    let off = 0;
    const len = part.length;
    while (off < len) {
      if (this.pending === this.STAGE_SIZE) this.flush();
      const n = Math.min(this.STAGE_SIZE - this.pending, len - off);
      this.mem().set(off === 0 && n === len ? part : part.subarray(off, off + n), this.STAGE + this.pending);
      this.pending += n;
      off += n;
    }
  }

  private streamDigest(s: Stream): Uint8Array {
    if (s.done) throw new Error("HMAC already finalised");
    this.acquire(s);
    this.flush();
    this.raw.hmacFinal(this.STREAM_CTX, this.IO);
    s.done = true;
    this.owner = null;
    return this.getIO(0, 32);
  }

  hmacSha256(key: Uint8Array): { update(part: Uint8Array): void; digest(): Uint8Array } {
    if (key.length > 64) key = this.sha256(key);    // RFC 2104: long keys are hashed first
    const kp = this.putIO(key, 512);
    this.raw.hmacInit(this.ONESHOT_CTX, kp, key.length);
    const s: Stream = { ctx: this.mem().slice(this.ONESHOT_CTX, this.ONESHOT_CTX + this.CTX_SIZE), done: false };
    return {
      update: (part: Uint8Array): void => this.streamUpdate(s, part),
      digest: (): Uint8Array => this.streamDigest(s),
    };
  }

  // -- multi-buffer HMAC ------------------------------------------------------------------------
  hmacSha256Many(jobs: readonly HmacJob[]): Uint8Array[] {
    // Source: each part copied into the lane buffer with one set() (a chunk of it if it is long).
    const part = [0, 0, 0, 0], poff = [0, 0, 0, 0];
    const cur: (readonly Uint8Array[])[] = [[], [], [], []];
    return this.lanes(jobs.length, (j) => jobs[j]!.key, {
      start: (l, j) => { cur[l] = jobs[j]!.parts; part[l] = 0; poff[l] = 0; },
      fill: (l, dst, cap) => {
        const parts = cur[l]!, m = this.mem();
        let pi = part[l]!, po = poff[l]!, f = 0;
        while (pi < parts.length && f < cap) {
          const p = parts[pi]!;
          const n = Math.min(p.length - po, cap - f);
          m.set(po === 0 && n === p.length ? p : p.subarray(po, po + n), dst + f);
          f += n; po += n;
          if (po === p.length) { pi++; po = 0; }
        }
        part[l] = pi; poff[l] = po;
        return f;
      },
      done: (l) => part[l]! >= cur[l]!.length,
    });
  }

  hmacSha256Ranges(data: Uint8Array, jobs: readonly HmacRangesJob[]): Uint8Array[] {
    // Source: the job's span of `data` is copied into the lane's window once and its (offset,
    // length) list into wasm memory once; wasm gathers the ranges into the lane buffer. Jobs whose
    // span or list does not fit fall back to one set() per range.
    const r = this.raw, WS = r.laneWinSize(), RS = r.laneRangesSize();
    const win0 = r.laneWinPtr(), rng0 = r.laneRangesPtr(), gst0 = r.laneGatherPtr();
    const fast = [false, false, false, false], idx = [0, 0, 0, 0], off = [0, 0, 0, 0], cnt = [0, 0, 0, 0];
    const cur: ArrayLike<number>[] = [[], [], [], []];
    return this.lanes(jobs.length, (j) => jobs[j]!.key, {
      start: (l, j) => {
        const rg = jobs[j]!.ranges;
        if (rg.length % 2 !== 0) throw new RangeError(`hmacSha256Ranges: job ${j}: ranges must be (offset, length) pairs`);
        const n = rg.length >> 1;
        let lo = data.length, hi = 0;
        for (let i = 0; i < rg.length; i += 2) {
          const o = rg[i]!, len = rg[i + 1]!;
          if (!(o >= 0 && len >= 0 && o + len <= data.length) || o !== Math.floor(o) || len !== Math.floor(len)) {
            throw new RangeError(`hmacSha256Ranges: job ${j}: range [${o}, +${len}) outside the data (${data.length} bytes)`);
          }
          if (len !== 0) { lo = Math.min(lo, o); hi = Math.max(hi, o + len); }
        }
        if (hi < lo) hi = lo = 0;
        cur[l] = rg; cnt[l] = n; idx[l] = 0; off[l] = 0;
        fast[l] = hi - lo <= WS && n * 8 <= RS;
        if (fast[l]) {
          const m = this.mem();
          m.set(data.subarray(lo, hi), win0 + l * WS);
          const v = this.mem32(), base = (rng0 + l * RS) >> 2;
          for (let i = 0; i < 2 * n; i += 2) { v[base + i] = rg[i + 1]! === 0 ? 0 : rg[i]! - lo; v[base + i + 1] = rg[i + 1]!; }
          v[(gst0 >> 2) + 2 * l] = 0; v[(gst0 >> 2) + 2 * l + 1] = 0;
        }
      },
      fill: (l, dst, cap) => {
        if (fast[l]) return r.gatherRanges(win0 + l * WS, rng0 + l * RS, cnt[l]!, gst0 + 8 * l, dst, cap);
        const rg = cur[l]!, m = this.mem();
        let i = idx[l]!, o = off[l]!, f = 0;
        while (i < cnt[l]! && f < cap) {
          const start = rg[2 * i]!, len = rg[2 * i + 1]!;
          const n = Math.min(len - o, cap - f);
          m.set(data.subarray(start + o, start + o + n), dst + f);
          f += n; o += n;
          if (o === len) { i++; o = 0; }
        }
        idx[l] = i; off[l] = o;
        return f;
      },
      done: (l) => (fast[l] ? this.mem32()[(gst0 >> 2) + 2 * l]! : idx[l]!) >= cnt[l]!,
    });
  }

  /**
   * The multi-buffer scheduler: up to four messages in flight, one per lane; a lane that finishes
   * takes the next job at once, so lanes stay busy whatever the lengths. Each lane's buffer holds
   * [head, fill) bytes gathered but not hashed; whole blocks common to all busy lanes go through
   * the 4-lane compression, a message's last partial block and the HMAC finish run scalar, and the
   * last message alone runs scalar.
   */
  private lanes(count: number, keyOf: (j: number) => Uint8Array, src: LaneSource): Uint8Array[] {
    const r = this.raw;
    const out: Uint8Array[] = new Array<Uint8Array>(count);
    if (count === 0) return out;
    const CS = this.CTX_SIZE, LB = r.laneBufSize(), ctx0 = r.laneCtxPtr(), buf0 = r.laneBufPtr();
    const DUMMY = ctx0 + 4 * CS;
    const job = [-1, -1, -1, -1], head = [0, 0, 0, 0], fill = [0, 0, 0, 0];
    const ctx = [ctx0, ctx0 + CS, ctx0 + 2 * CS, ctx0 + 3 * CS];
    const buf = [buf0, buf0 + LB, buf0 + 2 * LB, buf0 + 3 * LB];
    let next = 0;
    const start = (l: number): void => {
      if (next >= count) { job[l] = -1; return; }
      const j = next++;
      let key = keyOf(j);
      if (key.length > 64) key = this.sha256(key);
      r.hmacInit(ctx[l]!, this.putIO(key, 512), key.length);
      job[l] = j; head[l] = 0; fill[l] = 0;
      src.start(l, j);
    };
    /** Gathers more of lane l's message; true when all of it is in the buffer. */
    const refill = (l: number): boolean => {
      if (src.done(l)) return true;
      const b = buf[l]!;
      let h = head[l]!, f = fill[l]!;
      if (h !== 0) {                       // compact: move the unhashed tail to the front
        if (f > h) this.mem().copyWithin(b, b + h, b + f);
        f -= h; h = 0; head[l] = 0;
      }
      fill[l] = f + src.fill(l, b + f, LB - f);
      return src.done(l);
    };
    const finish = (l: number): void => {
      const h = head[l]!;
      r.sha256Update(ctx[l]!, buf[l]! + h, fill[l]! - h);
      r.hmacFinal(ctx[l]!, this.IO);
      out[job[l]!] = this.getIO(0, 32);
      start(l);
    };
    for (let l = 0; l < 4; l++) start(l);
    for (;;) {
      let active = 0, nb = LB;
      for (let l = 0; l < 4; l++) {
        while (job[l]! >= 0) {
          const all = refill(l);
          if (!all || fill[l]! - head[l]! >= 64) break;
          finish(l);
        }
        if (job[l]! >= 0) { active++; nb = Math.min(nb, (fill[l]! - head[l]!) >> 6); }
      }
      if (active === 0) break;
      if (active === 1) {
        const l = job.findIndex((j) => j >= 0);
        for (;;) {
          const all = refill(l);
          r.sha256Update(ctx[l]!, buf[l]! + head[l]!, fill[l]! - head[l]!);
          head[l] = fill[l]!;
          if (all) break;
        }
        finish(l);
        continue;
      }
      const p = (l: number): number => (job[l]! >= 0 ? buf[l]! + head[l]! : buf[l]!);
      const c = (l: number): number => (job[l]! >= 0 ? ctx[l]! : DUMMY);
      r.hmacX4Blocks(c(0), c(1), c(2), c(3), p(0), p(1), p(2), p(3), nb);
      for (let l = 0; l < 4; l++) if (job[l]! >= 0) head[l] = head[l]! + (nb << 6);
    }
    return out;
  }

  // -- journal arena ------------------------------------------------------------------------------
  /** An instance made ahead for the next arena, its reserve in memory (readyArena), or being made. */
  private reserved: WasmInstance | null = null;
  private reserving: Promise<boolean> | null = null;

  readyArena(tableBytes: number, windowBytes: number): Promise<boolean> {
    if (this.reserved) return Promise.resolve(true);
    if (!this.module) return Promise.resolve(false);
    this.reserving ??= (async () => {
      try {
        const instance = await wasmRuntime().instantiate(this.module!, kernelImports);
        if ((instance.exports as KernelExports).arenaReserve(BigInt(tableBytes), BigInt(windowBytes)) === 0) return false;
        this.reserved = instance;
        return true;
      } catch {
        return false; // no memory for another instance
      } finally {
        this.reserving = null;
      }
    })();
    return this.reserving;
  }

  async openArena(size: number, tables?: ScanTables): Promise<JournalArena | null> {
    if (!this.module || !(size >= 0 && Number.isSafeInteger(size))) return null;
    let instance: WasmInstance;
    try {
      // the instance made ahead, if any (being made: a file that came just after the key waits for
      // it rather than have its pages written twice): once (an arena's instance is its file's alone)
      if (this.reserving) await this.reserving;
      const reserved = this.reserved;
      this.reserved = null;
      instance = reserved ?? (await wasmRuntime().instantiate(this.module, kernelImports));
    } catch {
      return null; // no memory for another instance
    }
    const k = new KernelImpl(instance.exports as KernelExports);
    let ptr = 0;
    try {
      ptr = k.raw.fileAlloc(BigInt(size));
    } catch {
      return null;
    }
    if (ptr === 0) return null;
    const arena = new ArenaImpl(k, ptr, size);
    if (tables) arena.prepareScan(tables);
    return arena;
  }

  /** The state of one segment walk (gatherSegment): lane 0's in segmentLanes' area. */
  segmentStatePtr(): Ptr {
    return this.IO + 768;
  }

  /** Lane states for segment walks: 4 × 6 u32 in the IO area, clear of keys (512) and digests (0). */
  segmentLanes(jobs: readonly SegmentJob[]): Uint8Array[] {
    const r = this.raw, ST = this.IO + 768;
    return this.lanes(jobs.length, (j) => jobs[j]!.key, {
      start: (l, j) => { const job = jobs[j]!; r.segmentStart(ST + 24 * l, job.start, job.tag, job.withHeader ? 1 : 0); },
      fill: (l, dst, cap) => r.segmentGather(ST + 24 * l, dst, cap),
      done: (l) => this.mem32()[((ST + 24 * l) >> 2) + 4] === 1,
    });
  }

  // -- FSPRG --------------------------------------------------------------------------------------
  fsprg(seed: Uint8Array): Fsprg {
    if (seed.length !== FSPRG_SEED_SIZE) throw new RangeError(`FSPRG seed must be ${FSPRG_SEED_SIZE} bytes, got ${seed.length}`);
    return new FsprgImpl(this, seed);
  }

  /** FSPRG_Evolve of a 394-byte state (x <- x^2 mod n, epoch + 1), returned as a new array. */
  evolve(state: Uint8Array): Uint8Array {
    checkState(state);
    this.raw.fsprgEvolve(this.putIO(state));
    return this.getIO(0, FSPRG_STATE_SIZE);
  }

  /** FSPRG_GetKey(state, 32, 0). */
  stateKey(state: Uint8Array): Uint8Array {
    checkState(state);
    this.raw.fsprgGetKey(this.putIO(state), this.IO + 512);
    return this.getIO(512, 32);
  }
}

function checkState(state: Uint8Array): void {
  if (state.length !== FSPRG_STATE_SIZE) throw new RangeError(`FSPRG state must be ${FSPRG_STATE_SIZE} bytes, got ${state.length}`);
  if (state[0] !== 0x00 || state[1] !== 0x5f) throw new RangeError("FSPRG state is not for secpar 1536");
}

function checkEpoch(epoch: bigint): bigint {
  if (epoch < 0n || epoch > U64) throw new RangeError(`epoch out of range: ${epoch}`);
  return epoch;
}

class FsprgImpl implements Fsprg {
  readonly p: Uint8Array; readonly q: Uint8Array; readonly n: Uint8Array;
  private readonly k: KernelImpl;
  private readonly ctx: Uint8Array;
  /** The epoch of the running state, when this generator owns it (KernelImpl.fsprgCurOwner). */
  private curEpoch = -1n;

  constructor(k: KernelImpl, seed: Uint8Array) {
    this.k = k;
    const r = k.raw;
    r.fsprgSetup(k.putIO(seed));
    const cp = r.fsprgCtxPtr();
    this.ctx = k.mem().slice(cp, cp + r.fsprgCtxSize());
    k.fsprgOwner = this;
    r.fsprgExportPQN(k.putIO(new Uint8Array(0)));
    const pqn = k.getIO(0, 384);
    this.p = pqn.slice(0, 96); this.q = pqn.slice(96, 192); this.n = pqn.slice(192, 384);
  }

  private load(): void {
    if (this.k.fsprgOwner === this) return;
    this.k.mem().set(this.ctx, this.k.raw.fsprgCtxPtr());
    this.k.fsprgOwner = this;
  }

  state(epoch: bigint): Uint8Array {
    checkEpoch(epoch);
    this.load();
    const io = this.k.putIO(new Uint8Array(0));
    this.k.raw.fsprgSeek(epoch, io);
    return this.k.getIO(0, FSPRG_STATE_SIZE);
  }

  epochKey(epoch: bigint): Uint8Array {
    checkEpoch(epoch);
    const k = this.k, r = k.raw, out = k.IO + 512;
    // both paths use this seed's context (p, q and their Montgomery constants)
    this.load();
    if (k.fsprgCurOwner === this && epoch === this.curEpoch + 1n) {
      r.fsprgNextKey(out); // Evolve (two half-size squarings) and the key, in one call
    } else {
      if (k.fsprgCurOwner !== this || epoch !== this.curEpoch) {
        r.fsprgSeekCur(epoch);
        k.fsprgCurOwner = this;
      }
      r.fsprgGetKey(r.fsprgCurPtr(), out);
    }
    this.curEpoch = epoch;
    return k.getIO(512, 32);
  }

}

/** FSPRG_Evolve of a 394-byte state with the kernel's arithmetic (tests; the verifier uses epochKey). */
export function evolveState(kernel: Kernel, state: Uint8Array): Uint8Array {
  if (!(kernel instanceof KernelImpl)) throw new TypeError("evolveState needs a kernel from loadKernel()");
  return kernel.evolve(state);
}

/** FSPRG_GetKey(state, 32, 0): the HMAC key of a 394-byte state. */
export function stateKey(kernel: Kernel, state: Uint8Array): Uint8Array {
  if (!(kernel instanceof KernelImpl)) throw new TypeError("stateKey needs a kernel from loadKernel()");
  return kernel.stateKey(state);
}

class ArenaImpl implements JournalArena {
  window: Uint8Array;
  base = 0;
  constructor(readonly kernel: KernelImpl, private readonly ptr: number, readonly size: number) {
    this.window = new Uint8Array(kernel.raw.memory.buffer, ptr, size);
  }
  shift(keep: number, loaded: number): void {
    if (keep === this.base) return;
    this.kernel.raw.scanAvail(BigInt(loaded));
    if (this.kernel.raw.winShift(BigInt(keep), BigInt(loaded)) === 0) throw new RangeError(`window: cannot keep [${keep}, ${loaded}) from ${this.base}`);
    this.base = keep;
  }
  at(from: number, to: number): Uint8Array {
    if (!(from >= this.base && from <= to && to - this.base <= this.window.length)) throw new RangeError(`file bytes [${from}, ${to}) are not in the window (from ${this.base})`);
    return this.window.subarray(from - this.base, to - this.base);
  }
  scanInit(headerSize: number, tailObject: number, compact: boolean, keyedHash: boolean, sealed: boolean): void {
    this.kernel.raw.scanInit(BigInt(headerSize), BigInt(tailObject), compact ? 1 : 0, keyedHash ? 1 : 0, sealed ? 1 : 0);
  }
  scanRun(budget: number): number {
    return this.kernel.raw.scanRun(budget);
  }
  scanOut(): BigUint64Array {
    return new BigUint64Array(this.kernel.raw.memory.buffer, this.kernel.raw.scanOutPtr(), SCAN_OUT_SLOTS).slice();
  }
  scanTags(to: number, from = 0): BigUint64Array {
    const r = this.kernel.raw;
    return new BigUint64Array(r.memory.buffer, r.scanTagsPtr() + from * TAG_REC_SLOTS * 8, (to - from) * TAG_REC_SLOTS).slice();
  }
  scanCompressed(to: number, from = 0): Uint32Array {
    return new Uint32Array(this.kernel.raw.memory.buffer, this.kernel.raw.scanCompressedPtr() + from * 4, to - from).slice();
  }
  zstdConfirmListed(from: number, to: number, payloadOffset: number, keyed: boolean, fileId: Uint8Array): number {
    if (to <= from) return to;
    const r = this.kernel.raw;
    if (fileId.length !== 16) throw new RangeError('zstdConfirmListed: a file ID is 16 bytes');
    this.checkListed(from, to);
    this.kernel.mem().set(fileId, r.zstdKeyPtr());
    return r.zstdCheckObjects(this.fileBase(), r.scanCompressedPtr(), from, to, payloadOffset, keyed ? 1 : 0);
  }
  packListed(from: number, to: number, payloadOffset: number, into: Uint8Array): ZstdBatch {
    const r = this.kernel.raw;
    const n = to <= from ? 0 : (this.checkListed(from, to), r.zstdPack(this.fileBase(), r.scanCompressedPtr(), from, to, payloadOffset, into.length));
    const buf = r.memory.buffer;
    const ends = new Uint32Array(buf, r.zstdEndsPtr(), n).slice();
    const used = n > 0 ? ends[n - 1]! : 0;
    into.set(new Uint8Array(buf, r.zstdInPtr(), used));
    return { bytes: into.subarray(0, used), ends, flags: new Uint8Array(buf, r.zstdFlagsPtr(), n).slice(), hashes: new BigUint64Array(buf, r.zstdHashesPtr(), n).slice() };
  }
  /** [from, to) of pass 1's list of compressed objects: listed, and in the window (the list is in file order: its first there means all are). */
  private checkListed(from: number, to: number): void {
    const r = this.kernel.raw;
    if (!(from >= 0 && to <= r.scanCompressedCount())) throw new RangeError(`[${from}, ${to}) beyond the list of compressed objects`);
    const first = new Uint32Array(r.memory.buffer, r.scanCompressedPtr() + from * 4, 1)[0]!;
    if (first < this.base) throw new RangeError(`the object at ${first} is no longer in the window (from ${this.base})`);
  }
  /** Where file offset 0 would be in wasm memory: file offset o is at fileBase() + o (u32 addresses: the sum wraps as the kernel's does). */
  private fileBase(): number {
    return (this.ptr - this.base) >>> 0;
  }
  scanAvail(n: number): void {
    this.kernel.raw.scanAvail(BigInt(n));
  }
  scanPosition(): number {
    return Number(this.kernel.raw.scanPosition());
  }
  scanCounts(): { tags: number; compressed: number } {
    return { tags: this.kernel.raw.scanTagCount(), compressed: this.kernel.raw.scanCompressedCount() };
  }
  private prepared: boolean | undefined;
  get sized(): boolean {
    return this.prepared === true;
  }
  prepareScan(t: ScanTables): boolean {
    if (this.prepared !== undefined) return this.prepared;
    const big = (n: number) => BigInt(Math.max(0, Math.floor(n)));
    this.prepared = this.kernel.raw.scanAlloc(big(t.maxData), big(t.maxTags), big(t.maxBuckets)) !== 0;
    // growing the memory detached the old view (of any size, 0 included)
    if (this.window.buffer !== this.kernel.raw.memory.buffer) this.window = new Uint8Array(this.kernel.raw.memory.buffer, this.ptr, this.size);
    return this.prepared;
  }
  private stage: number | undefined;
  private stageSize: number | undefined;
  /** A segment's bytes must all be in the window (the caller keeps them there until hashed). */
  private checkSpan(j: SegmentSpan): void {
    if (!(j.start >= this.base && j.start <= j.tag && j.tag + 64 - this.base <= this.window.length)) {
      throw new RangeError(`segment [${j.start}, ${j.tag}] is not in the window (from ${this.base})`);
    }
  }
  hmacSegments(jobs: readonly SegmentJob[]): Uint8Array[] {
    if (!this.prepared) throw new Error('hmacSegments: the scan tables are not sized');
    for (const j of jobs) this.checkSpan(j);
    return this.kernel.segmentLanes(jobs);
  }
  gatherSegment(j: SegmentSpan, into: Uint8Array): Uint8Array {
    if (!this.prepared) throw new Error('gatherSegment: the scan tables are not sized');
    this.checkSpan(j);
    // The message is at most the segment's span of the file plus the header pieces (in its first 256 bytes).
    const bound = j.tag + 64 - j.start + (j.withHeader ? 256 : 0);
    const out = into.length >= bound ? into : new Uint8Array(bound);
    const k = this.kernel, r = k.raw;
    const stage = (this.stage ??= r.scanStagePtr()), cap = (this.stageSize ??= r.scanStageSize()), ST = k.segmentStatePtr();
    r.segmentStart(ST, j.start, j.tag, j.withHeader ? 1 : 0);
    let at = 0;
    // (the memory never grows after prepareScan: the views stay attached)
    while (k.mem32()[(ST >> 2) + 4] !== 1) {
      const n = r.segmentGather(ST, stage, cap);
      out.set(k.mem().subarray(stage, stage + n), at);
      at += n;
    }
    return out.subarray(0, at);
  }
}

/** scan.ts: OUT slots and the u64 slots of one tag record. */
export const SCAN_OUT_SLOTS = 20;
export const TAG_REC_SLOTS = 15;
export const ScanOut = {
  nObjects: 0, nEntries: 1, nData: 2, nFields: 3, nEntryArrays: 4, nTags: 5, foundMain: 6, entrySet: 7,
  lastSeqnum: 8, lastMonotonic: 9, lastBootOff: 10, lastRealtime: 11, tailMinRealtime: 12, nCompressed: 13,
  reason: 14, reasonOffset: 15, mainLast: 16, position: 17,
  /** 2 slots: the last entry's boot ID, as its 16 bytes read little-endian. */
  lastBootId: 18,
} as const;
export const TagRec = {
  offset: 0, epoch: 1, entryRealtime: 2, entrySet: 3, maxRealtime: 4, minRealtime: 5, count: 6,
  firstSeqnum: 7, lastSeqnum: 8, firstRealtime: 9, lastRealtime: 10,
  /** 4 slots: the tag's stored HMAC (32 bytes). */
  tag: 11,
} as const;
