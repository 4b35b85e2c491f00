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

// Both run once per file, so V8 runs them cold (its interpreter): plain indexed loops, without a
// temporary array per segment, pack 6,822 segments in ~3 ms rather than ~5 (Node, const enum
// inlined as the page's bundle has it); unpacking takes ~7–12 ms either way, hence withSegments'
// laziness.
export function packSegments(segments: readonly SealSegment[]): Float64Array {
  const out = new Float64Array(segments.length * Col.SIZE);
  for (let i = 0, at = 0; i < segments.length; i++, at += Col.SIZE) {
    const g = segments[i]!;
    const e = g.entries;
    out[at + Col.tagIndex] = g.tagIndex;
    out[at + Col.tagOffset] = g.tagOffset;
    out[at + Col.epoch] = g.epoch;
    out[at + Col.start] = g.start;
    out[at + Col.end] = g.end;
    out[at + Col.epochFrom] = g.epochFrom;
    out[at + Col.epochTo] = g.epochTo;
    if (e) {
      out[at + Col.count] = e.count;
      out[at + Col.firstSeqnum] = e.firstSeqnum;
      out[at + Col.lastSeqnum] = e.lastSeqnum;
      out[at + Col.firstRealtime] = e.firstRealtime;
      out[at + Col.lastRealtime] = e.lastRealtime;
    } else out[at + Col.count] = NONE;
    out[at + Col.ok] = g.ok === null ? NONE : Number(g.ok);
  }
  return out;
}

export function unpackSegments(packed: Float64Array): SealSegment[] {
  if (packed.length % Col.SIZE !== 0) throw new RangeError('malformed packed segments');
  const n = packed.length / Col.SIZE;
  const out: SealSegment[] = new Array(n);
  for (let i = 0, at = 0; i < n; i++, at += Col.SIZE) {
    const count = packed[at + Col.count]!;
    const ok = packed[at + Col.ok]!;
    out[i] = {
      tagIndex: packed[at + Col.tagIndex]!,
      tagOffset: packed[at + Col.tagOffset]!,
      epoch: packed[at + Col.epoch]!,
      start: packed[at + Col.start]!,
      end: packed[at + Col.end]!,
      epochFrom: packed[at + Col.epochFrom]!,
      epochTo: packed[at + Col.epochTo]!,
      entries:
        count === NONE
          ? null
          : {
              count,
              firstSeqnum: packed[at + Col.firstSeqnum]!,
              lastSeqnum: packed[at + Col.lastSeqnum]!,
              firstRealtime: packed[at + Col.firstRealtime]!,
              lastRealtime: packed[at + Col.lastRealtime]!,
            },
      ok: ok === NONE ? null : ok === 1,
    };
  }
  return out;
}

/** A report with its segments taken out (packed beside it). */
export type ReportWithoutSegments = VerifyReport & { segments: []; failedSegments: [] };

export function withoutSegments(report: VerifyReport): { report: ReportWithoutSegments; packed: Float64Array } {
  return { report: { ...report, segments: [], failedSegments: [] }, packed: packSegments(report.segments) };
}

/**
 * The report again, as verifyJournal made it (failedSegments: the segments whose HMAC failed). Its
 * `segments` are rebuilt when first read, not here: on the page this runs between the worker's
 * answer and the verdict shown, which needs only the failed ones (rebuilding all 6,822 takes ~7–12 ms).
 */
export function withSegments(report: VerifyReport, packed: Float64Array): VerifyReport {
  if (packed.length % Col.SIZE !== 0) throw new RangeError('malformed packed segments');
  const failed: SealSegment[] = [];
  for (let at = Col.ok; at < packed.length; at += Col.SIZE) {
    if (packed[at] === 0) failed.push(unpackSegments(packed.subarray(at - Col.ok, at - Col.ok + Col.SIZE))[0]!);
  }
  const out: VerifyReport = { ...report, failedSegments: failed };
  let segments: SealSegment[] | undefined;
  // an accessor that reads like the plain property (enumerable: copies, structured clones and
  // comparisons see the segments); written, it becomes one
  Object.defineProperty(out, 'segments', {
    enumerable: true,
    configurable: true,
    get: () => (segments ??= unpackSegments(packed)),
    set: (value: SealSegment[]) => Object.defineProperty(out, 'segments', { value, enumerable: true, configurable: true, writable: true }),
  });
  return out;
}
