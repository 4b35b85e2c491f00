/**
 * A report's tag segments across a worker boundary as one transferred Float64Array. Thousands of
 * small objects (6,083 for a 120 MiB sealed journal) took ~15–20 ms to structured-clone and rebuild on
 * the page's thread, in the user's wait for the verdict; a column of numbers is a transfer. The
 * report's numbers are JS numbers, so a Float64Array carries each exactly; `entries` and `ok` are
 * coded in the columns below.
 */
import type { SealSegment, VerifyReport } from './report.js';

/** The columns of one segment. */
const enum Col { tagIndex, tagOffset, epoch, start, end, epochFrom, epochTo, count, firstSeqnum, lastSeqnum, firstRealtime, lastRealtime, ok, SIZE }
/** `count` of a segment without entries (`entries: null`); `ok` of one not checked (`ok: null`). */
const NONE = -1;

export function packSegments(segments: readonly SealSegment[]): Float64Array {
  const out = new Float64Array(segments.length * Col.SIZE);
  segments.forEach((g, i) => {
    const e = g.entries;
    out.set([
      g.tagIndex, g.tagOffset, g.epoch, g.start, g.end, g.epochFrom, g.epochTo,
      e ? e.count : NONE, e?.firstSeqnum ?? 0, e?.lastSeqnum ?? 0, e?.firstRealtime ?? 0, e?.lastRealtime ?? 0,
      g.ok === null ? NONE : Number(g.ok),
    ], i * Col.SIZE);
  });
  return out;
}

export function unpackSegments(packed: Float64Array): SealSegment[] {
  if (packed.length % Col.SIZE !== 0) throw new RangeError('malformed packed segments');
  const out: SealSegment[] = [];
  for (let at = 0; at < packed.length; at += Col.SIZE) {
    const c = (col: Col) => packed[at + col]!;
    out.push({
      tagIndex: c(Col.tagIndex), tagOffset: c(Col.tagOffset), epoch: c(Col.epoch), start: c(Col.start), end: c(Col.end),
      epochFrom: c(Col.epochFrom), epochTo: c(Col.epochTo),
      entries: c(Col.count) === NONE ? null
        : { count: c(Col.count), firstSeqnum: c(Col.firstSeqnum), lastSeqnum: c(Col.lastSeqnum), firstRealtime: c(Col.firstRealtime), lastRealtime: c(Col.lastRealtime) },
      ok: c(Col.ok) === NONE ? null : c(Col.ok) === 1,
    });
  }
  return out;
}

/** A report with its segments taken out (packed beside it). */
export type ReportWithoutSegments = VerifyReport & { segments: []; failedSegments: [] };

export function withoutSegments(report: VerifyReport): { report: ReportWithoutSegments; packed: Float64Array } {
  return { report: { ...report, segments: [], failedSegments: [] }, packed: packSegments(report.segments) };
}

/** The report again, as verifyJournal made it (failedSegments: the segments whose HMAC failed). */
export function withSegments(report: VerifyReport, packed: Float64Array): VerifyReport {
  const segments = unpackSegments(packed);
  return { ...report, segments, failedSegments: segments.filter((s) => s.ok === false) };
}
