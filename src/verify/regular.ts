/**
 * The fast path of journal_file_verify for a regular file held in a kernel arena: the structural
 * checks run in wasm (assembly/scan.ts), the checks that need the key (each tag's time window,
 * "older entry after newer tag", the HMACs) run here on what the scan recorded per tag, with the
 * same SealState code as the exact path. Anything unusual — any check that would fail, and a few
 * well-formed but unusual layouts — returns null, and structure.ts's exact verifier runs instead and
 * reports it with journalctl's lines. A regular file has no lines to report beyond PASS, so this
 * path only ever has to answer "every check passes".
 */
import { decompressPayload, prepareZstd } from '../journal/compress.js';
import type { JournalFile } from '../journal/file.js';
import { DataObject, Header, IncompatibleFlag } from '../journal/format.js';
import { SCAN_IRREGULAR, SCAN_MORE, ScanOut, TAG_REC_SLOTS, TagRec, type JournalArena } from '../kernel/kernel.js';
import { Respeculate, SealState } from './seal.js';
import { Access, COMPATIBLE_SUPPORTED, VerifyAborted, headerMismatch, type VerifyContext, type VerifyRun } from './structure.js';

/** Pass-1 objects per scan call: keeps progress and cancellation responsive (~10 ms per call). */
const SCAN_BUDGET = 16384;

/** Upper bounds for the arena's tables, from the header where it has the counts (a lying header only makes the scan irregular). */
export function arenaBounds(f: JournalFile): { maxData: number; maxTags: number } {
  const cap = Math.floor(f.size / 64) + 1;
  const H = f.header;
  const bound = (n: bigint | undefined) => (n === undefined || n >= BigInt(cap) ? cap : Number(n) + 1);
  return { maxData: bound(H.nData), maxTags: f.sealed ? bound(H.nTags) : 1 };
}

export async function verifyRegular(f: JournalFile, arena: JournalArena, ctx: VerifyContext): Promise<VerifyRun | null> {
  const H = f.header;
  if (arena.bytes !== f.bytes) throw new Error('verifyRegular: the journal must be the arena\'s bytes');
  if ((H.compatibleFlags & ~COMPATIBLE_SUPPORTED[ctx.version]) !== 0) return null;
  for (let i = 0; i < 7; i++) if (f.bytes[Header.reserved + i] !== 0) return null;

  // Pass 1 and pass 2, in wasm.
  arena.scanInit(H.headerSize, H.tailObjectOffset, f.compact, f.keyedHash, f.sealed);
  let status = SCAN_MORE;
  let steps = 0;
  while ((status = arena.scanRun(SCAN_BUDGET)) === SCAN_MORE) {
    if (ctx.signal?.aborted) throw new VerifyAborted();
    // Objects average ~300 bytes; the exact path reports pass 1 as the first 60 %.
    ctx.onProgress?.(Math.min(Math.floor(f.size * 0.6), ++steps * SCAN_BUDGET * 300), f.size);
  }
  if (status === SCAN_IRREGULAR) return null;
  const out = arena.scanOut();
  const n = (slot: number) => Number(out[slot]!);

  // Compressed DATA objects: decompressed here, hashed with the arena's kernel.
  const nCompressed = n(ScanOut.nCompressed);
  if (nCompressed > 0) {
    if (H.incompatibleFlags & IncompatibleFlag.COMPRESSED_ZSTD) await prepareZstd();
    const offs = arena.scanCompressed(nCompressed);
    const k = arena.kernel;
    const fileId = f.bytes.subarray(Header.fileId, Header.fileId + 16);
    for (let i = 0; i < nCompressed; i++) {
      const p = offs[i]!;
      const size = f.u64n(p + 8);
      let payload: Uint8Array;
      try {
        const r = decompressPayload(f.u8(p + 1), f.bytes.subarray(p + f.dataPayloadOffset, p + size), { maxSize: 0x7fffffff });
        payload = r instanceof Uint8Array ? r : await r;
      } catch {
        return null;
      }
      const h = f.keyedHash ? k.siphash24(fileId, payload) : k.jenkinsHash64(payload);
      if (h !== f.u64(p + DataObject.hash)) return null;
      if (i % 1024 === 1023 && ctx.signal?.aborted) throw new VerifyAborted();
    }
  }

  // Header consistency, then the tags in file order, replayed from the scan's records.
  const acc = new Access(f, ctx.version);
  const seal = new SealState(f, acc, ctx);
  const nTags = n(ScanOut.nTags);
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

  const withKey = ctx.sealChecks && ctx.key !== null;
  if (withKey) seal.arena = arena;
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
