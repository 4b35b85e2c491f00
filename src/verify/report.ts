/**
 * What verifying one file produced. The same object feeds the CLI (journalctl's text, --json), the
 * page (cards) and the search index (per-entry seal status). Times are µs since the epoch as numbers
 * (exact: journal timestamps are < 2^55 and real ones ≪ 2^53).
 */
import type { Errno } from '../errors.js';
import type { PlatformHmac } from './tag-macs.js';
import type { MacHelper } from './mac-helper.js';

/** Which journalctl we reproduce: 252 (Debian 12), 254 (bookworm-backports; the default). */
export type SystemdVersion = 252 | 254;

export type Verdict =
  /** journalctl prints "PASS: f". */
  | 'PASS'
  /** journalctl prints "FAIL: f (strerror)". */
  | 'FAIL'
  /** The file could not be opened ("Failed to open files: …"): journalctl aborts the whole run. */
  | 'OPEN_FAILED'
  /** The key could not be parsed ("Failed to parse seed."): journalctl aborts the run, no FAIL line. */
  | 'KEY_REJECTED'
  /**
   * journal_file_verify returned EINVAL for another reason (v252: an object of unknown type inside a
   * sealed range): journalctl prints "File corruption detected …" and aborts the run without a FAIL line.
   */
  | 'ABORTED';

export interface Failure {
  /** Offset printed on the detail line (object offset, or header field offset). */
  offset: number;
  /** Offset printed in "File corruption detected at f:P" (the pass-1 position). */
  position: number;
  /** Object type name at `offset` when it is an object ("data", "entry", "tag", …). */
  objectType?: string;
  /** Short name of the check that failed, e.g. "tag-hmac", "data-hash", "entry-seqnum". */
  check: string;
  /** journalctl's message without the "%06x: " prefix. */
  message: string;
  errno: Errno;
}

/** One run of objects covered by one TAG's HMAC. */
export interface SealSegment {
  tagIndex: number; // 1-based tag seqnum
  tagOffset: number;
  epoch: number;
  /** Byte range [start, end) of the file the HMAC covers (plus the header for the first tag). */
  start: number;
  end: number;
  /** Epoch time range [from, to) in µs. */
  epochFrom: number;
  epochTo: number;
  /** Entries in this segment: first/last seqnum and realtime; null when the segment holds no entry. */
  entries: { count: number; firstSeqnum: number; lastSeqnum: number; firstRealtime: number; lastRealtime: number } | null;
  /** null when not checked (no key, or verification stopped before it). */
  ok: boolean | null;
}

export interface VerifyReport {
  file: string;
  size: number;
  verdict: Verdict;
  /** Exactly the stderr lines journalctl prints for this file, in order. */
  lines: string[];
  /** The first failure journalctl reports (absent on PASS). */
  failure?: Failure;
  /** OPEN_FAILED / KEY_REJECTED: the errno and a sentence saying why. */
  error?: { errno: Errno; message: string };
  sealed: boolean;
  keyGiven: boolean;
  /** Did the structural checks pass? null when they were not (fully) run. True for a sealed file checked without a key if all non-seal checks passed. */
  structureOk: boolean | null;
  machineId?: string;
  bootId?: string;
  /** head/tail entry realtime from the header (µs), 0 if none. */
  firstRealtime: number;
  lastRealtime: number;
  /** journalctl's "validated" value (µs): realtime proven sealed up to here; 0 = nothing sealed. */
  validatedRealtime: number;
  /** µs of entries after the sealed range (journalctl's "final … entries not sealed"). */
  unsealedTailUsec: number;
  nEntries: number;
  nTags: number;
  /** Every tag segment, including all that fail (checking continues past the first bad seal). */
  segments: SealSegment[];
  /** Convenience: the segments whose HMAC failed. */
  failedSegments: SealSegment[];
}

export interface VerifyOptions {
  /** Verification key as typed by the user (journalctl --verify-key=). */
  key?: string;
  /** Which journalctl to reproduce (default 254). */
  version?: SystemdVersion;
  /** Called now and then with bytes processed so far. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between objects; an AbortSignal fits. */
  signal?: { readonly aborted: boolean };
  /**
   * Local time for timestamps in messages (journalctl uses localtime_r, i.e. TZ). Default: UTC. The CLI
   * passes one that honours TZ; see text.ts (utcTime, intlTime).
   */
  localTime?: (seconds: number) => { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number; zone: string };
  /** journalctl -q: PASS lines and seal summaries are not printed. */
  quiet?: boolean;
  /** Accept the fss://KEY?machine=… URL form of the key (journalctl itself rejects it). Default false. */
  allowKeyUrl?: boolean;
  /**
   * Try the wasm scan of a regular file first (src/verify/regular.ts); false runs only the exact
   * verifier (tests compare the two). Default true.
   */
  fastPath?: boolean;
  /**
   * HMAC-SHA256 by the platform (Node's crypto, the browser's WebCrypto), used by the fast path for
   * the tag segments instead of the kernel's; see tag-macs.ts. Its digests are only compared.
   */
  hmac?: PlatformHmac;
  /**
   * A second thread that derives the tag keys and computes the tag HMACs while the scan goes on
   * (mac-helper.ts), started with the same key text as `key`. Its digests are only compared.
   */
  macHelper?: MacHelper;
  /**
   * Bytes of the file the fast path holds at once (window.ts; default 16 MiB, more while one tag
   * segment or object needs it). Tests make it small to move the window often.
   */
  windowBytes?: number;
}
