/**
 * `sealcheck export [-o export|json] FILE...` and journalctl's spelling `--file=FILE -o export`.
 * Output: byte-identical to `journalctl --file=FILE… -o export` (json: the same objects per line).
 * Errors are reported per file as "sealcheck: FILE: offset N: reason" on stderr and make the exit
 * status 1; the other files are still read. Hidden: --systemd-version=252|254 (alias --version=…) picks
 * the journalctl to reproduce (254, the default, adds __SEQNUM/__SEQNUM_ID).
 */
import { readFile } from 'node:fs/promises';
import { JournalError } from '../src/errors.js';
import { ExportAbort, exportReaders, type JournalctlVersion } from '../src/journal/export.js';
import { JournalFile } from '../src/journal/file.js';
import { JournalReader } from '../src/journal/reader.js';

export interface ExportIO {
  stdout: (b: Uint8Array | string) => void | Promise<void>;
  stderr: (s: string) => void;
}

export interface ExportArgs {
  files: string[];
  format: 'export' | 'json';
  version: JournalctlVersion;
}

export const EXPORT_USAGE = `Usage: sealcheck export [-o export|json] FILE...
       sealcheck --file=FILE [--file=FILE...] -o export|json`;

class UsageError extends Error {}
/** Thrown by ExportIO.stdout when the reader went away (EPIPE, e.g. `| head`): stop quietly. */
export class OutputClosed extends Error {}

export function parseExportArgs(argv: string[]): ExportArgs {
  const a: ExportArgs = { files: [], format: 'export', version: 254 };
  const setFormat = (v: string) => {
    if (v !== 'export' && v !== 'json') throw new UsageError(`unsupported output mode '${v}' (export or json)`);
    a.format = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (name: string): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option '${name}' requires an argument`);
      return v;
    };
    if (arg === '--') {
      a.files.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-o' || arg === '--output') setFormat(next(arg));
    else if (arg.startsWith('--output=')) setFormat(arg.slice(9));
    else if (arg.startsWith('-o') && arg.length > 2 && !arg.startsWith('--')) setFormat(arg.slice(2));
    else if (arg === '--file') a.files.push(next(arg));
    else if (arg.startsWith('--file=')) a.files.push(arg.slice(7));
    else if (arg.startsWith('--systemd-version=') || arg.startsWith('--version=')) {
      const v = arg.slice(arg.indexOf('=') + 1);
      if (v !== '252' && v !== '254') throw new UsageError(`unsupported systemd version '${v}' (252 or 254)`);
      a.version = Number(v) as JournalctlVersion;
    } else if (arg === 'export' && a.files.length === 0) {
      // `sealcheck export …` when called with the subcommand still in argv
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
    else a.files.push(arg);
  }
  if (a.files.length === 0) throw new UsageError('no journal file given');
  return a;
}

function describe(e: JournalError): string {
  return `sealcheck: ${e.file}: offset ${e.offset}: ${e.message}`;
}

/** Runs an export with the given I/O; returns the exit status. */
export async function runExport(args: ExportArgs, io: ExportIO): Promise<number> {
  let status = 0;
  const readers: JournalReader[] = [];
  for (const name of args.files) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(name);
    } catch (e) {
      io.stderr(`sealcheck: ${name}: ${(e as Error).message}\n`);
      status = 1;
      continue;
    }
    try {
      const file = JournalFile.open(bytes, name, { version: args.version });
      readers.push(
        new JournalReader(file, {
          onProblem: (p) => {
            io.stderr(describe(p) + '\n');
            status = 1;
          },
        }),
      );
    } catch (e) {
      if (!(e instanceof JournalError)) throw e;
      io.stderr(describe(e) + '\n');
      status = 1;
    }
  }
  try {
    for await (const chunk of exportReaders(readers, {
      format: args.format,
      version: args.version,
      onAbort: (e: ExportAbort) => {
        io.stderr(`${describe(e)} (journalctl: ${e.journalctlMessage})\n`);
        status = 1;
      },
    })) {
      await io.stdout(chunk);
    }
  } catch (e) {
    if (e instanceof OutputClosed) return status;
    if (!(e instanceof JournalError)) throw e;
    io.stderr(describe(e) + '\n');
    status = 1;
  }
  return status;
}

/** Parses its own options (argv after "export", or journalctl's spelling) and runs. */
export async function exportCommand(args: string[], io: ExportIO): Promise<number> {
  let parsed: ExportArgs;
  try {
    parsed = parseExportArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`sealcheck: ${e.message}\n${EXPORT_USAGE}\n`);
    return 1;
  }
  return runExport(parsed, io);
}

/** process.stdout with back-pressure: waits for 'drain' when the pipe is full. */
function processIO(): ExportIO {
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else throw e;
  });
  return {
    stdout: (b) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new OutputClosed());
        const ok = process.stdout.write(b);
        if (ok) resolve();
        else {
          const done = () => {
            process.stdout.off('drain', done);
            process.stdout.off('error', done);
            if (closed) reject(new OutputClosed());
            else resolve();
          };
          process.stdout.on('drain', done);
          process.stdout.on('error', done);
        }
      }),
    stderr: (s) => {
      process.stderr.write(s);
    },
  };
}

/** Entry point used by cli/main.ts for `sealcheck export …`. */
export async function main(argv: string[]): Promise<number> {
  return exportCommand(argv, processIO());
}
