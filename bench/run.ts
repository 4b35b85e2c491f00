/**
 * `npm run bench`: how fast Sealcheck verifies, next to `journalctl --verify` on the same files in the
 * same run. Prints numbers; asserts nothing. Big sealed journals are made with
 * ../shared/bench/make-big.sh (root + systemd-journal-remote) when missing; without them the table says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { macHelperFor } from '../cli/mac-helper.js';
import { nodeHmac } from '../cli/node-hmac.js';
import { openJournalSource } from '../cli/read-journal.js';
import { verifyJournal } from '../src/verify/index.js';
import { timeChromium, timeChromiumAll, type ChromiumTiming } from './chromium.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const dataDir = process.env.SEALCHECK_BENCH_DIR ?? join(root, 'build', 'bench-data');
const makeBig = resolve(root, '..', 'shared', 'bench', 'make-big.sh');

interface Row {
  file: string;
  sizeMiB: number;
  node: { seconds: number; mbps: number; peakMiB: number; verdict: string };
  journalctl?: { seconds: number; peakMiB: number; verdict: string };
}

/**
 * The environment the CLI runs in here: without NODE_EXTRA_CA_CERTS, which this sandbox sets for
 * its network proxy and which makes every Node process load a CA bundle at start-up (~70 ms here)
 * before running a line of ours; a user's shell does not have it. startupNote() says what it costs.
 */
const cliEnv: NodeJS.ProcessEnv = { ...process.env };
delete cliEnv.NODE_EXTRA_CA_CERTS;

/** What NODE_EXTRA_CA_CERTS, when set, costs an empty Node start-up in this run (best of 5 each). */
function startupNote(): string | null {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (!ca) return null;
  const time = (env: NodeJS.ProcessEnv) => {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { env });
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const without = time(cliEnv);
  const withCa = time(process.env);
  return `The CLI runs without NODE_EXTRA_CA_CERTS (set here to ${ca}): with it, an empty \`node -e 0\` takes ${withCa.toFixed(0)} ms instead of ${without.toFixed(0)} ms in this run, before any of Sealcheck's code runs.`;
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function ensureBigFiles(): string[] {
  const list = () => (existsSync(dataDir) ? readdirSync(dataDir).filter((f) => f.endsWith('.journal')).sort() : []);
  if (list().length === 0) {
    const canMake = existsSync(makeBig) && process.getuid?.() === 0 && existsSync('/lib/systemd/systemd-journal-remote');
    if (!canMake) {
      console.log(`No big journals in ${dataDir}, and they cannot be made here (needs root, systemd-journal-remote and ${makeBig}).`);
      return [];
    }
    console.log(`Making ~120 MiB sealed journals in ${dataDir} (about a minute)…`);
    execFileSync('bash', [makeBig, dataDir], { stdio: 'inherit' });
  }
  return list().map((f) => join(dataDir, f));
}

/** Runs per measurement: the best time counts (the machine is shared and noisy); the highest peak RSS. */
const RUNS = 3;

function best<T extends { seconds: number; peakMiB: number }>(run: () => T): T {
  const all = Array.from({ length: RUNS }, run);
  const fastest = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, peakMiB: Math.max(...all.map((r) => r.peakMiB)) };
}

/** Run one verification in a child process so peak memory (max RSS) is measured per file. */
function timeNode(file: string, key: string | undefined): Row['node'] {
  const cli = join(root, 'bin', 'sealcheck.js');
  const args = [cli, 'verify', '--json', ...(key ? [`--verify-key=${key}`] : []), file];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env: cliEnv });
  const timing = (r.stderr.trim().split('\n').pop() ?? '0 0').split(' ');
  const seconds = Number(timing[0]);
  let verdict = '?';
  try {
    verdict = JSON.parse(r.stdout.trim().split('\n')[0]).verdict;
  } catch {
    verdict = `exit ${r.status}`;
  }
  const sizeMB = statSync(file).size / 1e6;
  return { seconds, mbps: sizeMB / seconds, peakMiB: Number(timing[1]) / 1024, verdict };
}

function timeJournalctl(file: string, key: string | undefined): NonNullable<Row['journalctl']> {
  const args = ['-f', '%e %M', 'journalctl', `--file=${file}`, '--verify', ...(key ? [`--verify-key=${key}`] : [])];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const lines = r.stderr.trim().split('\n');
  const timing = (lines.pop() ?? '0 0').split(' ');
  const verdict = lines.find((l) => /^(PASS|FAIL)/.test(l))?.split(':')[0] ?? `exit ${r.status}`;
  return { seconds: Number(timing[0]), peakMiB: Number(timing[1]) / 1024, verdict };
}

/**
 * In-process timing, to separate process start-up from the verification itself: what the CLI does
 * after start-up (the file read into an arena while it is verified, OpenSSL for the tag HMACs, the
 * seal helper thread), in a process that has already verified it once (best of RUNS; the key's
 * primes are then derived, in the helper too).
 */
async function timeInProcess(file: string, key: string | undefined): Promise<number> {
  const kernel = await loadNodeKernel();
  const helper = macHelperFor(file, key);
  let fastest = Infinity;
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const input = openJournalSource(file);
      if ('error' in input) throw input.error;
      try {
        await verifyJournal(input, kernel, { key, hmac: nodeHmac, macHelper: helper?.helper });
      } finally {
        input.source.close();
      }
      fastest = Math.min(fastest, (performance.now() - t0) / 1000);
    }
  } finally {
    helper?.close();
  }
  return fastest;
}

/**
 * Eight files at once through the CLI (which verifies several files on worker_threads, one per core):
 * wall time, aggregate MB/s, per-core MB/s, peak RSS of the process.
 */
function timeEight(files: string[], key: string | undefined): { seconds: number; mbps: number; perCore: number; peakMiB: number; cores: number; rc: number | null } {
  const list = Array.from({ length: 8 }, (_, i) => files[i % files.length]!);
  const cli = join(root, 'bin', 'sealcheck.js');
  const args = ['-f', '%e %M', process.execPath, cli, 'verify', '--json', ...(key ? [`--verify-key=${key}`] : []), ...list];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 28, env: cliEnv });
  const timing = (r.stderr.trim().split('\n').pop() ?? '0 0').split(' ');
  const seconds = Number(timing[0]);
  const mb = list.reduce((s, f) => s + statSync(f).size, 0) / 1e6;
  const cores = availableParallelism();
  return { seconds, mbps: mb / seconds, perCore: mb / seconds / cores, peakMiB: Number(timing[1]) / 1024, cores, rc: r.status };
}

/** How long after the page is ready the second Chromium timing picks the file (a user choosing it). */
const PICK_AFTER_MS = 1000;

/** A Chromium measurement, or why it failed (the rest of the bench goes on). */
async function attempt<T>(measure: () => Promise<T | string>): Promise<T | string> {
  try {
    return await measure();
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** The page's verdict, once when both timings gave the same. */
function chromiumVerdict(a: ChromiumTiming | undefined, b: ChromiumTiming | undefined): string {
  if (!a) return '–';
  return !b || b.verdict === a.verdict ? a.verdict : `${a.verdict}, then ${b.verdict}`;
}

async function main(): Promise<void> {
  const files = ensureBigFiles();
  const keyFile = join(dataDir, 'key.txt');
  const key = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
  const withJournalctl = has('journalctl') && has('/usr/bin/time');
  let chromium: Map<string, ChromiumTiming> | string = 'not measured';
  let chromiumLater: Map<string, ChromiumTiming> | string = 'not measured';
  if (files.length > 0) {
    chromium = await attempt(() => timeChromium(files, key, RUNS));
    chromiumLater = await attempt(() => timeChromium(files, key, RUNS, PICK_AFTER_MS));
    const note =
      typeof chromium === 'string'
        ? ` (Chromium: ${chromium})`
        : ` (Chromium: headless, the page's workers, from pick to verdict; the file picked at once after the page has verified its sample, and ${PICK_AFTER_MS / 1000} s after)`;
    console.log(`Sealcheck vs journalctl --verify${key ? ' --verify-key' : ''}, same run, ${availableParallelism()} cores, best of ${RUNS} each${note}.`);
    console.log('| file | size | Node CLI wall | in-process | Chromium (at once / 1 s after) | MB/s (CLI / in-proc / Chromium) | peak RSS (× size) | journalctl | journalctl RSS | ratio (CLI / in-proc / Chromium at once / 1 s after) | verdicts (CLI / Chromium / journalctl) |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  }
  for (const file of files) {
    const node = best(() => timeNode(file, key));
    const row: Row = { file: file.split('/').pop()!, sizeMiB: statSync(file).size / 1048576, node };
    if (withJournalctl) row.journalctl = best(() => timeJournalctl(file, key));
    const inproc = await timeInProcess(file, key);
    rows.push(row);
    const jc = row.journalctl;
    const mb = statSync(file).size / 1e6;
    const cr = typeof chromium === 'string' ? undefined : chromium.get(file);
    const crLater = typeof chromiumLater === 'string' ? undefined : chromiumLater.get(file);
    const crS = cr ? `${cr.seconds.toFixed(2)} s / ${crLater ? `${crLater.seconds.toFixed(2)} s` : '–'}` : '–';
    const crMb = cr ? (mb / cr.seconds).toFixed(0) : '–';
    const crRatio = cr && jc ? `${(jc.seconds / cr.seconds).toFixed(1)}× / ${crLater ? `${(jc.seconds / crLater.seconds).toFixed(1)}×` : '–'}` : '–';
    console.log(
      `| ${row.file} | ${row.sizeMiB.toFixed(0)} MiB | ${node.seconds.toFixed(2)} s | ${inproc.toFixed(2)} s | ${crS} | ${node.mbps.toFixed(0)} / ${(mb / inproc).toFixed(0)} / ${crMb} | ` +
        `${node.peakMiB.toFixed(0)} MiB (${(node.peakMiB / row.sizeMiB).toFixed(2)}×) | ` +
        (jc
          ? `${jc.seconds.toFixed(2)} s | ${jc.peakMiB.toFixed(0)} MiB | ${(jc.seconds / node.seconds).toFixed(1)}× / ${(jc.seconds / inproc).toFixed(1)}× / ${crRatio} | ${node.verdict} / ${chromiumVerdict(cr, crLater)} / ${jc.verdict} |`
          : `– | – | – | ${node.verdict} / ${chromiumVerdict(cr, crLater)} / – |`),
    );
  }
  if (files.length > 0) {
    const note = startupNote();
    if (note) console.log(`\n${note}`);
    const e = timeEight(files, key);
    console.log(
      `\nEight files at once (CLI, worker_threads on ${e.cores} cores): ${e.seconds.toFixed(2)} s, ${e.mbps.toFixed(0)} MB/s, ` +
        `${e.perCore.toFixed(0)} MB/s per core, peak RSS ${e.peakMiB.toFixed(0)} MiB, exit ${e.rc}`,
    );
    const list = Array.from({ length: 8 }, (_, i) => files[i % files.length]!);
    const mb = list.reduce((sum, f) => sum + statSync(f).size / 1e6, 0);
    const c = await attempt(() => timeChromiumAll(list, key));
    if (typeof c === 'string') console.log(`Eight files at once (Chromium): not measured (${c})`);
    else {
      const cores = availableParallelism();
      console.log(
        `Eight files at once (Chromium, the page's pool on ${cores} cores, from the pick to the last verdict): ${c.seconds.toFixed(2)} s, ` +
          `${(mb / c.seconds).toFixed(0)} MB/s, ${(mb / c.seconds / cores).toFixed(0)} MB/s per core, verdicts ${c.verdicts.join(' ')}`,
      );
    }
  }
  for (const extra of ['kernel', 'search']) {
    const mod = join(here, `${extra}.js`);
    if (existsSync(mod) && !process.env.SEALCHECK_BENCH_QUICK) {
      console.log(`\n## ${extra}`);
      execFileSync(process.execPath, [mod], { stdio: 'inherit' });
    }
  }
}

const rows: Row[] = [];
await main();
