/**
 * The fast path of journal_file_verify for a regular file streaming through a kernel arena's window
 * (window.ts): the structural checks run in wasm (assembly/scan.ts), the checks that need the key
 * (each tag's time window, "older entry after newer tag", the HMACs) run here on what the scan
 * recorded per tag, with the same SealState code as the exact path. Anything unusual — any check
 * that would fail, and a few well-formed but unusual layouts — returns null, and structure.ts's
 * exact verifier runs instead (on the whole file) and reports it with journalctl's lines. A regular
 * file has no lines to report beyond PASS, so this path only ever has to answer "every check passes".
 *
 * The window moves on behind what still needs the bytes: pass 1, the compressed payloads not yet
 * checked, and (with a key) the tag segments not yet hashed — including the one the next tag will
 * close. When those hold it back and it is full, this thread checks and hashes them itself; when a
 * single segment or object is longer than the window, the window grows.
 */
import type { JournalFile } from '../journal/file.js';
import { Header, ObjectHeader, TagObject, align64 } from '../journal/format.js';
import { SCAN_IRREGULAR, SCAN_REGULAR, SCAN_WAIT, ScanOut, TAG_REC_SLOTS, TagRec, type JournalArena } from '../kernel/kernel.js';
import { Respeculate, SealState } from './seal.js';
import { yieldTask, type WindowReader } from './window.js';
import { Access, COMPATIBLE_SUPPORTED, VerifyAborted, headerMismatch, type VerifyContext, type VerifyRun } from './structure.js';
import { TagMacs } from './tag-macs.js';
import { CompressedPayloads } from './payloads.js';
import { HelperLoad } from './mac-helper.js';

/** Pass-1 objects per scan call: keeps progress and cancellation responsive (~10 ms per call). */
const SCAN_BUDGET = 16384;
/** While the helper waits for tag batches (mac-helper.ts): shorter calls, so it is fed more often. */
const FEEDING_BUDGET = 4096;
/** Side work per slice while pass 1 waits for bytes (a few ms each): compressed payloads, tags. */
const SIDE_PAYLOADS = 256;
const SIDE_TAGS = 16;
/** The window moves on once what it must keep starts this far into it (a quarter is copied back). */
const SHIFT_AT = 0.75;
/** Tag records fetched from the scan at a time by the replay. */
const REPLAY_CHUNK = 64;

export async function verifyRegular(f: JournalFile, arena: JournalArena, reader: WindowReader, ctx: VerifyContext): Promise<VerifyRun | null> {
  try {
    return await scan(f, arena, reader, ctx);
  } finally {
    // reads still under way write into the arena: let them finish before the caller moves on
    await reader.idle();
  }
}

async function scan(f: JournalFile, arena: JournalArena, reader: WindowReader, ctx: VerifyContext): Promise<VerifyRun | null> {
  const H = f.header;
  const size = arena.size;
  if ((H.compatibleFlags & ~COMPATIBLE_SUPPORTED[ctx.version]) !== 0) return null;
  for (let i = 0; i < 7; i++) if (f.bytes[Header.reserved + i] !== 0) return null;

  const withKey = ctx.sealChecks && ctx.key !== null;
  const acc = new Access(f, ctx.version);
  const seal = new SealState(f, acc, ctx);
  // Tag HMACs as soon as their segments are accepted (tag-macs.ts): by the platform's HMAC as the
  // scan goes, or by the kernel while pass 1 waits for bytes.
  const load = new HelperLoad();
  const macs = withKey && f.sealed ? new TagMacs(arena, (epoch) => seal.epochKey(epoch), H.headerSize, ctx.hmac, ctx.macHelper && { port: ctx.macHelper, seed: ctx.key!.seed }, load) : null;
  const payloads = new CompressedPayloads(f, arena, ctx.macHelper, load);

  /**
   * Where the bytes still needed start: pass 1's position (the file's end once it is done), the
   * first payload and tag segment not yet checked or hashed (at most what is in the window).
   */
  const keep = (counts: { tags: number; compressed: number }) => {
    const pos = arena.scanPosition();
    const tags = macs ? macs.retainFrom(counts.tags, pos >= size) : Infinity;
    return Math.min(pos, payloads.retainFrom(counts.compressed), tags, reader.loaded);
  };
  /** Checks or hands over what holds the window back (payloads, accepted segments), so it can move. */
  const release = async (counts: { tags: number; compressed: number }): Promise<boolean> => {
    if (!(await payloads.release(counts.compressed, ctx, macs ? () => macs.hashAccepted(counts.tags) : undefined))) return false;
    if (macs) await macs.release(counts.tags);
    return true;
  };
  /** Moves the window on when what it must keep is far enough into it and no read is under way. */
  const maybeShift = (counts: { tags: number; compressed: number }) => {
    if (!reader.quiet) return;
    const k = keep(counts);
    if (k > arena.base && k - arena.base >= reader.span * SHIFT_AT) reader.shift(k);
  };

  // The tags in file order, replayed from the scan's records through SealState as soon as their
  // digests are known (all of them at once without a key): a bad one ends the run early, and the
  // end has only the last few left.
  if (withKey) {
    seal.windowed = true;
    if (macs) seal.precomputed = macs.digests;
  }
  let replayed = 0;
  const replay = (accepted: number): boolean => {
    // a few records at a time: while the helper is behind, the next tag's digest is not known yet and
    // a call stops at once (fetching every accepted tag's record on each call copied 40–110 thousand
    // records on a 120 MiB journal with 6,822 tags: 9–18 ms in Chromium, 4–10 ms now)
    while (replayed < accepted) {
      const from = replayed;
      const to = Math.min(accepted, from + REPLAY_CHUNK);
      const recs = arena.scanTags(to, from);
      for (let t = from; t < to; t++) {
        const r = recs.subarray((t - from) * TAG_REC_SLOTS, (t - from + 1) * TAG_REC_SLOTS);
        const p = Number(r[TagRec.offset]!);
        if (macs && !macs.digests.has(p)) return true;
        if (!replayTag(seal, r, t, withKey)) return false;
        macs?.digests.delete(p);
        replayed = t + 1;
      }
    }
    return true;
  };

  // Reading stops where pass 1 does, at the tail object's end, as journalctl's does: what follows
  // (journald's preallocated zeros: up to 8 MiB, 2–4 MiB of the 120 MiB bench journals) is never
  // read. Reads are held at the end of the tail object's header until its size is known.
  const tail = H.tailObjectOffset;
  const tailSized = () => {
    if (!reader.held) return;
    // (the bytes are loaded, held there: in the window unless it has moved past the tail object)
    const at = tail + ObjectHeader.size;
    const bytes = at >= arena.base ? arena.at(at, at + 8) : null;
    const size = bytes ? Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)) : 0;
    // a size that makes no sense: read on to the file's end (the scan finds what is wrong)
    reader.endAt(size >= ObjectHeader.SIZE && size <= arena.size - tail ? tail + align64(size) : arena.size);
  };
  if (tail >= H.headerSize) reader.holdAt(tail + ObjectHeader.SIZE);

  /**
   * Until more bytes than `avail` have arrived: the compressed payloads and the tags accepted so far,
   * a slice at a time (pass 1 is what the end waits for, so it goes on as soon as there is more to
   * scan). False: the fast path declines. A function of its own, not a block of the loop below: its
   * many awaits at the start of a file made the whole loop hot before its other half had ever run,
   * and V8 optimized the loop's function, deoptimized it there and optimized it again, on the cores
   * the verification needs. Now only this one is optimized, once (the CLI, V8's trace, 5 runs each:
   * TurboFan's time on our JS per run, median 191 → 149 ms on the sealed plain journal, 147 → 128 on
   * the sealed ZSTD one; wall times, 20 interleaved runs, within the noise).
   */
  const waitForBytes = async (avail: number): Promise<boolean> => {
    while (reader.loaded <= avail) {
      const counts = arena.scanCounts();
      if (reader.full) {
        // the window is full of bytes still needed: check and hash what holds it back, move it
        // on; if nothing can go (one segment or object longer than the window), let it grow
        if (!(await release(counts))) return false;
        await reader.idle();
        if (reader.loaded > avail) break;
        // (moving it by only a little would copy most of it for little room: grow it instead)
        const k = keep(counts);
        if (k - arena.base >= reader.span / 4) reader.shift(k);
        else reader.extend();
        continue;
      }
      if (payloads.pending(counts.compressed)) {
        if (!(await payloads.check(counts.compressed, ctx, SIDE_PAYLOADS))) return false;
      } else if (macs && !macs.keyElsewhere && !seal.keyPrepared) {
        seal.prepareKey(); // the key's primes, once
      } else if (macs?.pending(counts.tags)) {
        await macs.hashAccepted(counts.tags, SIDE_TAGS);
      } else {
        maybeShift(counts);
        await reader.more(avail);
        break;
      }
      await yieldTask();
    }
    return true;
  };

  // Pass 1 and pass 2, in wasm, over what has been read in so far.
  let avail = reader.loaded;
  tailSized();
  arena.scanAvail(avail);
  arena.scanInit(H.headerSize, H.tailObjectOffset, f.compact, f.keyedHash, f.sealed);
  let status: number;
  let steps = 0;
  let budget = SCAN_BUDGET;
  while ((status = arena.scanRun(budget)) !== SCAN_REGULAR) {
    if (status === SCAN_IRREGULAR) return null;
    if (ctx.signal?.aborted) throw new VerifyAborted();
    if (status === SCAN_WAIT) {
      if (avail >= reader.end) return null;
      if (!(await waitForBytes(avail))) return null;
      avail = reader.loaded;
      tailSized();
      arena.scanAvail(avail);
    } else if (avail < reader.end) {
      // let the reader's completions run (it reads ahead only when they do), then take what arrived
      await yieldTask();
      avail = reader.loaded;
      tailSized();
      arena.scanAvail(avail);
    }
    const counts = arena.scanCounts();
    if (macs?.eager || ctx.macHelper) {
      load.ahead(H.tailObjectOffset - arena.scanPosition());
      if (macs?.eager) await macs.hashAccepted(counts.tags);
      payloads.offer(counts.compressed);
      // the payloads the helper has no room for: here, now (rather than all at once when they fill the window)
      if (ctx.macHelper && payloads.pending(counts.compressed) && !(await payloads.check(counts.compressed, ctx))) return null;
      const feeding = macs?.waiting || payloads.waiting;
      if (feeding) await yieldTask(); // the helper's replies (batch buffers) come in as messages
      budget = feeding ? FEEDING_BUDGET : SCAN_BUDGET;
    }
    if (avail < reader.end) maybeShift(counts);
    if (!replay(counts.tags)) return null;
    // Objects average ~300 bytes; the exact path reports pass 1 as the first 60 %.
    ctx.onProgress?.(Math.min(Math.floor(size * 0.6), (steps += budget) * 300), size);
  }
  const out = arena.scanOut();
  const n = (slot: number) => Number(out[slot]!);
  const nTags = n(ScanOut.nTags);
  const sendTags = macs?.eager ? () => macs.hashAccepted(nTags) : undefined;
  if (!(await payloads.checkAll(n(ScanOut.nCompressed), ctx, sendTags))) return null;

  // Header consistency, then the tags in file order, replayed from the scan's records.
  const bootId = new Uint8Array(BigUint64Array.of(out[ScanOut.lastBootId]!, out[ScanOut.lastBootId + 1]!).buffer);
  const counters = {
    nObjects: n(ScanOut.nObjects),
    nEntries: n(ScanOut.nEntries),
    nData: n(ScanOut.nData),
    nFields: n(ScanOut.nFields),
    nEntryArrays: n(ScanOut.nEntryArrays),
    foundMainEntryArray: out[ScanOut.foundMain] === 1n,
    entrySet: out[ScanOut.entrySet] === 1n,
    entrySeqnum: out[ScanOut.lastSeqnum]!,
    entryMonotonic: out[ScanOut.lastMonotonic]!,
    entryBootOff: n(ScanOut.lastBootOff),
    entryBootId: bootId,
  };
  if (headerMismatch(f, acc, ctx.version, counters, nTags, out[ScanOut.lastRealtime]!)) return null;

  await macs?.settle(nTags);
  if (!replay(nTags) || replayed < nTags) return null; // (a digest missing: the exact path hashes)
  // the same check for the entries after the last tag
  if (out[ScanOut.tailMinRealtime]! < seal.lastTagRealtime) return null;
  ctx.onProgress?.(size, size);
  return {
    lines: [],
    errno: null,
    validated: seal.lastSealedRealtime,
    position: H.tailObjectOffset,
    segments: seal.segments,
    sealFailure: false,
    nTags: seal.nTags,
  };
}

/**
 * Tag t (0-based) from its scan record `r`, through SealState as pass 1 would; false = a check
 * failed, or its digest is not the tag's (window mode's checkTag throws Respeculate for that).
 */
function replayTag(seal: SealState, r: BigUint64Array, t: number, withKey: boolean): boolean {
  // pass 1's ENTRY check "Older entry after newer tag", for the entries since the previous tag
  if (r[TagRec.minRealtime]! < seal.lastTagRealtime) return false;
  const count = Number(r[TagRec.count]!);
  seal.replayEntries({
    entrySet: r[TagRec.entrySet] === 1n,
    entryRealtime: r[TagRec.entryRealtime]!,
    maxRealtime: r[TagRec.maxRealtime]!,
    minRealtime: r[TagRec.minRealtime]!,
    stats:
      count === 0
        ? null
        : { count, firstSeqnum: r[TagRec.firstSeqnum]!, lastSeqnum: r[TagRec.lastSeqnum]!, firstRealtime: r[TagRec.firstRealtime]!, lastRealtime: r[TagRec.lastRealtime]! },
  });
  const p = Number(r[TagRec.offset]!);
  const epoch = r[TagRec.epoch]!;
  if (!withKey) {
    seal.skipTag(p, epoch);
    return true;
  }
  const stored = new Uint8Array(r.buffer, r.byteOffset + TagRec.tag * 8, TagObject.TAG_LENGTH);
  try {
    return seal.checkTag(p, epoch, BigInt(t + 1), stored) === null;
  } catch (e) {
    if (e instanceof Respeculate) return false;
    throw e;
  }
}
