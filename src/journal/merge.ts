/**
 * Entries of one or more journal files in journalctl's order (sd-journal.c real_journal_next /
 * next_beyond_location / compare_with_location, journal-file.c journal_file_compare_locations, as of
 * systemd 252–254; the boot-ID ordering by per-boot timestamps of later versions is not applied).
 *
 * Each file offers its next entry as a candidate; the smallest candidate by compare_locations wins and
 * becomes the "current location". A file's candidate that does not compare greater than the current
 * location is passed over — this drops entries duplicated across files and, within one file, entries
 * that go "backwards" (same seqnum source and a seqnum not above the last one shown, …), exactly as
 * journalctl does.
 */
import type { JournalFile } from './file.js';
import type { EntryMeta, JournalReader } from './reader.js';

export interface MergedEntry {
  readonly reader: JournalReader;
  readonly entry: EntryMeta;
}

function idEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** journal_file_compare_locations for two candidates. */
export function compareEntries(af: JournalFile, a: EntryMeta, bf: JournalFile, b: EntryMeta): number {
  const sameSeqnumId = idEqual(af.header.seqnumId, bf.header.seqnumId);
  const sameBoot = idEqual(a.bootId, b.bootId);
  if (sameBoot && a.monotonic === b.monotonic && a.realtime === b.realtime && a.xorHash === b.xorHash && sameSeqnumId && a.seqnum === b.seqnum) {
    return 0;
  }
  if (sameSeqnumId) {
    const r = cmp(a.seqnum, b.seqnum);
    if (r !== 0) return r;
  }
  if (sameBoot) {
    const r = cmp(a.monotonic, b.monotonic);
    if (r !== 0) return r;
  }
  const r = cmp(a.realtime, b.realtime);
  if (r !== 0) return r;
  return cmp(a.xorHash, b.xorHash);
}

/** compare_with_location: candidate `e` of file `f` against the location of the entry last shown. */
function compareWithLocation(f: JournalFile, e: EntryMeta, lf: JournalFile, l: EntryMeta): number {
  const sameBoot = idEqual(e.bootId, l.bootId);
  const sameSeqnumId = idEqual(f.header.seqnumId, lf.header.seqnumId);
  if (sameBoot && e.realtime === l.realtime && e.xorHash === l.xorHash && sameSeqnumId && e.seqnum === l.seqnum && f !== lf) {
    return 0;
  }
  if (sameSeqnumId) {
    const r = cmp(e.seqnum, l.seqnum);
    if (r !== 0) return r;
  }
  if (sameBoot) {
    const r = cmp(e.monotonic, l.monotonic);
    if (r !== 0) return r;
  }
  const r = cmp(e.realtime, l.realtime);
  if (r !== 0) return r;
  return cmp(e.xorHash, l.xorHash);
}

/**
 * Interleave the entries of `readers` (in the order given, which breaks exact ties) as journalctl does.
 * A reader added to `dropped` (e.g. after a fatal error in one of its entries) is left out from then on,
 * as sd-journal drops a file it cannot iterate.
 */
export function* mergeEntries(readers: readonly JournalReader[], dropped?: ReadonlySet<JournalReader>): Generator<MergedEntry, void, void> {
  const iters = readers.map((r) => r.entries());
  const cand: Array<EntryMeta | undefined> = readers.map(() => undefined);
  const done: boolean[] = readers.map(() => false);
  let last: MergedEntry | undefined;
  let lastIdx = -1;
  for (;;) {
    let best = -1;
    for (let i = 0; i < readers.length; i++) {
      if (done[i]) continue;
      if (dropped?.has(readers[i]!)) {
        done[i] = true;
        continue;
      }
      const f = readers[i]!.file;
      // The file whose candidate was shown moves on; the others keep theirs.
      if (i === lastIdx) cand[i] = undefined;
      for (;;) {
        if (cand[i] === undefined) {
          const n = iters[i]!.next();
          if (n.done) {
            done[i] = true;
            break;
          }
          cand[i] = n.value;
        }
        if (!last || compareWithLocation(f, cand[i]!, last.reader.file, last.entry) > 0) break;
        cand[i] = undefined;
      }
      if (done[i]) continue;
      if (best < 0 || compareEntries(f, cand[i]!, readers[best]!.file, cand[best]!) < 0) best = i;
    }
    if (best < 0) return;
    last = { reader: readers[best]!, entry: cand[best]! };
    lastIdx = best;
    yield last;
  }
}
