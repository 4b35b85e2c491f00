/**
 * The tag HMACs of the fast path, ahead of the replay. A sealed file's seal checks are, per tag, an
 * FSPRG epoch key (one 1536-bit squaring per epoch) and an HMAC-SHA256 over the objects since the
 * previous tag: about as much work as all the structural checks together, and independent of them.
 * So they are done as soon as pass 1 has accepted a tag's segment:
 *   - with the platform's HMAC when the caller passes one (VerifyOptions.hmac: the CLI passes Node's
 *     OpenSSL, which uses the CPU's SHA instructions), the segment's bytes gathered from the arena;
 *   - otherwise with the kernel's 4-lane SHA-256 in place, while pass 1 waits for bytes to arrive.
 * The replay (seal.ts) then only compares digests.
 *
 * Measured on the 2-core target machine and not used: a helper thread for the HMACs (the copies to
 * it, its second isolate and the contention with the reader cost what it saved, plus ~60 MiB), the
 * same for the compressed payloads (a fresh isolate decoded them at half the main thread's speed,
 * plus ~30 MiB), and WebCrypto in the page (a key import and a copy per tag: slower than the kernel
 * in place).
 *
 * A digest is only ever compared with the tag, for the segment the replay derives itself: a wrong
 * one sends the file to the exact verifier like any other doubt; an HMAC that fails leaves that tag
 * to the replay to hash.
 */
import { TAG_REC_SLOTS, TagRec, type JournalArena, type SegmentSpan } from '../kernel/kernel.js';

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

export class TagMacs {
  /** Digests by tag offset. */
  readonly digests = new Map<number, TagMac>();
  private hashed = 0;
  private nextStart: number;
  private buffer: Uint8Array = new Uint8Array(1 << 16);
  private inFlight: Promise<void>[] = [];

  constructor(
    private readonly arena: JournalArena,
    /** The epoch's HMAC key (SealState.epochKey: FSPRG Evolve from the previous epoch). */
    private readonly keyOf: (epoch: bigint) => Uint8Array,
    headerSize: number,
    private readonly hmac?: PlatformHmac,
  ) {
    this.nextStart = headerSize;
  }

  /** Some of the tags pass 1 accepted (`accepted` of them) are not hashed yet. */
  pending(accepted: number): boolean {
    return accepted > this.hashed;
  }

  /** Hashes (or starts hashing) the segments of tags [hashed, accepted), at most `limit` now — pass 1 accepted every object in them. */
  async hashAccepted(accepted: number, limit = Infinity): Promise<void> {
    const to = Math.min(accepted, this.hashed + limit);
    while (this.hashed < to) {
      const n = Math.min(BATCH, to - this.hashed);
      const recs = this.arena.scanTags(this.hashed + n, this.hashed);
      const jobs = [];
      for (let i = 0; i < n; i++) {
        const tag = Number(recs[i * TAG_REC_SLOTS + TagRec.offset]!);
        const key = this.keyOf(recs[i * TAG_REC_SLOTS + TagRec.epoch]!);
        jobs.push({ key, start: this.nextStart, tag, withHeader: this.hashed + i === 0 });
        this.nextStart = tag + 64; // align64(TagObject.SIZE): where SealState starts the next segment
      }
      this.hashed += n;
      if (!this.hmac) {
        const out = this.arena.hmacSegments(jobs);
        jobs.forEach((j, i) => this.keep(j, out[i]!));
        continue;
      }
      for (const j of jobs) {
        const message = this.arena.gatherSegment(j, this.buffer);
        if (message.buffer !== this.buffer.buffer) this.buffer = new Uint8Array(message.buffer);
        const d = this.hmac(j.key, message);
        if (d instanceof Uint8Array) {
          this.keep(j, d);
        } else {
          // a failed one is simply not kept: the replay hashes that tag itself
          const p: Promise<void> = d.then((digest) => this.keep(j, digest)).catch(() => {});
          this.inFlight.push(p);
          if (this.inFlight.length >= MAX_PENDING) await this.settle();
        }
      }
    }
  }

  /** Waits for the platform HMACs started so far. */
  async settle(): Promise<void> {
    const p = this.inFlight;
    this.inFlight = [];
    await Promise.all(p);
  }

  private keep(span: SegmentSpan, digest: Uint8Array): void {
    if (digest.length >= 32) this.digests.set(span.tag, { start: span.start, withHeader: span.withHeader, digest });
  }
}
