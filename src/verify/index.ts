/**
 * verifyJournal(): one file, exactly as `journalctl --file=F --verify [--verify-key=K]` treats it
 * (journalctl.c verify() + journal_file_verify()), as a report with journalctl's lines. Never throws
 * for bad input; cancellation (options.signal) rejects with an AbortError.
 */
import { STRERROR } from '../errors.js';
import { id128Hex, type JournalFile } from '../journal/file.js';
import type { JournalArena, Kernel } from '../kernel/kernel.js';
import { HEAD_BYTES, WINDOW_BYTES, WindowReader, bytesSource, readHead, scanTables, type FileSource } from './window.js';
import { verifyRegular } from './regular.js';
import { KeyError, parseVerificationKey } from './key.js';
import type { VerifyOptions, VerifyReport } from './report.js';
import type { ParsedKey } from './seal.js';
import { openJournal, verifyStructure, type VerifyContext, type VerifyRun } from './structure.js';
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
 * The file to verify: its bytes, or a source to read it from (the CLI's file, the page's slices:
 * window.ts). Either way the fast path streams it through a kernel arena's window as it arrives;
 * the exact path, when the fast path declines, has the whole file (read again from the source).
 */
export type VerifyInput = { name: string; bytes: Uint8Array; source?: undefined } | { name: string; source: FileSource; bytes?: undefined };

export async function verifyJournal(input: VerifyInput, kernel: Kernel, options: VerifyOptions = {}): Promise<VerifyReport> {
  const version = options.version ?? 254;
  const localTime: LocalTimeFn = options.localTime ?? utcTime;
  const keyGiven = options.key !== undefined;
  const name = input.name;
  const source = input.bytes ? bytesSource(input.bytes) : input.source;
  const size = source.size;
  // The header first (all opening the file looks at), straight into the arena's window when there is one.
  const fastPath = options.fastPath !== false;
  const arena = fastPath ? await kernel.openArena(size) : null;
  const headLength = Math.min(size, HEAD_BYTES);
  const head = arena ? arena.window.subarray(0, headLength) : input.bytes ? input.bytes.subarray(0, headLength) : new Uint8Array(headLength);
  if (arena || !input.bytes) await readHead(source, head);
  const report = baseReport(name, size, keyGiven);

  // (a copy of the head: sizing the scan tables grows the arena's memory, which detaches its views)
  const opened = openJournal(name, arena ? head.slice() : head, version, size);
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

  // The fast path first, once, as the file streams in; else the exact verifier over the whole file.
  const common = { version, kernel, localTime, onProgress: options.onProgress, signal: options.signal, hmac: options.hmac, macHelper: options.macHelper };
  const sealChecks = key !== null || !f.sealed;
  const fast = arena ? await fastRun(f, arena, source, { ...common, key: sealChecks ? key : null, sealChecks }, options.windowBytes) : null;
  let whole: JournalFile | undefined;
  const exact = async (ctx: VerifyContext): Promise<VerifyRun> => {
    if (!whole) {
      const bytes = await source.whole();
      const opened = openJournal(name, bytes, version);
      // the file changed since its header was read: say so rather than verify something else
      if (typeof opened === 'string' || bytes.length !== size) throw new Error(`${name}: the file changed while it was being verified`);
      whole = opened;
    }
    return verifyStructure(whole, ctx);
  };

  if (!key && f.sealed) {
    // journalctl: ENOKEY without looking at the file. We still check the structure for the report.
    const structural = fast ?? (await exact({ ...common, key: null, sealChecks: false }));
    report.structureOk = structural.errno === null;
    report.segments = structural.segments;
    report.nTags = structural.segments.length;
    lines.push(`FAIL: ${name} (${STRERROR.ENOKEY})`);
    report.verdict = 'FAIL';
    report.failure = { offset: 0, position: 0, check: 'no-key', message: 'sealed file verified without a key', errno: 'ENOKEY' };
    return report;
  }

  const run: VerifyRun = fast ?? (await exact({ ...common, key, sealChecks: true }));
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
      const structural = await exact({ ...common, key, sealChecks: false });
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
 * The fast path over the file as it streams through the arena's window: its run, or null when it
 * declined (the exact verifier then runs) or there is no memory for its tables.
 */
async function fastRun(f: JournalFile, arena: JournalArena, source: FileSource, ctx: VerifyContext, windowBytes = WINDOW_BYTES): Promise<VerifyRun | null> {
  if (!arena.prepareScan(scanTables(f.bytes, f.size))) return null;
  const reader = new WindowReader(arena, source, f.bytes.length, Math.max(1024, windowBytes));
  return verifyRegular(f, arena, reader, ctx);
}
