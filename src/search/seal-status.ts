/**
 * Which seal covers an entry. A TAG's HMAC covers the objects in the byte range [start, end) of its
 * segment, so an ENTRY object is sealed by the tag whose range holds the entry's offset; entries after
 * the last tag are the unsealed tail journalctl reports as "final … entries not sealed".
 */
import type { SealSegment, VerifyReport } from '../verify/report.js';

export const SealStatus = {
  /** Inside a segment whose HMAC verified. */
  SEALED: 0,
  /** After the last TAG: no seal covers it. */
  TAIL: 1,
  /** Inside a segment whose HMAC did not verify. */
  FAILED: 2,
  /** Inside a segment that was not checked (no key, or verification stopped first). */
  UNCHECKED: 3,
  /** The file is not sealed at all. */
  NOT_SEALED: 4,
  /** No verification report for this file (yet). */
  UNKNOWN: 5,
} as const;
export type SealStatusId = (typeof SealStatus)[keyof typeof SealStatus];

export const SEAL_STATUS_NAMES: Record<SealStatusId, string> = {
  0: 'sealed',
  1: 'unsealed tail',
  2: 'seal failed',
  3: 'seal not checked',
  4: 'file not sealed',
  5: 'not verified',
};
export const SEAL_STATUS_COUNT = 6;

/** Segments in byte order (the verifier lists them by tag seqnum, which is the same order in a sane file). */
export function sortedSegments(report: VerifyReport): SealSegment[] {
  return [...report.segments].sort((a, b) => a.start - b.start);
}

/**
 * Status of the entry object at `offset` and the index (into `segments`) of the segment holding it, or -1.
 * `segments` must come from sortedSegments().
 */
export function sealStatusAt(
  offset: number,
  report: VerifyReport | undefined,
  segments: readonly SealSegment[],
): { status: SealStatusId; segment: number } {
  if (!report) return { status: SealStatus.UNKNOWN, segment: -1 };
  if (!report.sealed) return { status: SealStatus.NOT_SEALED, segment: -1 };
  if (segments.length === 0) return { status: SealStatus.UNCHECKED, segment: -1 };
  if (offset >= segments[segments.length - 1].end) return { status: SealStatus.TAIL, segment: -1 };
  // Last segment whose start <= offset.
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || offset >= segments[found].end) return { status: SealStatus.UNCHECKED, segment: -1 };
  const ok = segments[found].ok;
  return { status: ok === true ? SealStatus.SEALED : ok === false ? SealStatus.FAILED : SealStatus.UNCHECKED, segment: found };
}

/** "2026-11-23 05:22:30 – 05:22:40 UTC" (the date once when both ends share it). µs in, whole seconds out. */
function utcRange(fromUsec: number, toUsec: number): string {
  const utc = (usec: number) => new Date(Math.floor(usec / 1000)).toISOString().replace('T', ' ').slice(0, 19);
  const from = utc(fromUsec);
  const to = utc(toUsec);
  return `${from} – ${from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to} UTC`;
}

/** One-line description for people: "sealed by tag 3 (epoch 12, 10:00:00–10:00:10 UTC)". */
export function describeSealStatus(status: SealStatusId, segment: SealSegment | undefined): string {
  if (!segment) return SEAL_STATUS_NAMES[status];
  const range = utcRange(segment.epochFrom, segment.epochTo);
  const tag = `tag ${segment.tagIndex} (epoch ${segment.epoch}, ${range})`;
  switch (status) {
    case SealStatus.SEALED:
      return `sealed by ${tag}`;
    case SealStatus.FAILED:
      return `inside the segment of ${tag}, whose seal failed`;
    case SealStatus.UNCHECKED:
      return `inside the segment of ${tag}, not checked (no key)`;
    default:
      return SEAL_STATUS_NAMES[status];
  }
}
