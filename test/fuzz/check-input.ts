/**
 * One fuzz input through every entry point the CLI and the page use — verifyJournal without a key,
 * with the file's key, and the reader (open, entries, fields, `-o export` / `-o json`) — with the
 * invariants a hostile file must not break. Returns problems as strings (empty = fine); an exception
 * escaping from here is itself the finding (the worker reports it as a crash).
 */
import { JournalError } from '../../src/errors.js';
import { exportReaders } from '../../src/journal/export.js';
import { JournalFile } from '../../src/journal/file.js';
import { JournalReader } from '../../src/journal/reader.js';
import { verifyJournal } from '../../src/verify/index.js';
import type { SystemdVersion, VerifyReport } from '../../src/verify/report.js';
import type { Kernel } from '../../src/kernel/kernel.js';

export const VERDICTS = new Set(['PASS', 'FAIL', 'OPEN_FAILED', 'KEY_REJECTED', 'ABORTED']);

export interface CheckResult {
  problems: string[];
  verdicts: { noKey: string; withKey?: string };
  /** First line of the keyed run (or the unkeyed one), for the differential. */
  report?: VerifyReport;
}

/** Report invariants: a verdict, journalctl-shaped lines, no JS formatting leaks. */
export function reportProblems(r: VerifyReport, name: string, label: string): string[] {
  const out: string[] = [];
  if (!VERDICTS.has(r.verdict)) out.push(`${label}: unknown verdict ${String(r.verdict)}`);
  if (!Array.isArray(r.lines) || r.lines.length === 0) out.push(`${label}: no lines`);
  for (const l of r.lines) {
    if (typeof l !== 'string') out.push(`${label}: non-string line ${String(l)}`);
    else if (/undefined|NaN|\[object |Infinity/.test(l)) {
      out.push(`${label}: suspicious line ${JSON.stringify(l)}`);
    }
  }
  const last = r.lines[r.lines.length - 1] ?? '';
  if (r.verdict === 'FAIL' && !last.startsWith(`FAIL: ${name} (`)) out.push(`${label}: FAIL without FAIL line: ${JSON.stringify(last)}`);
  if (r.verdict === 'PASS' && !r.lines.includes(`PASS: ${name}`)) out.push(`${label}: PASS without PASS line`);
  if (r.verdict === 'PASS' && r.failure) out.push(`${label}: PASS with a failure`);
  return out;
}

const EXPORT_CAP = 64 << 20;

/** The reader the way the CLI's export and the page's entry list drive it. Returns problems. */
async function readerProblems(bytes: Uint8Array, name: string, version: SystemdVersion, format: 'export' | 'json'): Promise<string[]> {
  let file: JournalFile;
  try {
    file = JournalFile.open(bytes, name, { version });
  } catch (e) {
    if (e instanceof JournalError) return [];
    return [`reader open threw ${describe(e)}`];
  }
  const reader = new JournalReader(file);
  let n = 0;
  try {
    for (const entry of reader.entries()) {
      await reader.fields(entry);
      if (++n > 1_000_000) return ['reader: more than 10^6 entries from one file'];
    }
  } catch (e) {
    if (!(e instanceof JournalError)) return [`reader.entries/fields threw ${describe(e)}`];
  }
  let total = 0;
  try {
    for await (const chunk of exportReaders([new JournalReader(file)], { format, version })) {
      total += chunk.length;
      if (total > EXPORT_CAP) return [`export: more than ${EXPORT_CAP} bytes of output from a ${bytes.length}-byte file`];
    }
  } catch (e) {
    if (!(e instanceof JournalError)) return [`export (${format}) threw ${describe(e)}`];
  }
  return [];
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return String(e);
}

export async function checkInput(
  kernel: Kernel,
  input: { name: string; bytes: Uint8Array; key?: string; version: SystemdVersion; format: 'export' | 'json' },
): Promise<CheckResult> {
  const { name, bytes, key, version } = input;
  const problems: string[] = [];
  const noKey = await verifyJournal({ name, bytes }, kernel, { version });
  problems.push(...reportProblems(noKey, name, 'verify without key'));
  const res: CheckResult = { problems, verdicts: { noKey: noKey.verdict }, report: noKey };
  if (key !== undefined) {
    const withKey = await verifyJournal({ name, bytes }, kernel, { version, key });
    problems.push(...reportProblems(withKey, name, 'verify with key'));
    res.verdicts.withKey = withKey.verdict;
    res.report = withKey;
    if (withKey.verdict === 'KEY_REJECTED') problems.push('a valid key was rejected');
  }
  problems.push(...(await readerProblems(bytes, name, version, input.format)));
  return res;
}
