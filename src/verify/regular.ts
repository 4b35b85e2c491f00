/**
 * The fast path of journal_file_verify for a regular file held in a kernel arena: the structural
 * checks run in wasm (assembly/scan.ts), the checks that need the key (each tag's time window,
 * "older entry after newer tag", the HMACs) run here on what the scan recorded per tag, with the
 * same SealState code as the exact path. Anything unusual — any check that would fail, and a few
 * well-formed but unusual layouts — returns null, and structure.ts's exact verifier runs instead and
 * reports it with journalctl's lines. A regular file has no lines to report beyond PASS, so this
 * path only ever has to answer "every check passes".
 */
import { prepareZstd } from '../journal/compress.js';
import type { JournalFile } from '../journal/file.js';
import { Header, IncompatibleFlag } from '../journal/format.js';
import { SCAN_IRREGULAR, SCAN_REGULAR, SCAN_WAIT, ScanOut, TAG_REC_SLOTS, TagRec, type JournalArena } from '../kernel/kernel.js';
import { Respeculate, SealState } from './seal.js';
import { yieldTask } from './arena-fill.js';
import { Access, COMPATIBLE_SUPPORTED, VerifyAborted, headerMismatch, type VerifyContext, type VerifyRun } from './structure.js';
import { TagMacs } from './tag-macs.js';
import { CompressedPayloads } from './payloads.js';

/** Pass-1 objects per scan call: keeps progress and cancellation responsive (~10 ms per call). */
const SCAN_BUDGET = 16384;
/** While the helper waits for tag batches (mac-helper.ts): shorter calls, so it is fed more often. */
const FEEDING_BUDGET = 4096;
/** Side work per slice while pass 1 waits for bytes (a few ms each): compressed payloads, tags. */
const SIDE_PAYLOADS = 256;
const SIDE_TAGS = 16;

export async function verifyRegular(f: JournalFile, arena: JournalArena, ctx: VerifyContext): Promise<VerifyRun | null> {
  const H = f.header;
  if (arena.bytes !== f.bytes) throw new Error('verifyRegular: the journal must be the arena\'s bytes');
  if ((H.compatibleFlags & ~COMPATIBLE_SUPPORTED[ctx.version]) !== 0) return null;
  for (let i = 0; i < 7; i++) if (f.bytes[Header.reserved + i] !== 0) return null;

  const withKey = ctx.sealChecks && ctx.key !== null;
  const acc = new Access(f, ctx.version);
  const seal = new SealState(f, acc, ctx);
  // Tag HMACs as soon as their segments are accepted (tag-macs.ts): by the platform's HMAC as the
  // scan goes, or by the kernel while pass 1 waits for bytes.
  const macs = withKey && f.sealed ? new TagMacs(arena, (epoch) => seal.epochKey(epoch), H.headerSize, ctx.hmac, ctx.macHelper && { port: ctx.macHelper, seed: ctx.key!.seed }) : null;
  if (H.incompatibleFlags & IncompatibleFlag.COMPRESSED_ZSTD) await prepareZstd();
  const payloads = new CompressedPayloads(f, arena, ctx.macHelper);

  // Pass 1 and pass 2, in wasm, over what has been read in so far.
  const fill = ctx.fill;
  // A helper that waits for the read (the page's: mac-helper.ts afterRead) is sent nothing before.
  const helperOn = () => !ctx.macHelper?.afterRead || !fill || fill.loaded >= f.size;
  let avail = fill ? fill.loaded : f.size;
  arena.scanAvail(avail);
  arena.scanInit(H.headerSize, H.tailObjectOffset, f.compact, f.keyedHash, f.sealed);
  let status: number;
  let steps = 0;
  let budget = SCAN_BUDGET;
  while ((status = arena.scanRun(budget)) !== SCAN_REGULAR) {
    if (status === SCAN_IRREGULAR) return null;
    if (ctx.signal?.aborted) throw new VerifyAborted();
    if (status === SCAN_WAIT) {
      if (!fill || avail >= f.size) return null;
      // Until more bytes arrive: the compressed payloads and the tags accepted so far, a slice at a
      // time (pass 1 is what the end waits for, so it goes on as soon as there is more to scan).
      const counts = arena.scanCounts();
      while (fill.loaded <= avail) {
        if (payloads.pending(counts.compressed)) {
          if (!(await payloads.check(counts.compressed, ctx, SIDE_PAYLOADS))) return null;
        } else if (macs && !macs.keyElsewhere && !seal.keyPrepared) {
          seal.prepareKey(); // the key's primes, once
        } else if (macs?.pending(counts.tags) && helperOn()) {
          await macs.hashAccepted(counts.tags, SIDE_TAGS);
        } else {
          await fill.more(avail);
          break;
        }
        await yieldTask();
      }
      avail = fill.loaded;
      arena.scanAvail(avail);
    } else if (fill && avail < f.size) {
      // let the reader's completions run (it reads ahead only when they do), then take what arrived
      await yieldTask();
      avail = fill.loaded;
      arena.scanAvail(avail);
    }
    if ((macs?.eager || ctx.macHelper) && helperOn()) {
      const counts = arena.scanCounts();
      if (macs?.eager) await macs.hashAccepted(counts.tags);
      payloads.offer(counts.compressed, ctx);
      const feeding = macs?.waiting || payloads.waiting;
      if (feeding) await yieldTask(); // the helper's replies (batch buffers) come in as messages
      budget = feeding ? FEEDING_BUDGET : SCAN_BUDGET;
    }
    // Objects average ~300 bytes; the exact path reports pass 1 as the first 60 %.
    ctx.onProgress?.(Math.min(Math.floor(f.size * 0.6), (steps += budget) * 300), f.size);
  }
  const out = arena.scanOut();
  const n = (slot: number) => Number(out[slot]!);
  const nTags = n(ScanOut.nTags);
  const sendTags = macs?.eager ? () => macs.hashAccepted(nTags) : undefined;
  if (!(await payloads.checkAll(n(ScanOut.nCompressed), ctx, sendTags))) return null;

  // Header consistency, then the tags in file order, replayed from the scan's records.
  const lastBootOff = n(ScanOut.lastBootOff);
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
    entryBootOff: lastBootOff,
  };
  if (headerMismatch(f, acc, ctx.version, counters, nTags, out[ScanOut.lastRealtime]!)) return null;

  if (withKey) {
    seal.arena = arena;
    if (macs) {
      await macs.settle(nTags);
      seal.precomputed = macs.digests;
    }
  }
  try {
    if (!replayTags(seal, arena.scanTags(nTags), nTags, withKey, ctx)) return null;
    // the same check for the entries after the last tag
    if (out[ScanOut.tailMinRealtime]! < seal.lastTagRealtime) return null;
    seal.flush();
  } catch (e) {
    // a batched HMAC did not match (flush runs every BATCH tags): the exact path says where
    if (e instanceof Respeculate) return null;
    throw e;
  }
  ctx.onProgress?.(f.size, f.size);
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

/** The tags in file order from the scan's records, through SealState as pass 1 would; false = a check failed. */
function replayTags(seal: SealState, tags: BigUint64Array, nTags: number, withKey: boolean, ctx: VerifyContext): boolean {
  for (let t = 0; t < nTags; t++) {
    const r = tags.subarray(t * TAG_REC_SLOTS, (t + 1) * TAG_REC_SLOTS);
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
    if (withKey) {
      if (seal.checkTag(p, epoch, BigInt(t + 1))) return false;
    } else {
      seal.skipTag(p, epoch);
    }
    if (t % 256 === 255 && ctx.signal?.aborted) throw new VerifyAborted();
  }
  return true;
}
