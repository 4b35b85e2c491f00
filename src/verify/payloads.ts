/**
 * The compressed DATA payloads of the fast path. Pass 1 (assembly/scan.ts) hashes every plain
 * payload in place and lists the compressed ones; each of those is decompressed here and its hash
 * (SipHash-2-4 keyed by the file ID, or Jenkins lookup3) compared with the object's, as
 * journal_file_verify's data check does: journald's zstd frames by the kernel's decoder in place
 * (assembly/zstd.ts), anything it does not confirm by systemd's decoders (payload-check.ts). On a
 * compressed journal this is the largest single piece of work after the scan, and independent of it:
 * with a seal helper (mac-helper.ts) the helper checks batches of them while this thread scans, and
 * at the end both take turns until none are left.
 * A payload is read from the window (window.ts), which keeps it until it is checked or copied into
 * a helper's batch (retainFrom).
 */
import { payloadMatches } from './payload-check.js';
import type { JournalFile } from '../journal/file.js';
import { DataObject, Header, ObjectHeader } from '../journal/format.js';
import type { JournalArena } from '../kernel/kernel.js';
import { yieldTask } from './window.js';
import { BufferStore } from './buffer-store.js';
import { BatchBuffers, HelperLoad, checkPayloadBatch, type MacHelper, type PayloadBatch } from './mac-helper.js';
import { VerifyAborted, type VerifyContext } from './structure.js';

/** A helper's batch of compressed payloads, and how many batches may be with it at once (it takes tag batches first). */
const HELPER_BATCH = 256 << 10;
const HELPER_BUFFERS = 8;
/** The payload batches' buffers between verifications (buffer-store.ts). */
export const PAYLOAD_BATCH_STORE = new BufferStore(HELPER_BATCH, HELPER_BUFFERS);
/** Payloads this thread checks between looks at the helper's replies (end phase). */
const LOCAL_SLICE = 256;

/** A compressed DATA object as read from the window. */
interface Payload {
  flags: number;
  hash: bigint;
  stored: Uint8Array;
}

export class CompressedPayloads {
  /** Payloads [0, claimed) are checked, or with the helper. */
  private claimed = 0;
  private failed = false;
  private readonly fileId: Uint8Array;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pool = new BatchBuffers(HELPER_BATCH, HELPER_BUFFERS, PAYLOAD_BATCH_STORE);
  private blocked = false;

  constructor(
    private readonly f: JournalFile,
    private readonly arena: JournalArena,
    private readonly helper?: MacHelper,
    /** The helper's queue, shared with the tag batches sent to it. */
    private readonly load = new HelperLoad(),
  ) {
    this.fileId = f.bytes.slice(Header.fileId, Header.fileId + 16);
  }

  /** Some of those listed up to `count` are not checked yet. */
  pending(count: number): boolean {
    return count > this.claimed;
  }

  /** Where the first of those listed up to `count` that is neither checked nor with the helper starts (Infinity: none). */
  retainFrom(count: number): number {
    return count > this.claimed ? this.listed(this.claimed) : Infinity;
  }

  /** Where the i-th compressed DATA object pass 1 listed starts. */
  private listed(i: number): number {
    return this.arena.scanCompressed(i + 1, i)[0]!;
  }

  /** The DATA object at p, from the window. */
  private payload(p: number): Payload {
    const head = this.arena.at(p, p + DataObject.hash + 8);
    const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const size = Number(v.getBigUint64(ObjectHeader.size, true));
    return { flags: head[ObjectHeader.flags]!, hash: v.getBigUint64(DataObject.hash, true), stored: this.arena.at(p + this.f.dataPayloadOffset, p + size) };
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
    const keyed = this.f.keyedHash;
    for (let i = from; i < to && !this.failed; ) {
      // the kernel's zstd decoder confirms journald's frames in place; any other payload, or one it
      // does not confirm, is decided as systemd decides it (payloadMatches: libzstd, lz4, xz)
      const stop = Math.min(to, i + 1024);
      i = this.arena.zstdConfirmListed(i, stop, this.f.dataPayloadOffset, keyed, this.fileId);
      if (i < stop) {
        const { flags, hash, stored } = this.payload(this.listed(i));
        if (!(await payloadMatches(this.arena.kernel, flags, stored, hash, keyed, this.fileId))) this.failed = true;
        i++;
      }
      if (ctx.signal?.aborted) throw new VerifyAborted();
    }
  }

  /** Listed payloads wait for a batch buffer to come back from the helper (let the event loop run). */
  get waiting(): boolean {
    return this.blocked;
  }

  /** Hands the helper batches of those listed up to `count` while it has a buffer free; false = none was free. */
  offer(count: number): boolean {
    this.blocked = false;
    if (!this.helper) return false;
    let sent = false;
    while (count > this.claimed) {
      const buf = this.load.room(HELPER_BATCH) ? this.pool.take() : null;
      if (!buf) {
        this.blocked = true;
        return sent;
      }
      this.send(count, buf);
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
    if (!(await this.release(count, ctx, between))) return false;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.pool.retire();
    return !this.failed;
  }

  /**
   * Every payload listed (`count`) checked or with the helper (their bytes are no longer needed in
   * the window), shared as checkAll() shares them. False = one failed.
   */
  async release(count: number, ctx: VerifyContext, between?: () => Promise<void>): Promise<boolean> {
    while (count > this.claimed && !this.failed) {
      await between?.(); // the tag batches first: the helper can hash those without asking for keys
      if (this.offer(count)) continue;
      if (!(await this.check(count, ctx, LOCAL_SLICE))) return false;
      if (this.inFlight.size > 0) await yieldTask(); // the helper's replies come in as messages
    }
    return !this.failed;
  }

  /** Copies payloads [claimed, …) into `buf` while they fit (at least one), then sends them. */
  private send(count: number, buf: Uint8Array): void {
    // the kernel packs as many as fit, in one call; a payload larger than a batch goes alone, in a
    // buffer of its own (the pool's back to the pool)
    let { bytes, ends, flags, hashes } = this.arena.packListed(this.claimed, count, this.f.dataPayloadOffset, buf);
    if (ends.length === 0) {
      const d = this.payload(this.listed(this.claimed));
      this.pool.give(buf.buffer as ArrayBuffer);
      buf = d.stored.slice();
      bytes = buf;
      ends = Uint32Array.of(buf.length);
      flags = Uint8Array.of(d.flags);
      hashes = BigUint64Array.of(d.hash);
    }
    const used = bytes.length;
    this.claimed += ends.length;
    const pooled = this.pool.owns(buf);
    const load = this.load;
    load.bytes += used;
    const batch: PayloadBatch = {
      flags,
      hashes,
      ends,
      bytes: buf.buffer as ArrayBuffer,
      keyed: this.f.keyedHash,
      fileId: this.fileId,
    };
    const q: Promise<void> = this.helper!.checkPayloads(batch)
      .then(async (r) => {
        load.bytes -= used;
        // the helper could not check them: here, from the batch it sent back (the window has moved
        // on); a batch lost with the helper leaves the file to the exact path
        const ok = r.ok ?? (r.bytes ? await checkPayloadBatch({ ...batch, bytes: r.bytes }, this.arena.kernel) : false);
        if (!ok) this.failed = true;
        if (pooled) this.pool.give(r.bytes);
      })
      .finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}
