/**
 * The compressed DATA payloads of the fast path. Pass 1 (assembly/scan.ts) hashes every plain
 * payload in place and lists the compressed ones; each of those is decompressed here and its hash
 * (SipHash-2-4 keyed by the file ID, or Jenkins lookup3) compared with the object's, as
 * journal_file_verify's data check does. On a compressed journal this is the largest single piece of
 * work after the scan, and independent of it: with a seal helper (mac-helper.ts) the helper checks
 * batches of them while this thread scans, and at the end both take turns until none are left.
 */
import { payloadMatches } from './payload-check.js';
import type { JournalFile } from '../journal/file.js';
import { DataObject, Header } from '../journal/format.js';
import type { JournalArena } from '../kernel/kernel.js';
import { yieldTask } from './arena-fill.js';
import { BatchBuffers, type MacHelper } from './mac-helper.js';
import { VerifyAborted, type VerifyContext } from './structure.js';

/** A helper's batch of compressed payloads, and how many batches may be with it at once. */
const HELPER_BATCH = 256 << 10;
const HELPER_BUFFERS = 2;
/** Payloads this thread checks between looks at the helper's replies (end phase). */
const LOCAL_SLICE = 256;

export class CompressedPayloads {
  /** Payloads [0, claimed) are checked, or with the helper. */
  private claimed = 0;
  private failed = false;
  private readonly fileId: Uint8Array;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pool = new BatchBuffers(HELPER_BATCH, HELPER_BUFFERS);
  private blocked = false;

  constructor(
    private readonly f: JournalFile,
    private readonly arena: JournalArena,
    private readonly helper?: MacHelper,
  ) {
    this.fileId = f.bytes.slice(Header.fileId, Header.fileId + 16);
  }

  /** Some of those listed up to `count` are not checked yet. */
  pending(count: number): boolean {
    return count > this.claimed;
  }

  /** Checks those listed up to `count` here (at most `limit` of them now); false = one does not decompress or hash right. */
  async check(count: number, ctx: VerifyContext, limit = Infinity): Promise<boolean> {
    const from = this.claimed;
    const to = Math.min(count, from + limit);
    if (to <= from) return !this.failed;
    this.claimed = to;
    await this.checkRange(from, to, ctx);
    return !this.failed;
  }

  /** Payloads [from, to) checked here; a mismatch sets `failed`. */
  private async checkRange(from: number, to: number, ctx: VerifyContext): Promise<void> {
    const f = this.f;
    const offs = this.arena.scanCompressed(to, from);
    for (let i = 0; i < offs.length && !this.failed; i++) {
      const p = offs[i]!;
      const stored = f.bytes.subarray(p + f.dataPayloadOffset, p + f.u64n(p + 8));
      if (!(await payloadMatches(this.arena.kernel, f.u8(p + 1), stored, f.u64(p + DataObject.hash), f.keyedHash, this.fileId))) this.failed = true;
      if (i % 1024 === 1023 && ctx.signal?.aborted) throw new VerifyAborted();
    }
  }

  /** Listed payloads wait for a batch buffer to come back from the helper (let the event loop run). */
  get waiting(): boolean {
    return this.blocked;
  }

  /** Hands the helper batches of those listed up to `count` while it has a buffer free; false = none was free. */
  offer(count: number, ctx: VerifyContext): boolean {
    this.blocked = false;
    if (!this.helper) return false;
    let sent = false;
    while (count > this.claimed) {
      const buf = this.pool.take();
      if (!buf) {
        this.blocked = true;
        return sent;
      }
      this.send(count, buf, ctx);
      sent = true;
    }
    return sent;
  }

  /**
   * Checks every payload listed (`count`), sharing them with the helper: it is handed a batch
   * whenever it has a buffer free, this thread checks a slice otherwise; `between` runs before each
   * turn. False = one failed.
   */
  async checkAll(count: number, ctx: VerifyContext, between?: () => Promise<void>): Promise<boolean> {
    while (count > this.claimed && !this.failed) {
      await between?.(); // the tag batches go first: the helper alone can hash those
      if (this.offer(count, ctx)) continue;
      if (!(await this.check(count, ctx, LOCAL_SLICE))) return false;
      if (this.inFlight.size > 0) await yieldTask(); // the helper's replies come in as messages
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return !this.failed;
  }

  /** Copies payloads [claimed, …) into `buf` while they fit (at least one), then sends them. */
  private send(count: number, buf: Uint8Array, ctx: VerifyContext): void {
    const f = this.f;
    const from = this.claimed;
    const offs = this.arena.scanCompressed(count, from);
    const ends: number[] = [];
    const flags: number[] = [];
    const hashes: bigint[] = [];
    let used = 0;
    for (let i = 0; i < offs.length; i++) {
      const p = offs[i]!;
      const stored = f.bytes.subarray(p + f.dataPayloadOffset, p + f.u64n(p + 8));
      if (used + stored.length > buf.length) {
        if (i > 0) break;
        // one payload larger than a batch: a buffer of its own, the pool's back to the pool
        this.pool.give(buf.buffer as ArrayBuffer);
        buf = new Uint8Array(stored.length);
      }
      buf.set(stored, used);
      used += stored.length;
      ends.push(used);
      flags.push(f.u8(p + 1));
      hashes.push(f.u64(p + DataObject.hash));
    }
    const to = from + ends.length;
    this.claimed = to;
    const pooled = this.pool.owns(buf);
    const batch = {
      flags: Uint8Array.from(flags),
      hashes: BigUint64Array.from(hashes),
      ends: Uint32Array.from(ends),
      bytes: buf.buffer as ArrayBuffer,
      keyed: f.keyedHash,
      fileId: this.fileId,
    };
    const q: Promise<void> = this.helper!.checkPayloads(batch)
      .then(async (r) => {
        if (pooled) this.pool.give(r.bytes);
        if (r.ok === false) this.failed = true;
        else if (r.ok === null) await this.checkRange(from, to, ctx); // the helper could not: check them here
      })
      .finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}
