/**
 * `sealcheck verify [--verify-key=KEY] [--json] FILE...` and journalctl's own spelling
 * `sealcheck --file=F [--file=G] --verify [--verify-key=KEY]`: journalctl's lines on stderr, its exit
 * code; with --json one report object per file on stdout.
 */
import { readFile } from 'node:fs/promises';
import { loadNodeKernel } from './kernel-node.js';
import { STRERROR } from '../src/errors.js';
import { openJournal, verifyJournal } from '../src/verify/index.js';
import type { SystemdVersion, VerifyReport } from '../src/verify/report.js';
import { processLocalTime } from './tz.js';

export interface VerifyArgs {
  files: string[];
  key?: string;
  json: boolean;
  quiet: boolean;
  utc: boolean;
  version: SystemdVersion;
}

/** strerror() texts for the I/O errors Node reports by code. */
const IO_STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EPERM: 'Operation not permitted',
  EMFILE: 'Too many open files',
  ENOMEM: 'Cannot allocate memory',
  ERR_FS_FILE_TOO_LARGE: 'File too large',
};

function ioError(e: unknown): string {
  const code = (e as { code?: string })?.code ?? '';
  return IO_STRERROR[code] ?? (e instanceof Error ? e.message : String(e));
}

async function read(path: string): Promise<Uint8Array | string> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    return ioError(e);
  }
}

export async function runVerify(a: VerifyArgs): Promise<number> {
  const err = (line: string) => process.stderr.write(line + '\n');
  if (a.files.length === 0) {
    err('No journal files were given.');
    return 1;
  }
  let kernel;
  try {
    kernel = await loadNodeKernel();
  } catch (e) {
    err(`sealcheck: cannot load the crypto kernel: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const localTime = processLocalTime(a.utc);
  const options = { key: a.key, version: a.version, localTime, quiet: a.quiet };

  if (a.json) {
    let rc = 0;
    for (const path of a.files) {
      const bytes = await read(path);
      let report: VerifyReport | { file: string; verdict: 'OPEN_FAILED'; error: { errno: string; message: string }; lines: string[] };
      if (typeof bytes === 'string') {
        report = { file: path, verdict: 'OPEN_FAILED', error: { errno: 'EIO', message: bytes }, lines: [`Failed to open files: ${bytes}`] };
      } else {
        report = await verifyJournal({ name: path, bytes }, kernel, options);
      }
      if (report.verdict !== 'PASS') rc = 1;
      process.stdout.write(JSON.stringify(report) + '\n');
    }
    return rc;
  }

  // journalctl --file: every file is opened first; any failure aborts the whole run.
  for (const path of a.files) {
    const bytes = await read(path);
    if (typeof bytes === 'string') {
      err(`Failed to open files: ${bytes}`);
      return 1;
    }
    const f = openJournal(path, bytes, a.version);
    if (typeof f === 'string') {
      err(`Failed to open files: ${STRERROR[f]}`);
      return 1;
    }
  }
  let rc = 0;
  for (const path of a.files) {
    const bytes = await read(path);
    if (typeof bytes === 'string') {
      err(`Failed to open files: ${bytes}`);
      return 1;
    }
    const report = await verifyJournal({ name: path, bytes }, kernel, options);
    for (const line of report.lines) err(line);
    if (report.verdict === 'KEY_REJECTED' || report.verdict === 'ABORTED') return 1;
    if (report.verdict !== 'PASS') rc = 1;
  }
  return rc;
}
