/**
 * Forward Secure Sealing inside journal_file_verify (spec verify-and-fss.md §3.5–3.9): the tag checks
 * of pass 1 (time window of the tag's epoch, HMAC over the objects since the previous tag), the
 * summary value `validated`, and — beyond journalctl — an audit that keeps checking every later tag
 * after the first failure so that a report can list every bad segment.
 *
 * All hashing goes through the kernel (HMAC-SHA256, FSPRG epoch keys).
 */
import type { Errno } from '../errors.js';
import type { JournalFile } from '../journal/file.js';
import { DataObject, EntryObject, FieldObject, HMAC_HEADER_RANGES, ObjectType, TagObject, align64 } from '../journal/format.js';
import type { Fsprg, HmacJob, Kernel } from '../kernel/kernel.js';
import { fsprgFor } from './fsprg-cache.js';
import type { SealSegment, SystemdVersion } from './report.js';
import type { TagMac } from './tag-macs.js';
import { formatTimestampOrNull, type LocalTimeFn } from './text.js';

const MASK64 = (1n << 64n) - 1n;
const USEC_INFINITY = MASK64;

/** What the verifier needs of a parsed verification key. */
export interface ParsedKey {
  seed: Uint8Array;
  startUsec: bigint;
  intervalUsec: bigint;
}

/** The object access the seal code needs (structure.ts's Access). */
export interface SealAccess {
  move(offset: number, type?: number): { offset: number; type: number; size: number } | Errno;
  b64(off: number): bigint;
}

export interface SealContext {
  version: SystemdVersion;
  kernel: Kernel;
  key: ParsedKey | null;
  localTime: LocalTimeFn;
}

/** Result of a failed tag check. message null = systemd returns the errno without a detail line. */
export interface TagProblem {
  message: string | null;
  check: string;
  errno: Errno;
  /** A seal failure (time window / HMAC) rather than a structural one. */
  seal: boolean;
}

export interface EntryStats {
  count: number;
  firstSeqnum: bigint;
  lastSeqnum: bigint;
  firstRealtime: bigint;
  lastRealtime: bigint;
}

/**
 * Thrown when a deferred (batched) HMAC turns out wrong: the speculative run assumed every tag good,
 * so the verification is redone tag by tag to stop exactly where journalctl stops.
 */
export class Respeculate extends Error {
  constructor() {
    super('a batched tag HMAC failed; verify again tag by tag');
    this.name = 'Respeculate';
  }
}

/** Tag HMACs computed per batch (bounds the parts kept alive at once). */
const BATCH = 64;

export class SealState {
  /**
   * Deferred mode: pass 1 feeds every object's HMAC ranges to note(); at each tag the segment becomes
   * a job of kernel.hmacSha256Many, run in batches; until a batch says otherwise every tag is taken as
   * good (a wrong one throws Respeculate).
   */
  deferred = false;
  /** Merged [start, end) ranges of the current segment (flat pairs), and the range being extended. */
  private ranges = new Float64Array(1024);
  private nRanges = 0;
  private curStart = 0;
  private curEnd = 0;
  /** The current segment holds an object of unknown type (systemd: EINVAL when hashing it). */
  private unknownInSegment = false;
  private jobs: HmacJob[] = [];
  /**
   * Window mode (the fast path: the file streamed through a kernel arena and the scan found it
   * regular): every tag's digest was computed while its segment was in the window (tag-macs.ts,
   * `precomputed`), and checkTag only compares it with the tag's stored HMAC (the scan's record:
   * the tag's bytes have left the window too). A digest missing or not matching throws Respeculate.
   */
  windowed = false;
  precomputed: Map<number, TagMac> | null = null;
  private jobTags: number[] = [];
  private jobSegments: SealSegment[] = [];

  nTags = 0;
  lastEpoch = 0n;
  /** End of the previous tag (its offset + 64), 0 before the first tag. */
  lastTag = 0;
  lastTagRealtime = 0n;
  /** v252/254 `last_sealed_realtime`: realtime of the last entry when the last good tag was checked. */
  lastSealedRealtime = 0n;
  entryRealtime = 0n;
  entrySet = false;
  maxEntryRealtime = 0n;
  minEntryRealtime = USEC_INFINITY;
  readonly segments: SealSegment[] = [];
  private stats: EntryStats | null = null;
  private fsprg?: Fsprg;
  private keyCache = new Map<bigint, Uint8Array>();

  constructor(
    readonly f: JournalFile,
    readonly acc: SealAccess,
    readonly ctx: SealContext,
  ) {}

  private addRange(a: number, b: number): void {
    if (a === this.curEnd) {
      this.curEnd = b;
      return;
    }
    if (this.curEnd > this.curStart) {
      if (this.nRanges * 2 + 2 > this.ranges.length) {
        const g = new Float64Array(this.ranges.length * 2);
        g.set(this.ranges);
        this.ranges = g;
      }
      this.ranges[this.nRanges * 2] = this.curStart;
      this.ranges[this.nRanges * 2 + 1] = this.curEnd;
      this.nRanges++;
    }
    this.curStart = a;
    this.curEnd = b;
  }

  /** Deferred mode: pass 1 reached object q (accepted by move); the bytes hmacMatches() would hash. */
  note(q: number, type: number, size: number): void {
    const end = q + size;
    this.addRange(q, q + 16);
    switch (type) {
      case ObjectType.DATA:
        this.addRange(q + DataObject.hash, q + DataObject.hash + 8);
        this.addRange(q + this.f.dataPayloadOffset, end);
        break;
      case ObjectType.FIELD:
        this.addRange(q + FieldObject.hash, q + FieldObject.hash + 8);
        this.addRange(q + FieldObject.PAYLOAD, end);
        break;
      case ObjectType.ENTRY:
        this.addRange(q + EntryObject.seqnum, end);
        break;
      case ObjectType.DATA_HASH_TABLE:
      case ObjectType.FIELD_HASH_TABLE:
      case ObjectType.ENTRY_ARRAY:
        break;
      case ObjectType.TAG:
        this.addRange(q + TagObject.seqnum, q + TagObject.tag);
        break;
      default:
        this.unknownInSegment = true;
    }
  }

  private resetSegment(): void {
    this.nRanges = 0;
    this.curStart = this.curEnd = 0;
    this.unknownInSegment = false;
  }

  /** The current segment's bytes as parts (header ranges first for the first tag). */
  private segmentParts(withHeader: boolean): Uint8Array[] {
    const b = this.f.bytes;
    const parts: Uint8Array[] = [];
    if (withHeader) for (const [from, to] of HMAC_HEADER_RANGES) parts.push(b.subarray(from, to));
    const r = this.ranges;
    for (let i = 0; i < this.nRanges; i++) parts.push(b.subarray(r[2 * i]!, r[2 * i + 1]!));
    if (this.curEnd > this.curStart) parts.push(b.subarray(this.curStart, this.curEnd));
    return parts;
  }

  /** Runs the pending HMAC jobs; marks their segments; throws Respeculate when one does not match. */
  flush(): void {
    if (this.jobs.length === 0) return;
    const digests = this.ctx.kernel.hmacSha256Many(this.jobs);
    const b = this.f.bytes;
    let bad = false;
    for (let j = 0; j < digests.length; j++) {
      const d = digests[j]!;
      const at = this.jobTags[j]! + TagObject.tag;
      let ok = true;
      for (let i = 0; i < TagObject.TAG_LENGTH; i++) if (d[i] !== b[at + i]) ok = false;
      this.jobSegments[j]!.ok = ok;
      if (!ok) bad = true;
    }
    this.jobs = [];
    this.jobTags = [];
    this.jobSegments = [];
    if (bad) throw new Respeculate();
  }

  /**
   * Arena mode: the entries between the previous tag and the next one as the scan summed them up
   * (what noteEntry() would have left behind after seeing each of them).
   */
  replayEntries(s: { entrySet: boolean; entryRealtime: bigint; maxRealtime: bigint; minRealtime: bigint; stats: EntryStats | null }): void {
    this.entrySet = s.entrySet;
    this.entryRealtime = s.entryRealtime;
    this.maxEntryRealtime = s.maxRealtime;
    this.minEntryRealtime = s.minRealtime;
    this.stats = s.stats;
  }

  /** Pass 1 saw an ENTRY (after its own checks passed). */
  noteEntry(seqnum: bigint, realtime: bigint): void {
    this.entryRealtime = realtime;
    this.entrySet = true;
    if (realtime > this.maxEntryRealtime) this.maxEntryRealtime = realtime;
    if (realtime < this.minEntryRealtime) this.minEntryRealtime = realtime;
    const s = this.stats;
    if (!s) this.stats = { count: 1, firstSeqnum: seqnum, lastSeqnum: seqnum, firstRealtime: realtime, lastRealtime: realtime };
    else {
      s.count++;
      s.lastSeqnum = seqnum;
      s.lastRealtime = realtime;
    }
  }

  /** The tag's epoch window [rt, rt_end) (rt wraps like C; rt_end saturates like usec_add). */
  window(epoch: bigint): { rt: bigint; rtEnd: bigint; rtPlus: bigint } {
    const k = this.ctx.key!;
    const rt = (k.startUsec + epoch * k.intervalUsec) & MASK64;
    const rtEnd = rt > USEC_INFINITY - k.intervalUsec ? USEC_INFINITY : rt + k.intervalUsec;
    return { rt, rtEnd, rtPlus: (rt + k.intervalUsec) & MASK64 };
  }

  /** The key's FSPRG is derived (its primes generated): false until the first epochKey() or prepareKey(). */
  get keyPrepared(): boolean {
    return this.fsprg !== undefined;
  }

  /** Derives the key's FSPRG now (~60 ms: the primes), e.g. while waiting for the file to arrive. */
  prepareKey(): void {
    this.fsprg ??= fsprgFor(this.ctx.kernel, this.ctx.key!.seed);
  }

  epochKey(epoch: bigint): Uint8Array {
    let key = this.keyCache.get(epoch);
    if (!key) {
      this.fsprg ??= fsprgFor(this.ctx.kernel, this.ctx.key!.seed);
      key = this.fsprg.epochKey(epoch);
      if (this.keyCache.size > 4) this.keyCache.clear();
      this.keyCache.set(epoch, key);
    }
    return key;
  }

  /**
   * HMAC of the objects in [start, tag] (plus the header for the first tag), compared with the tag.
   * Returns true/false, or the errno systemd would stop with (unknown object type: EINVAL; unreadable
   * object: its errno).
   */
  hmacMatches(start: number, tag: number, epoch: bigint, withHeader: boolean): boolean | Errno {
    const f = this.f;
    const b = f.bytes;
    const h = this.ctx.kernel.hmacSha256(this.epochKey(epoch));
    let q = start;
    if (withHeader) {
      for (const [from, to] of HMAC_HEADER_RANGES) h.update(b.subarray(from, to));
    }
    const payloadOff = f.dataPayloadOffset;
    while (q <= tag) {
      const o = this.acc.move(q);
      if (typeof o === 'string') return o;
      const end = q + o.size;
      h.update(b.subarray(q, q + 16));
      switch (o.type) {
        case ObjectType.DATA:
          h.update(b.subarray(q + DataObject.hash, q + DataObject.hash + 8));
          h.update(b.subarray(q + payloadOff, end));
          break;
        case ObjectType.FIELD:
          h.update(b.subarray(q + FieldObject.hash, q + FieldObject.hash + 8));
          h.update(b.subarray(q + FieldObject.PAYLOAD, end));
          break;
        case ObjectType.ENTRY:
          h.update(b.subarray(q + EntryObject.seqnum, end));
          break;
        case ObjectType.DATA_HASH_TABLE:
        case ObjectType.FIELD_HASH_TABLE:
        case ObjectType.ENTRY_ARRAY:
          break;
        case ObjectType.TAG:
          h.update(b.subarray(q + TagObject.seqnum, q + TagObject.tag));
          break;
        default:
          return 'EINVAL';
      }
      q += align64(o.size);
    }
    const digest = h.digest();
    const stored = b.subarray(tag + TagObject.tag, tag + TagObject.tag + TagObject.TAG_LENGTH);
    for (let i = 0; i < TagObject.TAG_LENGTH; i++) if (digest[i] !== stored[i]) return false;
    return true;
  }

  private T(usec: bigint): string {
    return formatTimestampOrNull(usec, this.ctx.localTime);
  }

  /**
   * Pass 1, TAG object with a key (after seqnum/epoch order checks). null = OK. `stored`: the tag's
   * HMAC as the scan recorded it (window mode).
   */
  checkTag(p: number, epoch: bigint, seqnum: bigint, stored?: Uint8Array): TagProblem | null {
    const { rt, rtEnd, rtPlus } = this.window(epoch);
    if (this.entrySet && this.entryRealtime >= rtEnd) {
      return { message: `tag/entry realtime timestamp out of synchronization (${this.entryRealtime} >= ${rtPlus})`, check: 'tag-entry-realtime', errno: 'EBADMSG', seal: true };
    }
    if (this.maxEntryRealtime >= rtEnd) {
      const m = this.maxEntryRealtime;
      return {
        message: `Entry realtime (${m}, ${this.T(m)}) is too late with respect to tag (${rtEnd}, ${this.T(rtEnd)})`,
        check: 'entry-too-late',
        errno: 'EBADMSG',
        seal: true,
      };
    }
    if (this.minEntryRealtime < rt) {
      const m = this.minEntryRealtime;
      return {
        message: `Entry realtime (${m}, ${this.T(m)}) is too early with respect to tag (${rt}, ${this.T(rt)})`,
        check: 'entry-too-early',
        errno: 'EBADMSG',
        seal: true,
      };
    }
    this.minEntryRealtime = USEC_INFINITY;

    const start = this.lastTag === 0 ? this.f.header.headerSize : this.lastTag;
    if (this.windowed) {
      const pre = this.precomputed?.get(p);
      if (!stored || !pre || pre.start !== start || pre.withHeader !== (this.lastTag === 0)) throw new Respeculate();
      for (let i = 0; i < TagObject.TAG_LENGTH; i++) if (pre.digest[i] !== stored[i]) throw new Respeculate();
      this.record(p, seqnum, epoch, start, rt, rtEnd, true);
      this.lastTagRealtime = rt;
      this.lastSealedRealtime = this.entryRealtime;
      this.advance(p, epoch);
      return null;
    }
    if (this.deferred && !this.unknownInSegment) {
      const key = this.epochKey(epoch);
      this.jobs.push({ key, parts: this.segmentParts(this.lastTag === 0) });
      this.jobTags.push(p);
      this.resetSegment();
      this.record(p, seqnum, epoch, start, rt, rtEnd, null);
      this.jobSegments.push(this.segments[this.segments.length - 1]!);
      this.lastTagRealtime = rt;
      this.lastSealedRealtime = this.entryRealtime;
      this.advance(p, epoch);
      if (this.jobs.length >= BATCH) this.flush();
      return null;
    }
    if (this.deferred) {
      this.flush(); // earlier tags first: systemd would have stopped at a bad one before this one
      this.resetSegment();
    }
    const ok = this.hmacMatches(start, p, epoch, this.lastTag === 0);
    if (typeof ok === 'string') return { message: null, check: ok === 'EINVAL' ? 'tag-hmac-object-type' : 'tag-hmac-read', errno: ok, seal: false };
    this.record(p, seqnum, epoch, start, rt, rtEnd, ok);
    if (!ok) return { message: 'Tag failed verification', check: 'tag-hmac', errno: 'EBADMSG', seal: true };
    this.lastTagRealtime = rt;
    this.lastSealedRealtime = this.entryRealtime;
    this.advance(p, epoch);
    return null;
  }

  /** Pass 1, TAG object without seal checks (no key): only the bookkeeping. */
  skipTag(p: number, epoch: bigint): void {
    this.resetSegment();
    const start = this.lastTag === 0 ? this.f.header.headerSize : this.lastTag;
    const seqnum = BigInt(this.nTags + 1);
    const win = this.ctx.key ? this.window(epoch) : { rt: 0n, rtEnd: 0n };
    this.record(p, seqnum, epoch, start, win.rt, win.rtEnd, null);
    this.advance(p, epoch);
  }

  private advance(p: number, epoch: bigint): void {
    this.lastTag = p + align64(TagObject.SIZE);
    this.lastEpoch = epoch;
    this.nTags++;
  }

  private record(p: number, seqnum: bigint, epoch: bigint, start: number, rt: bigint, rtEnd: bigint, ok: boolean | null): void {
    const s = this.stats;
    this.segments.push({
      tagIndex: Number(seqnum),
      tagOffset: p,
      epoch: Number(epoch),
      start,
      end: p + TagObject.SIZE,
      epochFrom: Number(rt),
      epochTo: Number(rtEnd),
      entries: s
        ? { count: s.count, firstSeqnum: Number(s.firstSeqnum), lastSeqnum: Number(s.lastSeqnum), firstRealtime: Number(s.firstRealtime), lastRealtime: Number(s.lastRealtime) }
        : null,
      ok,
    });
    this.stats = null;
  }

  /**
   * Beyond journalctl: after the verdict is known, walk on from the start of the segment where
   * verification stopped and check every later tag, so every failed segment can be listed. Stops at
   * the first object that cannot be read. Never changes the verdict.
   */
  audit(tail: number): void {
    if (!this.ctx.key || !this.f.sealed) return;
    const f = this.f;
    const done = new Set(this.segments.map((s) => s.tagOffset));
    let start = this.lastTag === 0 ? f.header.headerSize : this.lastTag;
    let withHeader = this.lastTag === 0;
    let q = start;
    this.stats = null;
    let n = 0;
    if (tail === 0) return;
    for (;;) {
      const o = this.acc.move(q);
      if (typeof o === 'string') return;
      if (o.type === ObjectType.ENTRY) {
        this.noteAuditEntry(this.acc.b64(q + EntryObject.seqnum), this.acc.b64(q + EntryObject.realtime));
      } else if (o.type === ObjectType.TAG) {
        const epoch = this.acc.b64(q + TagObject.epoch);
        const seqnum = this.acc.b64(q + TagObject.seqnum);
        if (done.has(q)) {
          this.stats = null;
        } else {
          const { rt, rtEnd } = this.window(epoch);
          const ok = this.hmacMatches(start, q, epoch, withHeader);
          this.record(q, seqnum, epoch, start, rt, rtEnd, typeof ok === 'string' ? false : ok);
        }
        start = q + align64(TagObject.SIZE);
        withHeader = false;
      }
      if (q === tail || ++n > f.size / 16) return;
      q += align64(o.size);
    }
  }

  private noteAuditEntry(seqnum: bigint, realtime: bigint): void {
    const s = this.stats;
    if (!s) this.stats = { count: 1, firstSeqnum: seqnum, lastSeqnum: seqnum, firstRealtime: realtime, lastRealtime: realtime };
    else {
      s.count++;
      s.lastSeqnum = seqnum;
      s.lastRealtime = realtime;
    }
  }
}
