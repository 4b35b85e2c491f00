/**
 * Turns a VerifyReport into words for people: a badge, a headline and a short explanation of what was
 * checked and what it means. journalctl's own lines are shown next to it, unchanged.
 */
import type { SealSegment, VerifyReport } from '../../src/verify/report.js';

export type Tone = 'pass' | 'fail' | 'warn' | 'neutral';

export interface Summary {
  tone: Tone;
  badge: string;
  headline: string;
  explanation: string[];
}

/** µs since the epoch → "2026-11-23 05:22:31 UTC". */
export function formatTime(usec: number): string {
  if (!usec) return '—';
  const d = new Date(Math.floor(usec / 1000));
  if (Number.isNaN(d.getTime())) return `${usec} µs`;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** µs → "5.7 s", "3 min 2 s", "1 h 4 min". */
export function formatDuration(usec: number): string {
  const s = usec / 1e6;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function hex(offset: number): string {
  return `0x${offset.toString(16)}`;
}

/** The machine ID shortened for labels ("72d6c31a…"), full in titles. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** A sealed file checked without a key: journalctl fails it with ENOKEY, we say what that means. */
export function keyNeeded(r: VerifyReport): boolean {
  return r.verdict === 'FAIL' && r.sealed && !r.keyGiven && (r.failure?.errno ?? 'ENOKEY') === 'ENOKEY';
}

export function summarize(r: VerifyReport): Summary {
  switch (r.verdict) {
    case 'OPEN_FAILED':
      return {
        tone: 'fail',
        badge: 'NOT READABLE',
        headline:
          r.failure?.errno === 'ENODATA' || r.failure?.errno === 'EBADMSG'
            ? 'This journal file is damaged or truncated: it could not be opened.'
            : 'This is not a systemd journal file (or one too damaged to open).',
        explanation: [
          'journalctl refuses to open it at all, so nothing in it can be checked or trusted.',
          r.failure ? `Reason: ${r.failure.message}.` : '',
        ].filter(Boolean),
      };
    case 'KEY_REJECTED':
      return {
        tone: 'warn',
        badge: 'KEY REJECTED',
        headline: 'The verification key could not be read.',
        explanation: [
          'A verification key looks like abc34a-9aee97-43fc5d-0e822a/ab3948f-989680 (as printed by journalctl --setup-keys), or an fss://… URL. Check it for typos and try again.',
        ],
      };
    case 'PASS':
      if (!r.sealed) {
        return {
          tone: 'neutral',
          badge: 'PASS',
          headline: 'Structure OK — but this file is not sealed.',
          explanation: [
            'Every object, hash and index in the file is consistent. Without seals that only shows the file is not damaged: someone able to write it could have rewritten entries consistently.',
          ],
        };
      }
      if (!r.validatedRealtime) {
        return {
          tone: 'pass',
          badge: 'PASS',
          headline: 'Structure and seals OK — but nothing is sealed yet.',
          explanation: ['The file holds no sealed entries, so there is nothing whose integrity could be proven.'],
        };
      }
      return {
        tone: 'pass',
        badge: 'PASS',
        headline: `Seals verified: entries up to ${formatTime(r.validatedRealtime)} are intact.`,
        explanation: [
          'Every seal in the file matches, computed with the key for its time period, and the file’s structure is consistent. Entries covered by a seal cannot have been changed, removed or added since they were sealed without this check failing.',
          r.unsealedTailUsec > 0
            ? `The last ${formatDuration(r.unsealedTailUsec)} of entries were written after the last seal: they are not protected and could have been changed.`
            : 'No entries follow the last seal.',
        ],
      };
    case 'FAIL': {
      if (keyNeeded(r)) {
        return {
          tone: 'warn',
          badge: 'KEY NEEDED',
          headline:
            r.structureOk === false
              ? 'Structure damaged — and seals not checked: key needed.'
              : 'Structure OK, seals not checked — key needed.',
          explanation: [
            'This file is sealed. Its seals can only be checked with the verification key made by journalctl --setup-keys on that machine. Enter the key above and verify again.',
          ],
        };
      }
      const check = r.failure?.check ?? '';
      const failedSeals = r.failedSegments.length;
      const also =
        failedSeals > 0 && check !== 'tag-hmac'
          ? `Checking went on past this point: ${failedSeals === 1 ? '1 seal does' : `${failedSeals} seals do`} not match either (listed below).`
          : '';
      const earlier = r.validatedRealtime
        ? `Entries up to ${formatTime(r.validatedRealtime)} were covered by seals that checked out before the failure.`
        : '';
      if (check === 'tag-hmac') {
        return {
          tone: 'fail',
          badge: 'FAIL',
          headline: 'A seal does not match: sealed entries were altered — or this is not the key this file was sealed with.',
          explanation: [
            'A seal is an HMAC over a stretch of the file, made with a key that changes every sealing period and cannot be recomputed later. A mismatch means the bytes it covers are not the ones that were sealed.',
            earlier,
          ].filter(Boolean),
        };
      }
      if (check.startsWith('tag')) {
        return {
          tone: 'fail',
          badge: 'FAIL',
          headline: 'The seals are inconsistent with the entries: the file was modified — or the key does not belong to it.',
          explanation: [
            'Seals must follow one another in order, each for a later period than the entries before it. Here they do not, which happens when entries or seals were changed, or when the key’s start time is not this file’s.',
            also,
            earlier,
          ].filter(Boolean),
        };
      }
      return {
        tone: 'fail',
        badge: 'FAIL',
        headline: 'The file is inconsistent: it was modified or damaged.',
        explanation: [
          'An object’s contents do not match what the rest of the file says about it (a hash, a link or a counter). Entries from this point on cannot be trusted, sealed or not.',
          also,
          earlier,
        ].filter(Boolean),
      };
    }
  }
  return { tone: 'neutral', badge: String(r.verdict), headline: '', explanation: [] };
}

export function segmentRange(s: SealSegment): string {
  if (!s.entries) return 'no entries';
  const e = s.entries;
  const n = `${e.count} ${e.count === 1 ? 'entry' : 'entries'} (seqnum ${e.firstSeqnum}–${e.lastSeqnum})`;
  return `${n}, ${formatTime(e.firstRealtime)} – ${formatTime(e.lastRealtime)}`;
}
