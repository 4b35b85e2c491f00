/**
 * journal_file_verify() of systemd 252 / 254 (src/libsystemd/sd-journal/journal-verify.c), check for
 * check, in the same order, with the same messages and offsets (spec verify-and-fss.md §2). Seal
 * specifics (tag time checks, HMAC ranges, epoch keys) live in seal.ts.
 *
 * Where systemd hangs (a cyclic data hash chain walked by data_object_in_hash_table) we stop after a
 * bounded walk and report a failure instead. Memory: one byte per 8 file bytes for the "which object
 * starts here" map (replaces systemd's three sorted offset files; membership becomes O(1)).
 */
import { JournalError, STRERROR, type Errno } from '../errors.js';
import { JournalFile, objectTypeName, type ObjectRef } from '../journal/file.js';
import { DecompressError, compressionOf, decompressPayload, prepareZstd } from '../journal/compress.js';
import {
  CompatibleFlag,
  DataObject,
  EntryArrayObject,
  EntryObject,
  FieldObject,
  HashTableObject,
  Header,
  IncompatibleFlag,
  ObjectFlag,
  ObjectType,
  TagObject,
  align64,
} from '../journal/format.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PlatformHmac } from './tag-macs.js';
import type { MacHelper } from './mac-helper.js';
import type { Failure, SealSegment, SystemdVersion } from './report.js';
import { Respeculate, SealState, type ParsedKey } from './seal.js';
import { hex6, hex8, type LocalTimeFn } from './text.js';

export const USEC_INFINITY = (1n << 64n) - 1n;

/** Compatible flags journal_file_verify accepts (HEADER_COMPATIBLE_SUPPORTED with gcrypt). */
export const COMPATIBLE_SUPPORTED: Record<SystemdVersion, number> = {
  252: CompatibleFlag.SEALED,
  254: CompatibleFlag.SEALED | CompatibleFlag.TAIL_ENTRY_BOOT_ID,
};

/** Internal: the verification stopped with this errno (its lines are already logged). */
class Stop {
  constructor(readonly errno: Errno) {}
}

/** Thrown when VerifyContext.signal is aborted. */
export class VerifyAborted extends Error {
  constructor() {
    super('verification cancelled');
    this.name = 'AbortError';
  }
}

export interface VerifyContext {
  version: SystemdVersion;
  kernel: Kernel;
  /** Parsed key, or null (no key given). */
  key: ParsedKey | null;
  /**
   * false: structural checks only — tags are checked for order but neither their time window nor
   * their HMAC (used to answer "is the structure sound?" for a sealed file without a key).
   */
  sealChecks: boolean;
  localTime: LocalTimeFn;
  onProgress?: (done: number, total: number) => void;
  signal?: { readonly aborted: boolean };
  /** The platform's HMAC-SHA256 for the fast path's tag segments (tag-macs.ts). */
  hmac?: PlatformHmac;
  /** A second thread for the tag keys and HMACs (mac-helper.ts); it must hold the same key. */
  macHelper?: MacHelper;
}

export interface VerifyRun {
  /** Lines journal_file_verify logged (detail lines, then "File corruption detected at …"). */
  lines: string[];
  /** null = success. */
  errno: Errno | null;
  failure?: Failure;
  /** journal_file_verify's *last_validated (v252/254: realtime of the last entry before the last good tag). */
  validated: bigint;
  /** Pass-1 position at the end (where a failure was detected). */
  position: number;
  /** Tag segments whose HMAC was computed, in file order. */
  segments: SealSegment[];
  /** true when the failure came from a seal check (tag time window, HMAC, epoch key), not from the structure. */
  sealFailure: boolean;
  /** Entries seen in pass 1 since the last tag (for the unsealed-tail summary). */
  nTags: number;
}

/** DATA/FIELD payload hashes checked per kernel call in the speculative run. */
const HASH_BATCH = 8192;

/** Kinds stored in the object-start map. */
const K_DATA = 1;
const K_ENTRY = 3;
const K_ENTRY_ARRAY = 6;

/** Journal file + the version-specific acceptance rules systemd 254 adds on top of 252's. */
export class Access {
  readonly view: DataView;
  constructor(
    readonly f: JournalFile,
    readonly version: SystemdVersion,
  ) {
    this.view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  }

  /** journal_file_move_to_object; returns the object or the errno. */
  move(offset: number, type: number = ObjectType.UNUSED): ObjectRef | Errno {
    const r = this.f.tryObject(offset, type);
    if (r instanceof JournalError) return r.errno;
    if (this.version >= 254) {
      // 254 (check_object_header / check_object): unknown types and entries without boot ID are refused.
      if (r.type >= 8) return 'EBADMSG';
      if (r.type === ObjectType.ENTRY && this.isNullId(offset + EntryObject.bootId)) return 'EBADMSG';
    }
    return r;
  }

  isNullId(off: number): boolean {
    const v = this.view;
    return v.getUint32(off, true) === 0 && v.getUint32(off + 4, true) === 0 && v.getUint32(off + 8, true) === 0 && v.getUint32(off + 12, true) === 0;
  }

  idEqual(a: number, b: number): boolean {
    const v = this.view;
    for (let i = 0; i < 16; i += 4) if (v.getUint32(a + i, true) !== v.getUint32(b + i, true)) return false;
    return true;
  }

  /** u64 offset/size as a number: exact below 2^52; above, JournalFile's alignment-preserving stand-in. */
  n64(off: number): number {
    return this.f.offsetValue(off);
  }
  b64(off: number): bigint {
    return this.view.getBigUint64(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  /** Object size field as number. */
  size(off: number): number {
    return this.n64(off + 8);
  }
}

/**
 * Open like journalctl --file does for the given version. Returns the file or the errno that makes
 * journalctl print "Failed to open files: <strerror>".
 */
/** The file opened (its header checked), or the errno; `size`: the file's, when `bytes` is only its head. */
export function openJournal(name: string, bytes: Uint8Array, version: SystemdVersion, size?: number): JournalFile | Errno {
  try {
    return JournalFile.open(bytes, name, { version, size });
  } catch (e) {
    if (e instanceof JournalError) return e.errno;
    return 'EBADMSG';
  }
}

// ------------------------------------------------------------------------------------------------
// generic_array_bisect (journal-file.c) with the "offset" test and DIRECTION_DOWN, including the
// per-file chain cache, so that unsorted (corrupted) chains give systemd's answer too.

interface ChainCacheItem {
  first: number;
  array: number;
  begin: number;
  total: number;
  lastIndex: number; // -1 = UINT64_MAX
}
const CHAIN_CACHE_MAX = 20;
const TEST_LEFT = 1;
const TEST_RIGHT = 2;

class Bisector {
  private readonly cache = new Map<number, ChainCacheItem>();
  constructor(
    private readonly acc: Access,
    private readonly isArray: (a: number) => boolean,
  ) {}

  /** journal_file_move_to_object(ENTRY_ARRAY, a): capacity, or throws Stop. */
  private array(a: number): number {
    if (!this.isArray(a)) {
      const r = this.acc.move(a, ObjectType.ENTRY_ARRAY);
      if (typeof r === 'string') throw new Stop(r);
    }
    return (this.acc.size(a) - EntryArrayObject.ITEMS) / this.acc.f.entryArrayItemSize;
  }
  private item(a: number, i: number): number {
    const at = a + EntryArrayObject.ITEMS + i * this.acc.f.entryArrayItemSize;
    return this.acc.f.compact ? this.acc.u32(at) : this.acc.n64(at);
  }
  private next(a: number): number {
    return this.acc.n64(a + EntryArrayObject.nextEntryArrayOffset);
  }

  private put(ci: ChainCacheItem | undefined, first: number, array: number, begin: number, total: number, lastIndex: number): void {
    if (!ci) {
      if (array === first) return;
      if (this.cache.size >= CHAIN_CACHE_MAX) {
        const oldest = this.cache.keys().next().value as number;
        this.cache.delete(oldest);
      }
      ci = { first, array, begin, total, lastIndex };
      this.cache.set(first, ci);
      return;
    }
    ci.array = array;
    ci.begin = begin;
    ci.total = total;
    ci.lastIndex = lastIndex;
  }

  /** Offset test, DIRECTION_DOWN: FOUND counts as RIGHT. */
  private static test(p: number, needle: number): number {
    return p < needle ? TEST_LEFT : TEST_RIGHT;
  }

  /** generic_array_bisect(first, n, needle, DOWN) → found (1) or not (0); throws Stop on read errors. */
  bisect(first: number, n: number, needle: number): boolean {
    return this.acc.version >= 254 ? this.bisect254(first, n, needle) : this.bisect252(first, n, needle);
  }

  private bisect252(first: number, n: number, needle: number): boolean {
    let a = first;
    let t = 0;
    let lastIndex = -1;
    let i = 0;
    const ci = this.cache.get(first);
    if (ci && n > ci.total && ci.begin !== 0) {
      if (Bisector.test(ci.begin, needle) === TEST_LEFT) {
        a = ci.array;
        n -= ci.total;
        t = ci.total;
        lastIndex = ci.lastIndex;
      }
    }
    while (a > 0) {
      const k = this.array(a);
      let right = Math.min(k, n);
      if (right <= 0) return false;
      i = right - 1;
      const p0 = this.item(a, i);
      if (p0 <= 0) {
        n = i;
        continue;
      }
      if (Bisector.test(p0, needle) === TEST_RIGHT) {
        let left = 0;
        right -= 1;
        if (lastIndex !== -1) {
          if (lastIndex > 0) {
            const x = lastIndex - 1;
            const p = this.item(a, x);
            if (p <= 0) throw new Stop('EBADMSG');
            if (Bisector.test(p, needle) === TEST_RIGHT) right = x;
            else left = x + 1;
          }
          if (lastIndex < right) {
            const y = lastIndex + 1;
            const p = this.item(a, y);
            if (p <= 0) throw new Stop('EBADMSG');
            if (Bisector.test(p, needle) === TEST_RIGHT) right = y;
            else left = y + 1;
          }
        }
        for (;;) {
          if (left === right) {
            i = left;
            this.put(ci, first, a, this.item(a, 0), t, i);
            return true;
          }
          i = Math.floor((left + right) / 2);
          const p = this.item(a, i);
          if (p <= 0) {
            right = n = i;
            continue;
          }
          if (Bisector.test(p, needle) === TEST_RIGHT) right = i;
          else left = i + 1;
        }
      }
      if (k >= n) return false;
      n -= k;
      t += k;
      lastIndex = -1;
      a = this.next(a);
    }
    return false;
  }

  private bisect254(first: number, n: number, needle: number): boolean {
    let a = first;
    let t = 0;
    let lastIndex = -1; // UINT64_MAX
    const ci = this.cache.get(first);
    if (ci && n > ci.total && ci.begin !== 0) {
      if (Bisector.test(ci.begin, needle) === TEST_LEFT) {
        a = ci.array;
        n -= ci.total;
        t = ci.total;
        lastIndex = ci.lastIndex;
      }
    }
    // generic_array_bisect_one: updates left/right; returns TEST_* or -1 (ENOANO: item 0 → cut short)
    const lr = { left: 0, right: 0 };
    const one = (i: number): number => {
      this.array(a);
      const p = this.item(a, i);
      if (p <= 0) {
        lr.right = i;
        return -1;
      }
      const r = Bisector.test(p, needle);
      if (r === TEST_RIGHT) lr.right = i;
      else lr.left = i + 1;
      return r;
    };
    while (a > 0) {
      const k = this.array(a);
      lr.left = 0;
      lr.right = Math.min(k, n);
      if (lr.right <= 0) return false;
      lr.right--;
      const r = one(lr.right);
      if (r === -1) {
        n = lr.right;
        continue;
      }
      if (r === TEST_RIGHT) {
        // last_index is UINT64_MAX when unset: "last_index > 0 && last_index - 1 < right" holds only
        // for a real index; "last_index < right" never holds for UINT64_MAX.
        if (lastIndex !== -1 && lastIndex > 0 && lastIndex - 1 < lr.right) one(lastIndex - 1);
        if (lastIndex !== -1 && lastIndex < lr.right) one(lastIndex + 1);
        for (;;) {
          if (lr.left === lr.right) {
            const i = lr.left;
            this.array(a);
            const p0 = this.item(a, 0);
            if (p0 <= 0) throw new Stop('EBADMSG');
            this.put(ci, first, a, p0, t, i);
            return true;
          }
          one(Math.floor((lr.left + lr.right) / 2));
        }
      }
      if (k >= n) return false;
      n -= k;
      t += k;
      lastIndex = -1;
      a = this.next(a);
    }
    return false;
  }

  /** generic_array_bisect_plus_one(extra, first, n, needle, DOWN). */
  bisectPlusOne(extra: number, first: number, n: number, needle: number): boolean {
    if (n <= 0) return false;
    if (Bisector.test(extra, needle) === TEST_RIGHT) return true;
    return this.bisect(first, n - 1, needle);
  }
}

// ------------------------------------------------------------------------------------------------

/**
 * journal_file_verify's header consistency checks after pass 1 (spec §2.5): the first mismatch, or
 * null. `lastRealtime` is the realtime of the last entry pass 1 saw.
 */
export function headerMismatch(
  f: JournalFile,
  acc: Access,
  version: SystemdVersion,
  c: Pass1Counters,
  nTags: number,
  lastRealtime: bigint,
): { offset: number; message: string; check: string } | null {
  const H = f.header;
  // "Tail object pointer dead" is unreachable: the loop only ends at the tail (or tail == 0).
  if (BigInt(c.nObjects) !== H.nObjects) {
    return { offset: Header.nObjects, message: `Object number mismatch (${c.nObjects} != ${H.nObjects})`, check: 'header-n-objects' };
  }
  if (BigInt(c.nEntries) !== H.nEntries) {
    return { offset: Header.nEntries, message: `Entry number mismatch (${c.nEntries} != ${H.nEntries})`, check: 'header-n-entries' };
  }
  if (H.nData !== undefined && BigInt(c.nData) !== H.nData) {
    return { offset: Header.nData, message: `Data number mismatch (${c.nData} != ${H.nData})`, check: 'header-n-data' };
  }
  if (H.nFields !== undefined && BigInt(c.nFields) !== H.nFields) {
    return { offset: Header.nFields, message: `Field number mismatch (${c.nFields} != ${H.nFields})`, check: 'header-n-fields' };
  }
  if (H.nTags !== undefined && BigInt(nTags) !== H.nTags) {
    return { offset: Header.nTags, message: `Tag number mismatch (${nTags} != ${H.nTags})`, check: 'header-n-tags' };
  }
  if (H.nEntryArrays !== undefined && BigInt(c.nEntryArrays) !== H.nEntryArrays) {
    return { offset: Header.nEntryArrays, message: `Entry array number mismatch (${c.nEntryArrays} != ${H.nEntryArrays})`, check: 'header-n-entry-arrays' };
  }
  if (!c.foundMainEntryArray && H.entryArrayOffset !== 0) {
    return { offset: 0, message: 'Missing main entry array', check: 'main-entry-array' };
  }
  if (c.entrySet && c.entrySeqnum !== H.tailEntrySeqnum) {
    return { offset: Header.tailEntrySeqnum, message: `Tail entry sequence number incorrect (${c.entrySeqnum} != ${H.tailEntrySeqnum})`, check: 'tail-entry-seqnum' };
  }
  if (
    c.entrySet &&
    (c.entryBootId ? idEqualHeader(f, c.entryBootId, Header.tailEntryBootId) : acc.idEqual(c.entryBootOff, Header.tailEntryBootId)) &&
    (version < 254 || (H.compatibleFlags & CompatibleFlag.TAIL_ENTRY_BOOT_ID) !== 0) &&
    c.entryMonotonic !== H.tailEntryMonotonic
  ) {
    return { offset: 0, message: `Invalid tail monotonic timestamp (${c.entryMonotonic} != ${H.tailEntryMonotonic})`, check: 'tail-entry-monotonic' };
  }
  if (c.entrySet && lastRealtime !== H.tailEntryRealtime) {
    return { offset: 0, message: `Invalid tail realtime timestamp (${lastRealtime} != ${H.tailEntryRealtime})`, check: 'tail-entry-realtime' };
  }
  return null;
}

/** What pass 1 counted (header consistency checks compare these with the header). */
export interface Pass1Counters {
  nObjects: number;
  nEntries: number;
  nData: number;
  nFields: number;
  nEntryArrays: number;
  foundMainEntryArray: boolean;
  entrySet: boolean;
  entrySeqnum: bigint;
  entryMonotonic: bigint;
  entryBootOff: number;
  /** The last entry's boot ID itself (the fast path: its bytes may have left the window). */
  entryBootId?: Uint8Array;
}

/** A 16-byte ID equals the header's at `at`. */
function idEqualHeader(f: JournalFile, id: Uint8Array, at: number): boolean {
  for (let i = 0; i < 16; i++) if (id[i] !== f.bytes[at + i]) return false;
  return true;
}

/** journal_file_verify(). Never throws for bad input (only VerifyAborted on cancellation). */
export async function verifyStructure(f: JournalFile, ctx: VerifyContext): Promise<VerifyRun> {
  // Speculative run: tag HMACs batched (4-lane SIMD) and DATA/FIELD hashes batched (many per kernel
  // call), assuming every one is good; if one is not, verify again object by object so the run stops
  // exactly where journalctl's does, with its lines.
  try {
    return await new Verifier(f, ctx, true).run();
  } catch (e) {
    if (!(e instanceof Respeculate)) throw e;
  }
  return new Verifier(f, ctx, false).run();
}

class Verifier {
  readonly acc: Access;
  readonly lines: string[] = [];
  readonly size: number;
  /** Object-start map: kind at offset/8 for DATA, ENTRY, ENTRY_ARRAY objects found in pass 1. */
  kinds: Uint8Array;
  p = 0;
  failure?: Failure;
  seal: SealState;
  sealFailure = false;
  objectsSeen = 0;
  /** Offsets of the DATA objects found in pass 1, in file order (index = the one stored in `kinds`). */
  dataOffs = new Float64Array(0);

  /** Tag HMACs deferred to batches (speculative run of a sealed file with a key). */
  readonly deferHmac: boolean;
  /** DATA/FIELD hashes deferred to batches (speculative run): ranges of the payloads and their objects. */
  readonly batchHash: boolean;
  private hashRanges = new Float64Array(2 * HASH_BATCH);
  private hashObjs = new Float64Array(HASH_BATCH);
  private nHash = 0;

  constructor(
    readonly f: JournalFile,
    readonly ctx: VerifyContext,
    speculative = false,
  ) {
    this.acc = new Access(f, ctx.version);
    this.size = f.size;
    this.kinds = new Uint8Array(Math.ceil(f.size / 8) + 1);
    this.seal = new SealState(f, this.acc, ctx);
    this.deferHmac = speculative && ctx.sealChecks && ctx.key !== null && f.sealed;
    this.seal.deferred = this.deferHmac;
    this.batchHash = speculative;
  }

  /** Queues the hash check of the payload [start, end) of the DATA/FIELD object at p. */
  private queueHash(p: number, start: number, end: number): void {
    const i = this.nHash;
    this.hashRanges[2 * i] = start;
    this.hashRanges[2 * i + 1] = end - start;
    this.hashObjs[i] = p;
    if (++this.nHash === HASH_BATCH) this.flushHashes();
  }

  /** Hashes the queued payloads; throws Respeculate when one differs from its object's stored hash. */
  flushHashes(): void {
    const n = this.nHash;
    if (n === 0) return;
    this.nHash = 0;
    const k = this.ctx.kernel;
    const b = this.f.bytes;
    const h = this.f.keyedHash ? k.siphash24Many(b.subarray(Header.fileId, Header.fileId + 16), b, this.hashRanges, n) : k.jenkinsHash64Many(b, this.hashRanges, n);
    const acc = this.acc;
    for (let i = 0; i < n; i++) {
      const at = this.hashObjs[i]! + DataObject.hash; // FieldObject.hash is at the same offset
      if (acc.u32(at) !== h[2 * i] || acc.u32(at + 4) !== h[2 * i + 1]) throw new Respeculate();
    }
  }

  /** error(offset, fmt): "%06x: msg"; records the first failure. */
  error(offset: number | bigint, message: string, check: string, errno: Errno, objectType?: number): Stop {
    this.lines.push(`${hex6(this.f.rawOffset(offset))}: ${message}`);
    this.failure ??= {
      offset: Number(offset),
      position: this.p,
      objectType: objectType !== undefined ? objectTypeName(objectType) : undefined,
      check,
      message,
      errno,
    };
    return new Stop(errno);
  }
  /** log_error without offset prefix. */
  plain(message: string, check: string, errno: Errno, offset = 0): Stop {
    this.lines.push(message);
    this.failure ??= { offset, position: this.p, check, message, errno };
    return new Stop(errno);
  }

  private tick(): void {
    if (++this.objectsSeen % 4096 === 0) {
      if (this.ctx.signal?.aborted) throw new VerifyAborted();
      this.ctx.onProgress?.(this.progressDone, this.size);
    }
  }
  progressDone = 0;

  async run(): Promise<VerifyRun> {
    let errno: Errno | null = null;
    let pass1Done = false;
    try {
      await this.pass1();
      this.flushHashes();
      this.seal.flush();
      pass1Done = true;
      this.headerChecks();
      this.pass2a();
      this.pass2b();
      this.ctx.onProgress?.(this.size, this.size);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      if (!pass1Done) {
        // A bad batched hash or tag before this failure would have stopped pass 1 first.
        this.flushHashes();
        this.seal.flush();
      }
      errno = e.errno;
      if (this.failure) this.failure.position = this.p;
      else this.failure = { offset: this.p, position: this.p, check: 'read', message: STRERROR[errno], errno };
      const pct = this.size > 0 ? Math.floor((100 * this.p) / this.size) : 0;
      const pos = this.ctx.version >= 254 ? String(this.p) : hex6(this.p);
      this.lines.push(`File corruption detected at ${this.f.name}:${pos} (of ${this.size} bytes, ${pct}%).`);
      // Beyond journalctl: list every bad seal, not only the first.
      if (!pass1Done && this.ctx.sealChecks && this.ctx.key) this.seal.audit(this.f.header.tailObjectOffset);
    }
    return {
      lines: this.lines,
      errno,
      failure: errno ? this.failure : undefined,
      validated: this.seal.lastSealedRealtime,
      position: this.p,
      segments: this.seal.segments,
      sealFailure: errno !== null && this.sealFailure,
      nTags: this.seal.nTags,
    };
  }

  // ---------------------------------------------------------------- pass 1
  async pass1(): Promise<void> {
    const f = this.f;
    const acc = this.acc;
    const version = this.ctx.version;
    const H = f.header;

    if ((H.compatibleFlags & ~COMPATIBLE_SUPPORTED[version]) !== 0) {
      throw this.plain('Cannot verify file with unknown extensions.', 'unknown-extensions', 'EOPNOTSUPP');
    }
    for (let i = 0; i < 7; i++) {
      if (f.bytes[Header.reserved + i] !== 0) {
        throw this.error(Header.reserved + i, 'Reserved field is non-zero', 'header-reserved', 'EBADMSG');
      }
    }

    if (H.incompatibleFlags & IncompatibleFlag.COMPRESSED_ZSTD) await prepareZstd();
    const tail = H.tailObjectOffset;
    const sealed = f.sealed;
    const seal = this.seal;
    let nObjects = 0;
    let nEntries = 0;
    let nData = 0;
    let nFields = 0;
    let nEntryArrays = 0;
    let nDataHashTables = 0;
    let nFieldHashTables = 0;
    let foundMainEntryArray = false;
    // last entry (entry_seqnum/monotonic/realtime/boot_id)
    let entrySet = false;
    let entrySeqnum = 0n;
    let entryMonotonic = 0n;
    let entryBootOff = 0;
    const kinds = this.kinds;

    let p = H.headerSize;
    this.p = p;
    for (;;) {
      if (tail === 0) break;
      this.progressDone = Math.floor(p * 0.6);
      this.tick();
      const o = acc.move(p);
      if (typeof o === 'string') throw this.error(p, `Invalid object: ${STRERROR[o]}`, 'object', o);
      if (p > tail) {
        throw this.error(Header.tailObjectOffset, `Invalid tail object pointer (${p} > ${tail})`, 'tail-object-pointer', 'EBADMSG');
      }
      nObjects++;
      if (this.deferHmac) seal.note(p, o.type, o.size);

      const r0 = this.objectVerify(o);
      const r = r0 !== null && typeof r0 === 'object' ? await r0 : r0; // a Promise only for XZ
      if (r) throw this.error(p, `Invalid object contents: ${STRERROR[r]}`, this.failure?.check ?? 'object-contents', r, o.type);

      const fl = o.flags;
      if ((fl & ObjectFlag.COMPRESSED_XZ) && !(H.incompatibleFlags & IncompatibleFlag.COMPRESSED_XZ)) {
        throw this.error(p, 'XZ compressed object in file without XZ compression', 'compression-flag', 'EBADMSG', o.type);
      }
      if ((fl & ObjectFlag.COMPRESSED_LZ4) && !(H.incompatibleFlags & IncompatibleFlag.COMPRESSED_LZ4)) {
        throw this.error(p, 'LZ4 compressed object in file without LZ4 compression', 'compression-flag', 'EBADMSG', o.type);
      }
      if ((fl & ObjectFlag.COMPRESSED_ZSTD) && !(H.incompatibleFlags & IncompatibleFlag.COMPRESSED_ZSTD)) {
        throw this.error(p, 'ZSTD compressed object in file without ZSTD compression', 'compression-flag', 'EBADMSG', o.type);
      }

      switch (o.type) {
        case ObjectType.DATA: {
          // The slot after a DATA start is inside the object (size > 64): it carries the object's index,
          // 7 bits per byte with the high bit set so no interior byte ever equals a kind code.
          const s = p / 8;
          kinds[s] = K_DATA;
          kinds[s + 1] = 0x80 | (nData & 0x7f);
          kinds[s + 2] = 0x80 | ((nData >>> 7) & 0x7f);
          kinds[s + 3] = 0x80 | ((nData >>> 14) & 0x7f);
          kinds[s + 4] = 0x80 | ((nData >>> 21) & 0x7f);
          if (nData === this.dataOffs.length) {
            const grown = new Float64Array(Math.max(1024, this.dataOffs.length * 2));
            grown.set(this.dataOffs);
            this.dataOffs = grown;
          }
          this.dataOffs[nData] = p;
          nData++;
          break;
        }
        case ObjectType.FIELD:
          nFields++;
          break;
        case ObjectType.ENTRY: {
          if (sealed && seal.nTags <= 0) throw this.error(p, 'First entry before first tag', 'entry-before-first-tag', 'EBADMSG', o.type);
          kinds[p / 8] = K_ENTRY;
          const seqnum = acc.b64(p + EntryObject.seqnum);
          const realtime = acc.b64(p + EntryObject.realtime);
          const monotonic = acc.b64(p + EntryObject.monotonic);
          if (realtime < seal.lastTagRealtime) {
            this.sealFailure = true;
            throw this.error(p, `Older entry after newer tag (${realtime} < ${seal.lastTagRealtime})`, 'entry-older-than-tag', 'EBADMSG', o.type);
          }
          if (!entrySet && seqnum !== H.headEntrySeqnum) {
            throw this.error(p, `Head entry sequence number incorrect (${seqnum} != ${H.headEntrySeqnum})`, 'head-entry-seqnum', 'EBADMSG', o.type);
          }
          if (entrySet && entrySeqnum >= seqnum) {
            throw this.error(p, `Entry sequence number out of synchronization (${entrySeqnum} >= ${seqnum})`, 'entry-seqnum', 'EBADMSG', o.type);
          }
          entrySeqnum = seqnum;
          if (entrySet && acc.idEqual(entryBootOff, p + EntryObject.bootId) && entryMonotonic > monotonic) {
            throw this.error(p, `Entry timestamp out of synchronization (${entryMonotonic} > ${monotonic})`, 'entry-monotonic', 'EBADMSG', o.type);
          }
          entryMonotonic = monotonic;
          entryBootOff = p + EntryObject.bootId;
          if (!entrySet && realtime !== H.headEntryRealtime) {
            throw this.error(p, `Head entry realtime timestamp incorrect (${realtime} != ${H.headEntryRealtime})`, 'head-entry-realtime', 'EBADMSG', o.type);
          }
          entrySet = true;
          seal.noteEntry(seqnum, realtime);
          nEntries++;
          break;
        }
        case ObjectType.DATA_HASH_TABLE:
          this.verifyHashTable(o, nDataHashTables, H.dataHashTableOffset, H.dataHashTableSize);
          nDataHashTables++;
          break;
        case ObjectType.FIELD_HASH_TABLE:
          this.verifyHashTable(o, nFieldHashTables, H.fieldHashTableOffset, H.fieldHashTableSize);
          nFieldHashTables++;
          break;
        case ObjectType.ENTRY_ARRAY:
          kinds[p / 8] = K_ENTRY_ARRAY;
          if (p === H.entryArrayOffset) {
            if (foundMainEntryArray) throw this.error(p, 'More than one main entry array', 'main-entry-array', 'EBADMSG', o.type);
            foundMainEntryArray = true;
          }
          nEntryArrays++;
          break;
        case ObjectType.TAG: {
          if (!sealed) throw this.error(p, 'Tag object in file without sealing', 'tag-unsealed', 'EBADMSG', o.type);
          const seqnum = acc.b64(p + TagObject.seqnum);
          const epoch = acc.b64(p + TagObject.epoch);
          if (seqnum !== BigInt(seal.nTags + 1)) {
            throw this.error(p, `Tag sequence number out of synchronization (${seqnum} != ${seal.nTags + 1})`, 'tag-seqnum', 'EBADMSG', o.type);
          }
          if (epoch < seal.lastEpoch) {
            throw this.error(p, `Epoch sequence out of synchronization (${epoch} < ${seal.lastEpoch})`, 'tag-epoch', 'EBADMSG', o.type);
          }
          if (this.ctx.sealChecks && this.ctx.key) {
            const res = seal.checkTag(p, epoch, seqnum);
            if (res) {
              this.sealFailure = res.seal;
              if (res.message === null) throw this.plainStop(res.errno, res.check);
              throw this.error(p, res.message, res.check, res.errno, o.type);
            }
          } else {
            seal.skipTag(p, epoch);
          }
          break;
        }
        default:
          break; // 252: unknown object types are counted and otherwise ignored
      }

      if (p === tail) break;
      p = p + align64(o.size);
      this.p = p;
    }
    this.p = p;

    // ------------------------------------------------------------ header consistency (§2.5)
    const ctr = { nObjects, nEntries, nData, nFields, nEntryArrays, foundMainEntryArray, entrySet, entrySeqnum, entryMonotonic, entryBootOff };
    this.counters = ctr;
  }

  counters!: Pass1Counters;

  /** A failure without a detail line (systemd returns an errno without logging). */
  plainStop(errno: Errno, check: string): Stop {
    this.failure ??= { offset: this.p, position: this.p, check, message: STRERROR[errno], errno };
    return new Stop(errno);
  }

  headerChecks(): void {
    const m = headerMismatch(this.f, this.acc, this.ctx.version, this.counters, this.seal.nTags, this.seal.entryRealtime);
    if (m) throw this.error(m.offset, m.message, m.check, 'EBADMSG');
  }

  private verifyHashTable(o: ObjectRef, count: number, headerOffset: number, headerSize: number): void {
    const name = objectTypeName(o.type);
    const p = o.offset;
    if (count > 1) throw this.error(p, `More than one ${name}: ${count}`, 'hash-table-count', 'EBADMSG', o.type);
    const hOff = this.acc.b64(o.type === ObjectType.DATA_HASH_TABLE ? Header.dataHashTableOffset : Header.fieldHashTableOffset);
    const hSize = this.acc.b64(o.type === ObjectType.DATA_HASH_TABLE ? Header.dataHashTableSize : Header.fieldHashTableSize);
    void headerOffset;
    void headerSize;
    if (hOff !== BigInt(p + HashTableObject.ITEMS)) {
      throw this.error(p, `Header offset for ${name} invalid (${hOff} != ${p + HashTableObject.ITEMS})`, 'hash-table-offset', 'EBADMSG', o.type);
    }
    if (hSize !== BigInt(o.size - HashTableObject.ITEMS)) {
      throw this.error(p, `Header size for ${name} invalid (${hSize} != ${o.size - HashTableObject.ITEMS})`, 'hash-table-size', 'EBADMSG', o.type);
    }
  }

  /** An object_verify failure with its detail line (no closure per object: this runs for every object). */
  private detail(o: ObjectRef, msg: string, check: string): Errno {
    const p = o.offset;
    this.lines.push(`${hex6(p)}: ${msg}`);
    this.failure ??= { offset: p, position: p, objectType: objectTypeName(o.type), check, message: msg, errno: 'EBADMSG' };
    return 'EBADMSG';
  }

  /** journal_file_object_verify: returns null or the errno (after logging the specific line, if any). */
  private objectVerify(o: ObjectRef): Errno | null | Promise<Errno | null> {
    const f = this.f;
    const acc = this.acc;
    const p = o.offset;
    if ((o.flags & 0x07) !== 0 && o.type !== ObjectType.DATA) {
      return this.detail(o, `Found compressed object of type ${objectTypeName(o.type)} that isn't of type data, which is not allowed.`, 'compressed-non-data');
    }
    switch (o.type) {
      case ObjectType.DATA: {
        // n_entries / size / alignment are already enforced by check_object (move_to_object).
        if (this.batchHash && (o.flags & 0x07) === 0) {
          this.queueHash(p, p + f.dataPayloadOffset, p + o.size);
          return null;
        }
        const stored = f.bytes.subarray(p + f.dataPayloadOffset, p + o.size);
        const h1 = acc.b64(p + DataObject.hash);
        const alg = compressionOf(o.flags);
        if (alg === 'invalid') {
          this.failure ??= { offset: p, position: p, objectType: 'data', check: 'data-compression', message: 'Invalid object contents: Bad message', errno: 'EBADMSG' };
          return 'EBADMSG';
        }
        const failed = (e: unknown): Errno => {
          if (e instanceof DecompressError) {
            const errno = e.errno;
            const msg = `${alg} decompression failed: ${STRERROR[errno]}`;
            this.lines.push(`${hex6(p)}: ${msg}`);
            this.failure ??= { offset: p, position: p, objectType: 'data', check: 'data-decompress', message: msg, errno };
            return errno;
          }
          throw e;
        };
        const compare = (payload: Uint8Array): Errno | null => {
          const h2 = this.hash(payload);
          if (h1 !== h2) return this.detail(o, `Invalid hash (${hex8(h1)} vs. ${hex8(h2)})`, 'data-hash');
          return null;
        };
        let r: Uint8Array | Promise<Uint8Array>;
        try {
          r = decompressPayload(o.flags, stored, { maxSize: 0x7fffffff });
        } catch (e) {
          return failed(e);
        }
        if (r instanceof Uint8Array) return compare(r);
        return r.then(compare, failed);
      }
      case ObjectType.FIELD: {
        if (this.batchHash) {
          this.queueHash(p, p + FieldObject.PAYLOAD, p + o.size);
          return null;
        }
        const h1 = acc.b64(p + FieldObject.hash);
        const h2 = this.hash(f.bytes.subarray(p + FieldObject.PAYLOAD, p + o.size));
        if (h1 !== h2) return this.detail(o, `Invalid hash (${hex8(h1)} vs. ${hex8(h2)})`, 'field-hash');
        return null;
      }
      case ObjectType.ENTRY: {
        const isz = f.entryItemSize;
        const n = (o.size - EntryObject.ITEMS) / isz;
        for (let i = 0; i < n; i++) {
          const at = p + EntryObject.ITEMS + i * isz;
          const lo = acc.u32(at);
          const zero = f.compact ? lo === 0 : lo === 0 && acc.u32(at + 4) === 0;
          if (zero || (lo & 7) !== 0) {
            const q = f.compact ? BigInt(lo) : acc.b64(at);
            return this.detail(o, `Invalid entry item (${i}/${n}) offset: ${hex6(q)}`, 'entry-item');
          }
        }
        return null;
      }
      case ObjectType.DATA_HASH_TABLE:
      case ObjectType.FIELD_HASH_TABLE: {
        const name = objectTypeName(o.type);
        const n = (o.size - HashTableObject.ITEMS) / HashTableObject.ITEM_SIZE;
        for (let i = 0; i < n; i++) {
          const at = p + HashTableObject.ITEMS + i * HashTableObject.ITEM_SIZE;
          const hLo = acc.u32(at);
          const hZero = hLo === 0 && acc.u32(at + 4) === 0;
          const tLo = acc.u32(at + 8);
          const tZero = tLo === 0 && acc.u32(at + 12) === 0;
          if (!hZero && (hLo & 7) !== 0) {
            return this.detail(o, `Invalid ${name} hash table item (${i}/${n}) head_hash_offset: ${hex6(acc.b64(at))}`, 'hash-table-item');
          }
          if (!tZero && (tLo & 7) !== 0) {
            return this.detail(o, `Invalid ${name} hash table item (${i}/${n}) tail_hash_offset: ${hex6(acc.b64(at + 8))}`, 'hash-table-item');
          }
          if (hZero !== tZero) {
            return this.detail(o, 
              `Invalid ${name} hash table item (${i}/${n}): head_hash_offset=${hex6(acc.b64(at))} tail_hash_offset=${hex6(acc.b64(at + 8))}`,
              'hash-table-item',
            );
          }
        }
        return null;
      }
      case ObjectType.ENTRY_ARRAY: {
        const isz = f.entryArrayItemSize;
        const n = (o.size - EntryArrayObject.ITEMS) / isz;
        for (let i = 0; i < n; i++) {
          const at = p + EntryArrayObject.ITEMS + i * isz;
          const lo = acc.u32(at);
          if ((lo & 7) !== 0) {
            const q = f.compact ? BigInt(lo) : acc.b64(at);
            return this.detail(o, `Invalid object entry array item (${i}/${n}): ${hex6(q)}`, 'entry-array-item');
          }
        }
        return null;
      }
      default:
        return null; // TAG size/epoch are enforced by check_object
    }
  }

  /** journal_file_hash_data: SipHash keyed with file_id, or Jenkins lookup3. */
  hash(data: Uint8Array): bigint {
    const k = this.ctx.kernel;
    return this.f.keyedHash ? k.siphash24(this.f.bytes.subarray(Header.fileId, Header.fileId + 16), data) : k.jenkinsHash64(data);
  }

  // ---------------------------------------------------------------- pass 2
  isKind(off: number, kind: number): boolean {
    return off > 0 && off % 8 === 0 && off < this.size && this.kinds[off / 8] === kind;
  }

  private hashTableMapped = false;
  /** journal_file_map_data_hash_table (first use maps it; failure logs and stops). */
  private mapDataHashTable(): void {
    if (this.hashTableMapped) return;
    const off = this.acc.b64(Header.dataHashTableOffset);
    const sz = this.acc.b64(Header.dataHashTableSize);
    let errno: Errno | null = null;
    if (sz === 0n) errno = 'EINVAL';
    else if (sz > USEC_INFINITY - off) errno = 'EBADMSG';
    else if (off + sz > BigInt(this.size)) errno = 'EADDRNOTAVAIL';
    if (errno) {
      this.lines.push(`Failed to map data hash table: ${STRERROR[errno]}`);
      this.failure ??= { offset: Number(off), position: this.p, check: 'data-hash-table-map', message: `Failed to map data hash table: ${STRERROR[errno]}`, errno };
      throw new Stop(errno);
    }
    this.hashTableMapped = true;
  }

  /** Index of the DATA object starting at q (isKind(q, K_DATA) must hold). */
  private dataIndex(q: number): number {
    const k = this.kinds;
    const s = q / 8;
    return (k[s + 1]! & 0x7f) | ((k[s + 2]! & 0x7f) << 7) | ((k[s + 3]! & 0x7f) << 14) | ((k[s + 4]! & 0x7f) << 21);
  }

  /**
   * Pass 2a's two per-item questions answered by linear passes (spec §2.6–2.8), when — and only when —
   * every data hash chain and every data entry-array chain is well-formed:
   *  - data_object_in_hash_table(q): every chain node is a DATA object reached exactly once over all
   *    buckets (no cycles, no shared tails), so q is found ⇔ q lies on the chain of bucket hash(q) % n;
   *  - journal_file_move_to_entry_by_offset_for_data(q, p, DOWN) finds something: every data chain's
   *    first n_entries−1 items are > 0 and strictly increasing, in arrays of its own (so systemd's chain
   *    cache cannot mix chains) and the chain is long enough, so the bisection finds an item ≥ p ⇔
   *    entry_offset ≥ p or the largest (= last) of those items ≥ p.
   * Returns null when anything is irregular: then pass 2a runs systemd's walks and bisections exactly.
   */
  private fastIndex(): { linkedMax: Float64Array; hashed: Uint8Array; clean: Uint8Array } | null {
    const H = this.f.header;
    const acc = this.acc;
    const f = this.f;
    const nData = this.counters.nData;
    const nBuckets = Math.floor(H.dataHashTableSize / HashTableObject.ITEM_SIZE);
    const hashed = new Uint8Array(nData); // 1 = reached from some bucket, 2 = from its own bucket
    if (nBuckets > 0) {
      const off = H.dataHashTableOffset;
      if (off + H.dataHashTableSize > this.size) return null; // mapDataHashTable fails: let the exact path say so
      const m16 = (65536 % nBuckets);
      const small = nBuckets <= 2 ** 21; // (hi % n) * 2^32 + lo < 2^53: one exact step
      for (let i = 0; i < nBuckets; i++) {
        let r = acc.n64(off + i * HashTableObject.ITEM_SIZE + HashTableObject.headHashOffset);
        while (r !== 0) {
          if (!this.isKind(r, K_DATA)) return null;
          const d = this.dataIndex(r);
          if (hashed[d] !== 0) return null;
          const lo = acc.u32(r + DataObject.hash);
          const hi = acc.u32(r + DataObject.hash + 4);
          const b = small ? ((hi % nBuckets) * 4294967296 + lo) % nBuckets : ((((((hi % nBuckets) * m16) % nBuckets) * m16) % nBuckets) + lo) % nBuckets;
          hashed[d] = b === i ? 2 : 1;
          r = acc.n64(r + DataObject.nextHashOffset);
        }
      }
    }
    const linkedMax = new Float64Array(nData);
    // clean[d] = 1: verify_data(d) (pass 2b) can only fail on "doesn't exist in the main entry array",
    // i.e. its entry_offset and items are ENTRY objects, strictly increasing from entry_offset, and no
    // array of its chain jumps back; then pass 2b needs only linkedMax[d] <= the main chain's last item.
    const clean = new Uint8Array(nData);
    const kinds = this.kinds;
    const isz = f.entryArrayItemSize;
    const compact = f.compact;
    const CLAIMED = K_ENTRY_ARRAY | 0x40;
    const claimed: number[] = [];
    const size = this.size;
    let ok = true;
    let budget = this.size / 4; // items strictly increase and stay below the file size
    outer: for (let d = 0; d < nData; d++) {
      const p = this.dataOffs[d]!;
      const n = acc.n64(p + DataObject.nEntries);
      if (n <= 0) {
        linkedMax[d] = -1;
        if (n === 0 && acc.u32(p + DataObject.entryArrayOffset) === 0 && acc.u32(p + DataObject.entryArrayOffset + 4) === 0) clean[d] = 1;
        continue;
      }
      let max = acc.n64(p + DataObject.entryOffset);
      let need = n - 1;
      let a = acc.n64(p + DataObject.entryArrayOffset);
      let last = 0;
      let ok2b = this.isKind(max, K_ENTRY) && (n >= 2 || a === 0);
      let prev2b = max;
      if (need === 0 && a !== 0) {
        // systemd still moves to the array (and fails on a bad one) before seeing it needs no item.
        if (a < 0 || a % 8 !== 0 || a >= this.size || (kinds[a / 8] !== K_ENTRY_ARRAY && kinds[a / 8] !== CLAIMED)) {
          ok = false;
          break;
        }
      }
      while (need > 0) {
        if (a <= 0 || a % 8 !== 0 || a >= this.size || kinds[a / 8] !== K_ENTRY_ARRAY) {
          ok = false;
          break outer;
        }
        kinds[a / 8] = CLAIMED;
        claimed.push(a);
        const k = (acc.size(a) - EntryArrayObject.ITEMS) / isz;
        const m = Math.min(k, need);
        const base = a + EntryArrayObject.ITEMS;
        for (let j = 0; j < m; j++) {
          const q = compact ? acc.u32(base + j * isz) : acc.n64(base + j * isz);
          if (q <= last) {
            ok = false;
            break outer;
          }
          last = q;
          if (ok2b && !(q > prev2b && q % 8 === 0 && q < size && kinds[q / 8] === K_ENTRY)) ok2b = false;
          prev2b = q;
        }
        need -= m;
        if ((budget -= m + 1) < 0) {
          ok = false;
          break outer;
        }
        const next = acc.n64(a + EntryArrayObject.nextEntryArrayOffset);
        if (next !== 0 && next <= a) ok2b = false;
        a = next;
      }
      if (last > max) max = last;
      linkedMax[d] = max;
      if (ok2b) clean[d] = 1;
    }
    // Restore the claimed marks (a list: scanning the whole map costs more than the walk above).
    for (const c of claimed) kinds[c / 8] = K_ENTRY_ARRAY;
    return ok ? { linkedMax, hashed, clean } : null;
  }

  /** fastIndex()'s answers, kept for pass 2b (null: irregular file, exact walks only). */
  private fast: { linkedMax: Float64Array; hashed: Uint8Array; clean: Uint8Array } | null = null;

  /** verify_entry_array (pass 2a). */
  pass2a(): void {
    const fast = (this.fast = this.fastIndex());
    if (fast) this.pass2aFast(fast.linkedMax, fast.hashed);
    else this.pass2aExact();
  }

  /**
   * verify_entry_array (pass 2a): walks the main chain in systemd's order and hands each entry to
   * `verifyEntry(p, isLast)` (verify_entry). The fast and the exact variant differ only there.
   */
  private walkMainArray(verifyEntry: (p: number, isLast: boolean) => void): void {
    const acc = this.acc;
    const f = this.f;
    const n = Number(f.header.nEntries); // equals the counted entries (checked above), so exact
    let a = f.header.entryArrayOffset;
    let i = 0;
    let last = 0;
    const isz = f.entryArrayItemSize;
    const compact = f.compact;
    while (i < n) {
      this.progressDone = Math.floor(this.size * (0.6 + (0.2 * i) / n));
      if (a === 0) throw this.error(0, `Array chain too short at ${i} of ${n}`, 'main-array-short', 'EBADMSG');
      if (!this.isKind(a, K_ENTRY_ARRAY)) throw this.error(a, `Invalid array ${i} of ${n}`, 'main-array-invalid', 'EBADMSG');
      const next = acc.n64(a + EntryArrayObject.nextEntryArrayOffset);
      if (next !== 0 && next <= a) {
        throw this.error(a, `Array chain has cycle at ${i} of ${n} (jumps back from to ${hex6(this.f.rawOffset(next))})`, 'main-array-cycle', 'EBADMSG');
      }
      const m = (acc.size(a) - EntryArrayObject.ITEMS) / isz;
      for (let j = 0; i < n && j < m; i++, j++) {
        this.tick();
        const at = a + EntryArrayObject.ITEMS + j * isz;
        const p = compact ? acc.u32(at) : acc.n64(at);
        if (p <= last) throw this.error(a, `Entry array not sorted at ${i} of ${n}`, 'main-array-unsorted', 'EBADMSG');
        last = p;
        if (!this.isKind(p, K_ENTRY)) throw this.error(a, `Invalid array entry at ${i} of ${n}`, 'main-array-entry', 'EBADMSG');
        verifyEntry(p, i + 1 === n);
      }
      a = next;
    }
    this.mainLast = last;
  }

  /** pass2a with the answers of fastIndex(): the same checks in the same order, O(1) each. */
  private pass2aFast(linkedMax: Float64Array, hashed: Uint8Array): void {
    const acc = this.acc;
    const esz = this.f.entryItemSize;
    const compact = this.f.compact;
    const kinds = this.kinds;
    const size = this.size;
    this.walkMainArray((p, isLast) => {
      const ni = (acc.size(p) - EntryObject.ITEMS) / esz;
      const base = p + EntryObject.ITEMS;
      for (let k = 0; k < ni; k++) {
        const q = compact ? acc.u32(base + k * esz) : acc.n64(base + k * esz);
        if (!(q > 0 && q % 8 === 0 && q < size && kinds[q / 8] === K_DATA)) {
          throw this.error(p, 'Invalid data object of entry', 'entry-data', 'EBADMSG', ObjectType.ENTRY);
        }
        const d = this.dataIndex(q);
        if (hashed[d] !== 2) throw this.error(p, 'Data object missing from hash table', 'entry-data-not-hashed', 'EBADMSG', ObjectType.ENTRY);
        if (!(linkedMax[d]! >= p) && !isLast) {
          throw this.error(p, `Entry object not referenced by linked data object at ${hex6(this.f.rawOffset(q))}`, 'entry-not-linked', 'EBADMSG', ObjectType.ENTRY);
        }
      }
    });
  }

  /** pass 2a with systemd's walks and bisections exactly (irregular files). */
  private pass2aExact(): void {
    const H = this.f.header;
    const acc = this.acc;
    const f = this.f;
    const bisector = new Bisector(acc, (x) => this.isKind(x, K_ENTRY_ARRAY));
    const nBuckets = Math.floor(H.dataHashTableSize / HashTableObject.ITEM_SIZE);
    const nBucketsBig = BigInt(nBuckets);
    const htBase = H.dataHashTableOffset;
    const maxWalk = Math.floor(this.size / 8) + 2;
    const esz = f.entryItemSize;

    this.walkMainArray((p, isLast) => {
      const ni = (acc.size(p) - EntryObject.ITEMS) / esz;
      for (let k = 0; k < ni; k++) {
        const iat = p + EntryObject.ITEMS + k * esz;
        const q = f.compact ? acc.u32(iat) : acc.n64(iat);
        if (!this.isKind(q, K_DATA)) throw this.error(p, 'Invalid data object of entry', 'entry-data', 'EBADMSG', ObjectType.ENTRY);
        // data_object_in_hash_table(hash, q)
        let found = false;
        if (nBuckets > 0) {
          this.mapDataHashTable();
          const h = Number(acc.b64(q + DataObject.hash) % nBucketsBig);
          let r = acc.n64(htBase + h * HashTableObject.ITEM_SIZE + HashTableObject.headHashOffset);
          let steps = 0;
          while (r !== 0) {
            if (r === q) {
              found = true;
              break;
            }
            if (!this.isKind(r, K_DATA)) {
              const o = acc.move(r, ObjectType.DATA);
              if (typeof o === 'string') throw this.plainStop(o, 'data-hash-chain');
            }
            r = acc.n64(r + DataObject.nextHashOffset);
            if (++steps > maxWalk) {
              // systemd loops forever here; we stop and say why.
              throw this.error(p, `Data hash chain of bucket ${h} has a cycle (not in journalctl: it hangs here)`, 'data-hash-chain-cycle', 'EBADMSG', ObjectType.ENTRY);
            }
          }
        }
        if (!found) throw this.error(p, 'Data object missing from hash table', 'entry-data-not-hashed', 'EBADMSG', ObjectType.ENTRY);
        // journal_file_move_to_entry_by_offset_for_data(q, p, DOWN)
        const extra = acc.n64(q + DataObject.entryOffset);
        const firstArr = acc.n64(q + DataObject.entryArrayOffset);
        const dn = acc.n64(q + DataObject.nEntries);
        const linked = bisector.bisectPlusOne(extra, firstArr, dn, p);
        if (!linked && !isLast) {
          throw this.error(p, `Entry object not referenced by linked data object at ${hex6(this.f.rawOffset(q))}`, 'entry-not-linked', 'EBADMSG', ObjectType.ENTRY);
        }
      }
    });
  }

  mainLast = 0;

  /** journal_file_move_to_entry_by_offset(q, DOWN) on the validated main chain: some item ≥ q. */
  private inMain(q: number): boolean {
    return Number(this.f.header.nEntries) > 0 && q <= this.mainLast;
  }

  /** verify_data_hash_table (pass 2b). */
  pass2b(): void {
    const H = this.f.header;
    const acc = this.acc;
    const n = Math.floor(H.dataHashTableSize / HashTableObject.ITEM_SIZE);
    if (n <= 0) return;
    this.mapDataHashTable();
    const nBig = BigInt(n);
    // hash % n without BigInt: exact while (n - 1) * 65536 + 2^32 < 2^53.
    const numeric = n < 2 ** 36;
    const m16 = 65536 % n;
    const fast = this.fast;
    const hasMain = Number(H.nEntries) > 0;
    const mainLast = this.mainLast;
    for (let i = 0; i < n; i++) {
      this.progressDone = Math.floor(this.size * (0.8 + (0.2 * i) / n));
      const bucket = H.dataHashTableOffset + i * HashTableObject.ITEM_SIZE;
      let last = 0;
      let p = acc.n64(bucket + HashTableObject.headHashOffset);
      while (p !== 0) {
        this.tick();
        if (!this.isKind(p, K_DATA)) throw this.error(p, `Invalid data object at hash entry ${i} of ${n}`, 'hash-chain-data', 'EBADMSG');
        const next = acc.n64(p + DataObject.nextHashOffset);
        if (next !== 0 && next <= p) throw this.error(p, `Hash chain has a cycle in hash entry ${i} of ${n}`, 'hash-chain-cycle', 'EBADMSG', ObjectType.DATA);
        let bucket: number;
        if (fast) {
          // fastIndex reached every chain node exactly once and noted whether its hash is this bucket's.
          bucket = fast.hashed[this.dataIndex(p)] === 2 ? i : -1;
        } else if (numeric) {
          const lo = acc.u32(p + DataObject.hash);
          const hi = acc.u32(p + DataObject.hash + 4);
          bucket = ((((((hi % n) * m16) % n) * m16) % n) + lo) % n;
        } else bucket = Number(acc.b64(p + DataObject.hash) % nBig);
        if (bucket !== i) {
          throw this.error(p, `Hash value mismatch in hash entry ${i} of ${n}`, 'hash-chain-bucket', 'EBADMSG', ObjectType.DATA);
        }
        if (fast) {
          const d = this.dataIndex(p);
          const mx = fast.linkedMax[d]!;
          if (!(fast.clean[d] === 1 && (mx < 0 || (hasMain && mx <= mainLast)))) this.verifyData(p);
        } else this.verifyData(p);
        last = p;
        p = next;
      }
      const tailOff = acc.b64(bucket + HashTableObject.tailHashOffset);
      if (BigInt(last) !== tailOff) {
        throw this.error(0, `Tail hash pointer mismatch in hash table (${last} != ${tailOff})`, 'hash-chain-tail', 'EBADMSG');
      }
    }
  }

  /** verify_data. */
  private verifyData(p: number): void {
    const acc = this.acc;
    const f = this.f;
    const nBig = acc.b64(p + DataObject.nEntries);
    let a = acc.n64(p + DataObject.entryArrayOffset);
    if (a !== 0 && nBig < 2n) {
      throw this.error(p, `Entry array present (entry_array_offset=${hex6(acc.b64(p + DataObject.entryArrayOffset))}, but n_entries=${nBig})`, 'data-entry-array', 'EBADMSG', ObjectType.DATA);
    }
    if (nBig === 0n) return;
    const n = Number(nBig);
    let q = acc.n64(p + DataObject.entryOffset);
    let last = q;
    if (!this.isKind(q, K_ENTRY)) throw this.error(p, `Data object references invalid entry at ${hex6(acc.b64(p + DataObject.entryOffset))}`, 'data-entry', 'EBADMSG', ObjectType.DATA);
    if (!this.inMain(q)) throw this.error(q, "Entry object doesn't exist in the main entry array", 'entry-not-in-main', 'EBADMSG', ObjectType.ENTRY);
    let i = 1;
    const isz = f.entryArrayItemSize;
    while (i < n) {
      if (a === 0) throw this.error(p, 'Array chain too short', 'data-array-short', 'EBADMSG', ObjectType.DATA);
      if (!this.isKind(a, K_ENTRY_ARRAY)) throw this.error(p, `Invalid array offset ${hex6(this.f.rawOffset(a))}`, 'data-array-invalid', 'EBADMSG', ObjectType.DATA);
      const next = acc.n64(a + EntryArrayObject.nextEntryArrayOffset);
      if (next !== 0 && next <= a) {
        throw this.error(p, `Array chain has cycle (jumps back from ${hex6(this.f.rawOffset(a))} to ${hex6(this.f.rawOffset(next))})`, 'data-array-cycle', 'EBADMSG', ObjectType.DATA);
      }
      const m = (acc.size(a) - EntryArrayObject.ITEMS) / isz;
      for (let j = 0; i < n && j < m; i++, j++) {
        const at = a + EntryArrayObject.ITEMS + j * isz;
        q = f.compact ? acc.u32(at) : acc.n64(at);
        if (q <= last) {
          const qb = f.compact ? BigInt(q) : acc.b64(at);
          throw this.error(p, `Data object's entry array not sorted (${qb} <= ${last})`, 'data-array-unsorted', 'EBADMSG', ObjectType.DATA);
        }
        last = q;
        if (!this.isKind(q, K_ENTRY)) {
          const qb = f.compact ? BigInt(q) : acc.b64(at);
          throw this.error(p, `Data object references invalid entry at ${hex6(qb)}`, 'data-entry', 'EBADMSG', ObjectType.DATA);
        }
        if (!this.inMain(q)) throw this.error(q, "Entry object doesn't exist in the main entry array", 'entry-not-in-main', 'EBADMSG', ObjectType.ENTRY);
      }
      a = next;
    }
  }
}
