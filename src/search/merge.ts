/**
 * journalctl's interleaving of several files, on the index's columns (the reader's src/journal/merge.ts
 * walks JournalFile objects; the index has only columns, so this is the same algorithm over arrays).
 *
 * sd-journal's real_journal_next(): every file keeps a candidate entry; a candidate that is not beyond the
 * last entry shown (compare_with_location() <= 0) is skipped for good — that is how an entry present in
 * two files is shown once; among the candidates the smallest by journal_file_compare_locations() wins, ties
 * going to the file opened first. Within a file, entries come in file order.
 */

export interface MergeInput {
  /** Entry ids of each file, in file order: file f owns [fileStart[f], fileEnd[f]). */
  fileStart: ArrayLike<number>;
  fileEnd: ArrayLike<number>;
  /** Interned seqnum_id of each file (equal numbers = same seqnum source). */
  fileSeqnumId: ArrayLike<number>;
  file: ArrayLike<number>;
  seqnum: ArrayLike<number>;
  realtime: ArrayLike<number>;
  monotonic: ArrayLike<number>;
  /** Interned entry boot id. */
  boot: ArrayLike<number>;
  xorHi: ArrayLike<number>;
  xorLo: ArrayLike<number>;
}

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** journal_file_compare_locations(): seqnum within one seqnum source, monotonic within a boot, realtime, xor_hash. */
export function compareEntries(m: MergeInput, a: number, b: number): number {
  const fa = m.file[a];
  const fb = m.file[b];
  const sameSource = m.fileSeqnumId[fa] === m.fileSeqnumId[fb];
  const sameBoot = m.boot[a] === m.boot[b];
  if (
    sameBoot && sameSource &&
    m.monotonic[a] === m.monotonic[b] && m.realtime[a] === m.realtime[b] &&
    m.xorHi[a] === m.xorHi[b] && m.xorLo[a] === m.xorLo[b] && m.seqnum[a] === m.seqnum[b]
  )
    return 0;
  let r: number;
  if (sameSource && (r = cmp(m.seqnum[a], m.seqnum[b])) !== 0) return r;
  if (sameBoot && (r = cmp(m.monotonic[a], m.monotonic[b])) !== 0) return r;
  if ((r = cmp(m.realtime[a], m.realtime[b])) !== 0) return r;
  if ((r = cmp(m.xorHi[a], m.xorHi[b])) !== 0) return r;
  return cmp(m.xorLo[a], m.xorLo[b]);
}

/** compare_with_location(): like compareEntries, but an identical entry of the same file is not a duplicate. */
function compareWithLocation(m: MergeInput, e: number, loc: number): number {
  const sameSource = m.fileSeqnumId[m.file[e]] === m.fileSeqnumId[m.file[loc]];
  const sameBoot = m.boot[e] === m.boot[loc];
  if (
    sameBoot && sameSource && m.realtime[e] === m.realtime[loc] &&
    m.xorHi[e] === m.xorHi[loc] && m.xorLo[e] === m.xorLo[loc] && m.seqnum[e] === m.seqnum[loc] &&
    m.file[e] !== m.file[loc]
  )
    return 0;
  let r: number;
  if (sameSource && (r = cmp(m.seqnum[e], m.seqnum[loc])) !== 0) return r;
  if (sameBoot && (r = cmp(m.monotonic[e], m.monotonic[loc])) !== 0) return r;
  if ((r = cmp(m.realtime[e], m.realtime[loc])) !== 0) return r;
  if ((r = cmp(m.xorHi[e], m.xorHi[loc])) !== 0) return r;
  return cmp(m.xorLo[e], m.xorLo[loc]);
}

/**
 * Entry ids in journalctl's forward order (newest-first is its reverse, as `journalctl -r` prints for
 * consistent files). Entries journalctl would skip (duplicates across files, or out of order) are left out.
 */
export function mergeOrder(m: MergeInput): Uint32Array {
  const nFiles = m.fileStart.length;
  let total = 0;
  for (let f = 0; f < nFiles; f++) total += m.fileEnd[f] - m.fileStart[f];
  const out = new Uint32Array(total);
  if (nFiles === 1) {
    // One file: file order, nothing can be skipped (compare_with_location within a file is by seqnum,
    // and journalctl does not skip entries of the file it is reading from unless seqnums go backwards).
    let n = 0;
    let loc = -1;
    for (let e = m.fileStart[0]; e < m.fileEnd[0]; e++) {
      if (loc >= 0 && compareWithLocation(m, e, loc) <= 0) continue;
      out[n++] = e;
      loc = e;
    }
    return out.subarray(0, n);
  }
  const head = new Float64Array(nFiles);
  for (let f = 0; f < nFiles; f++) head[f] = m.fileStart[f];
  let n = 0;
  let loc = -1;
  for (;;) {
    let best = -1;
    for (let f = 0; f < nFiles; f++) {
      let h = head[f];
      const end = m.fileEnd[f];
      if (loc >= 0) while (h < end && compareWithLocation(m, h, loc) <= 0) h++;
      head[f] = h;
      if (h >= end) continue;
      if (best < 0 || compareEntries(m, h, head[best]) < 0) best = f;
    }
    if (best < 0) break;
    const e = head[best];
    out[n++] = e;
    loc = e;
    head[best] = e + 1;
  }
  return out.subarray(0, n);
}
