/**
 * Tag HMACs while the file is still arriving. A sealed file's seal checks are, per tag, an FSPRG
 * epoch key (one 1536-bit squaring per epoch) and an HMAC-SHA256 over the objects since the previous
 * tag: about as much work as all the structural checks together. When pass 1 has caught up with the
 * reader (SCAN_WAIT), the verifier would only wait; instead it hashes the segments of the tags pass 1
 * has accepted so far, in place in the arena. The replay afterwards only compares digests.
 *
 * (A helper thread for this was measured on the 2-core target machine and dropped: the copies to
 * it, its second isolate and the contention with the reader cost what it saved, plus ~60 MiB.)
 *
 * The digests are only ever compared with the tags, for the segment the replay itself derives: a
 * mismatch sends the file to the exact verifier like any other doubt.
 */
import { TAG_REC_SLOTS, TagRec, type JournalArena } from '../kernel/kernel.js';

/** A tag's digest, with the segment it covers (checked against the replay's own). */
export interface TagMac {
  start: number;
  withHeader: boolean;
  digest: Uint8Array;
}

/** Tags hashed per kernel call (4 lanes; bounds the keys alive at once). */
const BATCH = 64;

export class EarlyTagMacs {
  /** Digests by tag offset. */
  readonly digests = new Map<number, TagMac>();
  private hashed = 0;
  private nextStart: number;

  constructor(
    private readonly arena: JournalArena,
    /** The epoch's HMAC key (SealState.epochKey: FSPRG Evolve from the previous epoch). */
    private readonly keyOf: (epoch: bigint) => Uint8Array,
    headerSize: number,
  ) {
    this.nextStart = headerSize;
  }

  /** Some of the tags pass 1 accepted (`accepted` of them) are not hashed yet. */
  pending(accepted: number): boolean {
    return accepted > this.hashed;
  }

  /** Hashes the segments of tags [hashed, accepted), at most `limit` now — pass 1 accepted every object in them. */
  hashAccepted(accepted: number, limit = Infinity): void {
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
      const out = this.arena.hmacSegments(jobs);
      jobs.forEach((j, i) => this.digests.set(j.tag, { start: j.start, withHeader: j.withHeader, digest: out[i]! }));
      this.hashed += n;
    }
  }
}
