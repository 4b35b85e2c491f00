/**
 * `sealcheck verify [--verify-key=KEY] [--json] FILE...` and journalctl's own spelling
 * `sealcheck --file=F [--file=G] --verify [--verify-key=KEY]`: journalctl's lines on stderr, its exit
 * code; with --json one report object per file on stdout.
 */
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadNodeKernel } from './kernel-node.js';
import { STRERROR } from '../src/errors.js';
import { JournalError } from '../src/errors.js';
import { JournalFile } from '../src/journal/file.js';
import { VerifyAborted, openJournal, verifyJournal } from '../src/verify/index.js';
import type { Kernel } from '../src/kernel/kernel.js';
import { nodeHmac } from './node-hmac.js';
import type { MacHelper } from '../src/verify/mac-helper.js';
import { openJournalSource } from './read-journal.js';
import type { SystemdVersion, VerifyOptions, VerifyReport } from '../src/verify/report.js';
import { withSegments } from '../src/verify/segments-transfer.js';
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

/** Reads and verifies one file here, reading it as verification goes. */
async function readAndVerify(path: string, kernel: Kernel, options: VerifyOptions): Promise<VerifyReport | string> {
  const input = openJournalSource(path);
  if ('error' in input) return ioError(input.error);
  try {
    return await verifyJournal(input, kernel, options);
  } catch (e) {
    if (e instanceof VerifyAborted) throw e;
    return ioError(e); // reading stopped half-way (the file shrank, an I/O error)
  } finally {
    input.source.close();
  }
}

/**
 * The open-time checks only (journalctl opens every --file before verifying any): reads the header,
 * not the whole file, so a folder of big journals is never in memory at once.
 */
async function openCheck(path: string, version: SystemdVersion): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    const head = new Uint8Array(Math.min(size, 64 << 10));
    await fh.read(head, 0, head.length, 0);
    if (head.length === size) {
      const f = openJournal(path, head, version);
      return typeof f === 'string' ? STRERROR[f] : null;
    }
    try {
      JournalFile.open(head, path, { version, size });
    } catch (e) {
      if (e instanceof JournalError) return STRERROR[e.errno];
      return STRERROR.EBADMSG;
    }
    return null;
  } catch (e) {
    return ioError(e);
  } finally {
    await fh?.close();
  }
}

/** A report per file, in order, verified on up to `cores` worker threads; `each` sees them in order. */
async function verifyMany(
  a: VerifyArgs,
  each: (path: string, r: VerifyReport | string) => boolean,
): Promise<void> {
  const n = Math.min(a.files.length, Math.max(1, availableParallelism()));
  const workers = Array.from({ length: n }, () => new Worker(new URL('./verify-worker.js', import.meta.url)));
  const results = new Map<number, VerifyReport | string>();
  let next = 0;
  let emitted = 0;
  let stop = false;
  await new Promise<void>((resolveAll, reject) => {
    const flush = () => {
      while (!stop && results.has(emitted)) {
        const r = results.get(emitted)!;
        results.delete(emitted);
        if (!each(a.files[emitted]!, r)) stop = true;
        emitted++;
      }
      if (stop || emitted === a.files.length) resolveAll();
    };
    const feed = (w: Worker) => {
      if (stop || next >= a.files.length) return;
      const id = next++;
      w.postMessage({ id, path: a.files[id], key: a.key, version: a.version, quiet: a.quiet, utc: a.utc });
    };
    for (const w of workers) {
      w.on('message', (m: { id: number; report?: VerifyReport; segments?: Float64Array; error?: string }) => {
        results.set(m.id, (m.report && m.segments && withSegments(m.report, m.segments)) ?? IO_STRERROR[m.error ?? ''] ?? m.error ?? 'error');
        flush();
        feed(w);
      });
      w.on('error', reject);
      feed(w);
    }
  }).finally(() => Promise.all(workers.map((w) => w.terminate())));
}

/** `macHelper`: a seal helper started with a.key (cli/main.ts), used for the files verified on this thread. */
export async function runVerify(a: VerifyArgs, macHelper?: MacHelper): Promise<number> {
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
  const options: VerifyOptions = { key: a.key, version: a.version, localTime, quiet: a.quiet, hmac: nodeHmac, macHelper };

  if (a.json && a.files.length > 1) {
    let rc = 0;
    await verifyMany(a, (path, r) => {
      const report = typeof r === 'string' ? { file: path, verdict: 'OPEN_FAILED', error: { errno: 'EIO', message: r }, lines: [`Failed to open files: ${r}`] } : r;
      if (report.verdict !== 'PASS') rc = 1;
      process.stdout.write(JSON.stringify(report) + '\n');
      return true;
    });
    return rc;
  }

  if (a.json) {
    let rc = 0;
    for (const path of a.files) {
      const r = await readAndVerify(path, kernel, options);
      let report: VerifyReport | { file: string; verdict: 'OPEN_FAILED'; error: { errno: string; message: string }; lines: string[] };
      if (typeof r === 'string') {
        report = { file: path, verdict: 'OPEN_FAILED', error: { errno: 'EIO', message: r }, lines: [`Failed to open files: ${r}`] };
      } else {
        report = r;
      }
      if (report.verdict !== 'PASS') rc = 1;
      process.stdout.write(JSON.stringify(report) + '\n');
    }
    return rc;
  }

  // journalctl --file: every file is opened first; any failure aborts the whole run.
  for (const path of a.files) {
    const e = await openCheck(path, a.version);
    if (e !== null) {
      err(`Failed to open files: ${e}`);
      return 1;
    }
  }
  let rc = 0;
  if (a.files.length > 1) {
    let stopped = false;
    await verifyMany(a, (_path, r) => {
      if (typeof r === 'string') {
        err(`Failed to open files: ${r}`);
        rc = 1;
        stopped = true;
        return false;
      }
      for (const line of r.lines) err(line);
      if (r.verdict === 'KEY_REJECTED' || r.verdict === 'ABORTED') {
        stopped = true;
        return false;
      }
      if (r.verdict !== 'PASS') rc = 1;
      return true;
    });
    return stopped ? 1 : rc;
  }
  for (const path of a.files) {
    const report = await readAndVerify(path, kernel, options);
    if (typeof report === 'string') {
      err(`Failed to open files: ${report}`);
      return 1;
    }
    for (const line of report.lines) err(line);
    if (report.verdict === 'KEY_REJECTED' || report.verdict === 'ABORTED') return 1;
    if (report.verdict !== 'PASS') rc = 1;
  }
  return rc;
}
