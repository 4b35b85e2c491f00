/**
 * The tag HMACs of the fast path, ahead of the replay. A sealed file's seal checks are, per tag, an
 * FSPRG epoch key (one 1536-bit squaring per epoch) and an HMAC-SHA256 over the objects since the
 * previous tag: about as much work as all the structural checks together, and independent of them.
 * So they are done as soon as pass 1 has accepted a tag's segment, while it is in the window
 * (window.ts keeps it there until then: retainFrom):
 *   - by a seal helper on another thread when the caller has one (VerifyOptions.macHelper: the
 *     CLI's and the page's, for a big file verified alone; mac-helper.ts): the segments are gathered
 *     into batches it derives the keys for and hashes; while every batch buffer is with it (it is
 *     behind), this thread hashes tags itself with keys the helper derives for it;
 *   - with the platform's HMAC when the caller passes one (VerifyOptions.hmac: the CLI passes Node's
 *     OpenSSL, which uses the CPU's SHA instructions), the segment's bytes gathered from the window;
 *   - otherwise with the kernel's 4-lane SHA-256 in place, while pass 1 waits for bytes to arrive,
 *     or when the window must move on.
 * The replay (seal.ts) then only compares digests.
 *
 * The page's helper used to get nothing until the whole file was read (the read and the copy into
 * a whole-file arena kept both cores busy). With the file streaming through a window, fed from the
 * start it made the 120 MiB sealed file 0.75 s → 0.55 s in Chromium. The page's helper hashes its
 * batches with WebCrypto's SHA-256 (HMAC's inner key block written into the room left before each
 * message: no key import, no copy of ours): ~120 ms less CPU per 120 MiB than the kernel's lanes.
 * Measured and not used: WebCrypto on this thread (a key import and a copy per tag: slower than
 * the kernel in place).
 *
 * A digest is only ever compared with the tag, for the segment the replay derives itself: a wrong
 * one sends the file to the exact verifier like any other doubt; an HMAC that fails leaves that tag
 * to the replay to hash.
 */
import { TAG_REC_SLOTS, TagRec, type JournalArena, type SegmentSpan } from '../kernel/kernel.js';
import { BufferStore } from './buffer-store.js';
import { BatchBuffers, HelperLoad, MESSAGE_ROOM, type MacHelper } from './mac-helper.js';

/**
 * HMAC-SHA256 by the platform. `message` is valid only during the call (it is reused for the next
 * segment): an asynchronous implementation copies it first (WebCrypto's sign() does).
 */
export type PlatformHmac = (key: Uint8Array, message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** A tag's digest, with the segment it covers (checked against the replay's own). */
export interface TagMac {
  start: number;
  withHeader: boolean;
  digest: Uint8Array;
}

/** Tags hashed per kernel call (4 lanes; bounds the keys alive at once). */
const BATCH = 64;
/** Platform HMACs started and not finished: beyond this, wait (bounds the copies the platform holds). */
const MAX_PENDING = 512;
/**
 * A helper's batch (unless it asks for another size): ~230 tag segments of a busy journal. Up to 4
 * at once, 16 MiB: the CLI's helper is ready ~50 ms after the scan starts (a thread, then the key's
 * primes) and the scan accepts ~16 MiB of segments meanwhile. Those still with it hold copies, so
 * the window moves on behind them. 4 MiB rather than 1 MiB × 16: a quarter of the round trips, each
 * a transferred buffer both ways; the CLI on the 120 MiB sealed ZSTD journal, three sets of 16–24
 * interleaved runs: median 517 → 483, 506 → 496, 699 → 651 ms, CPU 870 → 825, 900 → 820, 1205 → 1090
 * ms (less of it in V8's background threads and the helper); the plain one and the page unchanged.
 */
const HELPER_BATCH = 4 << 20;
const HELPER_BUFFERS = 4;
/** The tag batches' buffers between verifications (buffer-store.ts). */
export const TAG_BATCH_STORE = new BufferStore(HELPER_BATCH, HELPER_BUFFERS);

/** Tags this thread hashes itself at the end, the helper deriving only their keys (settle()). */
const LOCAL_CHUNK = 256;

interface LocalChunk {
  spans: SegmentSpan[];
  epochs: bigint[];
  keys: Promise<Uint8Array[] | null>;
}

interface HelperBatch {
  buf: Uint8Array;
  used: number;
  spans: SegmentSpan[];
  epochs: bigint[];
  ends: number[];
}

export class TagMacs {
  /** Digests by tag offset. */
  readonly digests = new Map<number, TagMac>();
  private hashed = 0;
  private nextStart: number;
  private buffer: Uint8Array = new Uint8Array(1 << 16);
  private readonly inFlight = new Set<Promise<void>>();
  private batch: HelperBatch | null = null;
  /** Batch buffers for the helper (sized as it asks), made when first needed. */
  private pool: BatchBuffers | null = null;
  private blocked = false;

  constructor(
    private readonly arena: JournalArena,
    /** The epoch's HMAC key (SealState.epochKey: FSPRG Evolve from the previous epoch). */
    private readonly keyOf: (epoch: bigint) => Uint8Array,
    headerSize: number,
    private readonly hmac?: PlatformHmac,
    /** A second thread that derives the keys and hashes (mac-helper.ts): then keyOf is called only when it fails. */
    private readonly helper?: { port: MacHelper; seed: Uint8Array },
    /** The helper's queue, shared with the payloads sent to it. */
    private readonly load = new HelperLoad(),
  ) {
    this.nextStart = headerSize;
  }

  /** Hashing keeps pace with the scan (a platform HMAC or a helper), rather than filling its pauses. */
  get eager(): boolean {
    return this.hmac !== undefined || this.helper !== undefined;
  }

  /** The verifying thread derives no keys itself (a helper does). */
  get keyElsewhere(): boolean {
    return this.helper !== undefined;
  }

  /**
   * Accepted tags wait for a batch buffer to come back from the helper: the caller should let the
   * event loop run (the helper's replies arrive as messages).
   */
  get waiting(): boolean {
    return this.blocked;
  }

  /**
   * Where the segments not yet hashed (or handed to the helper) start, of the `accepted` tags and,
   * while pass 1 goes on, the one the next tag will close: the window keeps everything from here on.
   */
  retainFrom(accepted: number, passOneDone: boolean): number {
    return passOneDone && this.hashed >= accepted ? Infinity : this.nextStart;
  }

  /** Some of the tags pass 1 accepted (`accepted` of them) are not hashed yet, and can be now. */
  pending(accepted: number): boolean {
    if (accepted <= this.hashed) return false;
    return !this.helper || this.batch !== null || this.buffers().available;
  }

  /**
   * Hashes (or starts hashing) the segments of tags [hashed, accepted), at most `limit` now — pass 1
   * accepted every object in them. With a helper, stops early when every batch buffer is with the
   * helper (the scan goes on; the rest is gathered at a later call, or by settle()).
   */
  async hashAccepted(accepted: number, limit = Infinity): Promise<void> {
    const to = Math.min(accepted, this.hashed + limit);
    this.blocked = false;
    while (this.hashed < to) {
      const { spans, epochs } = this.peek(Math.min(BATCH, to - this.hashed));
      if (this.helper) {
        for (let i = 0; i < spans.length; i++) {
          if (!this.toHelper(spans[i]!, epochs[i]!)) {
            this.blocked = true;
            return;
          }
          this.take(spans[i]!);
        }
        continue;
      }
      spans.forEach((span) => this.take(span));
      await this.hashHere(spans, epochs.map((e) => this.keyOf(e)));
    }
  }

  /**
   * Hashes what `accepted` tags left and waits for every HMAC started (a helper's partial batch is
   * sent). With a helper, this thread has nothing else left to do: while every batch buffer is with
   * the helper, it asks the helper for the keys of the next tags (cheap) and hashes those itself,
   * asking for the next ones first so that they are there when it is done. In file order, like the
   * batches: the helper's FSPRG only ever steps forward (going back would cost a Seek).
   */
  async settle(accepted = this.hashed): Promise<void> {
    await this.release(accepted);
    this.send();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.pool?.retire();
  }

  /**
   * Every segment of tags [hashed, accepted) hashed here or handed to the helper (copied into a
   * batch): their bytes are no longer needed in the window. While every batch buffer is with the
   * helper, this thread hashes them itself, with keys the helper derives (its key requests go
   * ahead of the batches).
   */
  async release(accepted: number): Promise<void> {
    let ahead: LocalChunk | null = null;
    for (;;) {
      await this.hashAccepted(accepted);
      if (this.helper && this.hashed < accepted && !ahead) ahead = this.claimLocal(accepted);
      if (ahead) {
        const chunk = ahead;
        const keys = await chunk.keys;
        ahead = this.hashed < accepted ? this.claimLocal(accepted) : null;
        await this.hashHere(chunk.spans, keys ?? chunk.epochs.map((e) => this.keyOf(e)));
        continue;
      }
      if (this.hashed >= accepted || this.inFlight.size === 0) return;
      await Promise.race(this.inFlight); // platform HMACs under way (their messages are copies)
    }
  }

  /** The next `n` tags' segments and epochs, not yet taken. */
  private peek(n: number): { spans: SegmentSpan[]; epochs: bigint[] } {
    const recs = this.arena.scanTags(this.hashed + n, this.hashed);
    const spans: SegmentSpan[] = [];
    const epochs: bigint[] = [];
    let start = this.nextStart;
    for (let i = 0; i < n; i++) {
      const tag = Number(recs[i * TAG_REC_SLOTS + TagRec.offset]!);
      spans.push({ start, tag, withHeader: this.hashed + i === 0 });
      epochs.push(recs[i * TAG_REC_SLOTS + TagRec.epoch]!);
      start = tag + 64; // align64(TagObject.SIZE): where SealState starts the next segment
    }
    return { spans, epochs };
  }

  private take(span: SegmentSpan): void {
    this.hashed++;
    this.nextStart = span.tag + 64;
  }

  /** The next tags for this thread to hash, their keys asked of the helper (after the batch being filled). */
  private claimLocal(accepted: number): LocalChunk {
    this.send();
    const { spans, epochs } = this.peek(Math.min(LOCAL_CHUNK, accepted - this.hashed));
    spans.forEach((span) => this.take(span));
    const keys = this.helper!.port.keys(this.helper!.seed, BigUint64Array.from(epochs)).then((k) =>
      k && k.length >= 32 * spans.length ? spans.map((_, i) => k.subarray(32 * i, 32 * i + 32)) : null,
    );
    return { spans, epochs, keys };
  }

  /** HMACs here: the platform's (gathered), or the kernel's lanes in place. */
  private async hashHere(spans: SegmentSpan[], keys: Uint8Array[]): Promise<void> {
    const jobs = spans.map((s, i) => ({ ...s, key: keys[i]! }));
    if (!this.hmac) {
      const out = this.arena.hmacSegments(jobs);
      jobs.forEach((j, i) => this.keep(j, out[i]!));
      return;
    }
    for (const j of jobs) {
      const message = this.arena.gatherSegment(j, this.buffer);
      if (message.buffer !== this.buffer.buffer) this.buffer = new Uint8Array(message.buffer);
      const d = this.hmac(j.key, message);
      if (d instanceof Uint8Array) {
        this.keep(j, d);
      } else {
        // a failed one is simply not kept: the replay hashes that tag itself
        this.track(d.then((digest) => this.keep(j, digest)).catch(() => {}));
        if (this.inFlight.size >= MAX_PENDING) await Promise.all([...this.inFlight]);
      }
    }
  }

  private track(p: Promise<void>): void {
    const q: Promise<void> = p.finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }

  /** Gathers the segment into the current batch, sending the batch first when it would not fit; false = no buffer free. */
  private toHelper(span: SegmentSpan, epoch: bigint): boolean {
    // gatherSegment's bound: the segment's span of the file plus the header pieces, after the room
    // the helper may use before each message
    const bound = MESSAGE_ROOM + span.tag + 64 - span.start + (span.withHeader ? 256 : 0);
    if (this.batch && this.batch.used + bound > this.batch.buf.length) this.send();
    if (!this.batch) {
      if (!this.load.room(Math.min(bound, this.buffers().size))) return false;
      const buf = this.helperBuffer(bound);
      if (!buf) return false;
      this.batch = { buf, used: 0, spans: [], epochs: [], ends: [] };
    }
    const b = this.batch;
    const message = this.arena.gatherSegment(span, b.buf.subarray(b.used + MESSAGE_ROOM));
    b.used += MESSAGE_ROOM + message.length;
    b.spans.push(span);
    b.epochs.push(epoch);
    b.ends.push(b.used);
    return true;
  }

  private buffers(): BatchBuffers {
    const port = this.helper!.port;
    return (this.pool ??= new BatchBuffers(port.batchBytes ?? HELPER_BATCH, port.batchBuffers ?? HELPER_BUFFERS, TAG_BATCH_STORE));
  }

  /** A free batch buffer, one of its own for a huge segment, or null when all are with the helper (one more if none is on its way back). */
  private helperBuffer(bound: number): Uint8Array | null {
    return this.buffers().take(bound, this.inFlight.size === 0);
  }

  private send(): void {
    const b = this.batch;
    this.batch = null;
    if (!b || !this.helper) return;
    const pool = this.buffers();
    const pooled = pool.owns(b.buf);
    if (b.spans.length === 0) {
      if (pooled) pool.give(b.buf.buffer as ArrayBuffer);
      return;
    }
    const batch = { seed: this.helper.seed, epochs: BigUint64Array.from(b.epochs), ends: Uint32Array.from(b.ends), bytes: b.buf.buffer as ArrayBuffer };
    const load = this.load;
    load.bytes += b.used;
    this.track(
      this.helper.port.hash(batch).then((r) => {
        load.bytes -= b.used;
        const d = r.digests;
        if (d && d.length >= 32 * b.spans.length) b.spans.forEach((s, i) => this.keep(s, d.subarray(32 * i, 32 * i + 32)));
        if (pooled) pool.give(r.bytes);
      }),
    );
  }

  private keep(span: SegmentSpan, digest: Uint8Array): void {
    // Always a plain Uint8Array (a view, not a copy): Node's HMAC answers a Buffer, the helper a
    // Uint8Array, and checkTag, optimized for one, was deoptimized by the other.
    if (digest.length >= 32) this.digests.set(span.tag, { start: span.start, withHeader: span.withHeader, digest: new Uint8Array(digest.buffer, digest.byteOffset, 32) });
  }
}
