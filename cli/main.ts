/**
 * sealcheck's command line (Node only). Subcommands:
 *   sealcheck verify [--verify-key=KEY] [--json] [-q] FILE...
 *   sealcheck --file=F [--file=G …] --verify [--verify-key=KEY] [-q]     (journalctl's spelling)
 *   sealcheck export …                                                     (cli/export.ts)
 * Hidden: --systemd-version=252|254 (which journalctl to reproduce; default 254).
 */
// The subcommands are imported when chosen: the seal helper's thread (mac-helper.ts) starts before
// the verifier's modules load, so its start-up and key derivation overlap ours.
import type { VerifyArgs } from './verify.js';
import { macHelperFor } from './mac-helper.js';

const USAGE = `Usage:
  sealcheck verify [--verify-key=KEY] [--json] [-q] FILE...
  sealcheck --file=FILE [--file=FILE...] --verify [--verify-key=KEY] [-q]
  sealcheck export ...`;

class UsageError extends Error {}

function parseVerifyArgs(argv: string[], subcommand: boolean): VerifyArgs {
  const a: VerifyArgs = { files: [], json: false, quiet: false, utc: false, version: 254 };
  let verify = subcommand;
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`option '${name}' requires an argument`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const take = (): string => (inline !== undefined ? inline : value(i++, name));
    switch (name) {
      case '--verify':
        verify = true;
        break;
      case '--verify-key':
        a.key = take();
        verify = true;
        break;
      case '--file':
        a.files.push(take());
        break;
      case '--json':
        a.json = true;
        break;
      case '-q':
      case '--quiet':
        a.quiet = true;
        break;
      case '--utc':
        a.utc = true;
        break;
      case '--systemd-version': {
        const v = take();
        if (v !== '252' && v !== '254') throw new UsageError(`unsupported --systemd-version=${v} (252 or 254)`);
        a.version = Number(v) as 252 | 254;
        break;
      }
      case '--':
        a.files.push(...argv.slice(i + 1));
        i = argv.length;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        if (!subcommand) throw new UsageError(`unexpected argument '${arg}'`);
        a.files.push(arg);
    }
  }
  if (!verify) throw new UsageError('nothing to do (use --verify)');
  return a;
}

function wantsVerify(argv: string[]): boolean {
  return argv.some((a) => a === '--verify' || a.startsWith('--verify-key'));
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === 'export') return await (await import('./export.js')).main(rest);
    // journalctl's spelling: `--file=F -o export` reads, `--file=F --verify` verifies.
    if (!wantsVerify(argv) && argv.some((a) => a === '-o' || /^-o./.test(a) || a.startsWith('--output'))) {
      return await (await import('./export.js')).main(argv);
    }
    if (cmd === 'verify') return await verify(parseVerifyArgs(rest, true));
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 1 : 0;
    }
    return await verify(parseVerifyArgs(argv, false));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sealcheck: ${e.message}\n${USAGE}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * One file is verified on this thread: a sealed one's keys and HMACs, and a compressed one's
 * payloads, are shared with a second (its header says which; several files already keep every
 * core busy, one file per worker thread).
 */
async function verify(a: VerifyArgs): Promise<number> {
  const helper = a.files.length === 1 ? macHelperFor(a.files[0]!, a.key) : null;
  try {
    return await (await import('./verify.js')).runVerify(a, helper?.helper);
  } finally {
    helper?.close();
  }
}
