/**
 * verifyJournal(): one file, exactly as `journalctl --file=F --verify [--verify-key=K]` treats it
 * (journalctl.c verify() + journal_file_verify()), as a report with journalctl's lines. Never throws
 * for bad input; cancellation (options.signal) rejects with an AbortError.
 */
import { STRERROR } from '../errors.js';
import { id128Hex, type JournalFile } from '../journal/file.js';
import type { JournalArena, Kernel } from '../kernel/kernel.js';
import { HEADER_SIZE_MAX_KNOWN } from '../journal/format.js';
import { fillAll, scanTables, type ArenaFill } from './arena-fill.js';
import { KeyError, parseVerificationKey } from './key.js';
import type { VerifyOptions, VerifyReport } from './report.js';
import type { ParsedKey } from './seal.js';
import { openJournal, verifyStructure, type VerifyRun } from './structure.js';
import { formatTimespan, formatTimestampOrNull, utcTime, type LocalTimeFn } from './text.js';

export type { VerifyOptions, VerifyReport } from './report.js';
export { VerifyAborted, openJournal } from './structure.js';

const MASK64 = (1n << 64n) - 1n;

function parseKey(text: string, allowUrl: boolean): ParsedKey | null {
  if (!allowUrl && /^fss:\/\//i.test(text)) return null; // parseVerificationKey takes FSS:// too; journalctl takes neither
  try {
    const k = parseVerificationKey(text);
    return { seed: k.seed, startUsec: BigInt(k.startUsec), intervalUsec: BigInt(k.intervalUsec) };
  } catch (e) {
    if (e instanceof KeyError) return null;
    throw e;
  }
}

function baseReport(name: string, size: number, keyGiven: boolean): VerifyReport {
  return {
    file: name,
    size,
    verdict: 'FAIL',
    lines: [],
    sealed: false,
    keyGiven,
    structureOk: null,
    firstRealtime: 0,
    lastRealtime: 0,
    validatedRealtime: 0,
    unsealedTailUsec: 0,
    nEntries: 0,
    nTags: 0,
    segments: [],
    failedSegments: [],
  };
}

/**
 * The file to verify: its bytes, or a kernel arena the caller read it into (Kernel.openArena: one
 * copy of the file, in wasm memory, where the fast path scans it in place). With `fill`, the caller
 * is still reading it in (front to back, into an arena opened with its scan tables sized): the fast
 * path scans what has arrived as it arrives.
 */
export type VerifyInput =
  | { name: string; bytes: Uint8Array; arena?: undefined; fill?: undefined }
  | { name: string; arena: JournalArena; bytes?: undefined; fill?: ArenaFill };

export async function verifyJournal(input: VerifyInput, kernel: Kernel, options: VerifyOptions = {}): Promise<VerifyReport> {
  const version = options.version ?? 254;
  const localTime: LocalTimeFn = options.localTime ?? utcTime;
  const keyGiven = options.key !== undefined;
  const name = input.name;
  const fill = input.fill;
  // The header first (all opening the file looks at); the fast path waits for the rest as it goes.
  if (fill && input.arena) {
    const head = Math.min(input.arena.bytes.length, HEADER_SIZE_MAX_KNOWN);
    while (fill.loaded < head) await fill.more(fill.loaded);
  }
  const bytes = input.arena ? input.arena.bytes : input.bytes;
  const report = baseReport(name, bytes.length, keyGiven);

  const opened = openJournal(name, bytes, version);
  if (typeof opened === 'string') {
    report.verdict = 'OPEN_FAILED';
    report.lines = [`Failed to open files: ${STRERROR[opened]}`];
    report.error = { errno: opened, message: `cannot open ${name}: ${STRERROR[opened]}` };
    return report;
  }
  const f: JournalFile = opened;
  const H = f.header;
  report.sealed = f.sealed;
  report.machineId = id128Hex(H.machineId);
  report.bootId = id128Hex(H.tailEntryBootId);
  report.firstRealtime = Number(H.headEntryRealtime);
  report.lastRealtime = Number(H.tailEntryRealtime);
  report.nEntries = Number(H.nEntries);
  const lines = report.lines;

  if (!keyGiven && f.sealed) {
    lines.push(`Journal file ${name} has sealing enabled but verification key has not been passed using --verify-key=.`);
  }

  // Step 0 — key (parsed for every file, sealed or not).
  let key: ParsedKey | null = null;
  if (keyGiven) {
    key = parseKey(options.key!, options.allowKeyUrl ?? false);
    if (!key) {
      lines.push('Failed to parse seed.');
      report.verdict = 'KEY_REJECTED';
      report.error = { errno: 'EINVAL', message: 'the verification key is malformed' };
      return report;
    }
  }

  // A file still being read in keeps its arena's memory as it is: growing it would detach the reader's views.
  const fast = options.fastPath !== false && (!fill || input.arena!.sized);
  const arena = fast ? await arenaFor(f, input.arena, kernel) : undefined;
  if (!arena && fill) await fillAll(fill, f.size);
  // Sizing the scan tables grew the arena's memory, which detaches views of the old buffer: reopen.
  const file = arena ? openJournal(name, arena.bytes, version) : f;
  const common = { version, kernel, localTime, onProgress: options.onProgress, signal: options.signal, arena, fill, hmac: options.hmac, macHelper: options.macHelper };

  if (!key && f.sealed) {
    // journalctl: ENOKEY without looking at the file. We still check the structure for the report.
    const structural = await verifyStructure(file as JournalFile, { ...common, key: null, sealChecks: false });
    report.structureOk = structural.errno === null;
    report.segments = structural.segments;
    report.nTags = structural.segments.length;
    lines.push(`FAIL: ${name} (${STRERROR.ENOKEY})`);
    report.verdict = 'FAIL';
    report.failure = { offset: 0, position: 0, check: 'no-key', message: 'sealed file verified without a key', errno: 'ENOKEY' };
    return report;
  }

  const run: VerifyRun = await verifyStructure(file as JournalFile, { ...common, key, sealChecks: true });
  lines.push(...run.lines);
  report.segments = run.segments;
  report.failedSegments = run.segments.filter((s) => s.ok === false);
  report.nTags = run.segments.length;

  if (run.errno === 'EINVAL') {
    // journalctl: "If the key was invalid give up right-away" — no FAIL line, the run stops.
    report.verdict = 'ABORTED';
    report.failure = run.failure;
    report.structureOk = null;
    return report;
  }
  if (run.errno) {
    lines.push(`FAIL: ${name} (${STRERROR[run.errno]})`);
    report.verdict = 'FAIL';
    report.failure = run.failure;
    if (!run.sealFailure) report.structureOk = false;
    else {
      const structural = await verifyStructure(file as JournalFile, { ...common, key, sealChecks: false });
      report.structureOk = structural.errno === null;
    }
    return report;
  }

  report.verdict = 'PASS';
  report.structureOk = true;
  report.validatedRealtime = Number(run.validated);
  const quiet = options.quiet ?? false;
  if (!quiet) lines.push(`PASS: ${name}`);
  if (key && f.sealed) {
    const first = H.headEntryRealtime;
    const last = H.tailEntryRealtime;
    const validated = run.validated;
    const T = (u: bigint) => formatTimestampOrNull(u, localTime);
    let summary: string;
    if (validated > 0n) {
      const tail = last > validated ? last - validated : 0n;
      report.unsealedTailUsec = Number(tail);
      summary = `=> Validated from ${T(first)} to ${T(validated)}, final ${formatTimespan(tail)} entries not sealed.`;
    } else if (last > 0n) {
      const span = (last - first) & MASK64;
      report.unsealedTailUsec = Number(span);
      summary = `=> No sealing yet, ${formatTimespan(span)} of entries not sealed.`;
    } else {
      summary = '=> No sealing yet, no entries in file.';
    }
    if (!quiet) lines.push(summary);
  }
  return report;
}

/**
 * The arena the fast path scans, its tables sized from the header: the caller's, or a copy of the
 * bytes the caller handed over. Undefined when there is no memory for it (the exact path runs).
 */
async function arenaFor(f: JournalFile, given: JournalArena | undefined, kernel: Kernel): Promise<JournalArena | undefined> {
  let arena = given;
  if (!arena) {
    arena = (await kernel.openArena(f.size)) ?? undefined;
    if (!arena) return undefined;
    arena.bytes.set(f.bytes);
  }
  const { maxData, maxTags } = scanTables(f.bytes, f.size);
  return arena.prepareScan(maxData, maxTags) ? arena : undefined;
}
