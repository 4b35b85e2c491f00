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
import { openChromium, type ChromiumSession } from './chromium.js';
import { timeJournalctl } from './journalctl.js';
import { median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const dataDir = process.env.SEALCHECK_BENCH_DIR ?? join(root, 'build', 'bench-data');
const makeBig = resolve(root, '..', 'shared', 'bench', 'make-big.sh');

/**
 * One timed run: seconds, peak RSS (MiB; 0 where not measured), verdict; for the page, its renderer
 * process's RSS just before the pick (`idleMiB`) and its peak.
 */
interface Run {
  seconds: number;
  peakMiB: number;
  idleMiB?: number;
  /** The page: CPU time of all of Chromium's processes from the pick to the verdict, ms. */
  cpuMs?: number;
  verdict: string;
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

/**
 * Rounds: each runs journalctl, then the CLI, then the page twice, on the same file, so that every
 * Sealcheck time has a journalctl time taken seconds before it. This VM's speed drifts by up to
 * ~1.3× from one minute to the next; a ratio of two runs made minutes apart carried that drift.
 */
const RUNS = 5;

/** The fastest run (the machine is shared and noisy) with the highest peak RSS of all. */
function fastest(all: Run[]): Run {
  const f = all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...f, peakMiB: Math.max(...all.map((r) => r.peakMiB)) };
}

/**
 * The page's memory over its runs: its renderer's highest peak, the RSS before that run's pick, and
 * what the file added (× its size); '–' where not measured.
 */
function pageMemory(runs: Run[], mib: number): string {
  const m = runs.filter((r) => r.idleMiB !== undefined && r.peakMiB > 0);
  if (m.length === 0) return '–';
  const top = m.reduce((a, b) => (b.peakMiB > a.peakMiB ? b : a));
  const added = top.peakMiB - top.idleMiB!;
  return `${top.idleMiB!.toFixed(0)} → ${top.peakMiB.toFixed(0)} MiB (+${added.toFixed(0)}: ${(added / mib).toFixed(2)}×)`;
}

/** The verdict of every run, once when they agree. */
function verdictOf(all: Run[]): string {
  const set = [...new Set(all.map((r) => r.verdict))];
  return set.length === 0 ? '–' : set.join(', then ');
}

/**
 * Round by round, journalctl's time over Sealcheck's: median (lowest–highest), or '–' when either
 * side has no runs.
 */
function pairedRatio(journalctl: Run[], ours: Run[]): string {
  const r = ours.map((o, i) => (journalctl[i] ? journalctl[i]!.seconds / o.seconds : NaN)).filter((x) => Number.isFinite(x));
  if (r.length === 0) return '–';
  return `${median(r).toFixed(1)}× (${Math.min(...r).toFixed(1)}–${Math.max(...r).toFixed(1)})`;
}

/** Run one verification in a child process so peak memory (max RSS) is measured per file. */
function timeNode(file: string, key: string | undefined): Run {
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
  return { seconds, peakMiB: Number(timing[1]) / 1024, verdict };
}

/** Runs of each file in one warm process (timeInProcess): the fastest counts. */
const IN_PROCESS_RUNS = 3;

/**
 * In-process timing, to separate process start-up from the verification itself: what the CLI does
 * after start-up (the file read into an arena while it is verified, OpenSSL for the tag HMACs, the
 * seal helper thread), in a process that has already verified it once (best of IN_PROCESS_RUNS; the
 * key's primes are then derived, in the helper too).
 */
async function timeInProcess(file: string, key: string | undefined): Promise<number> {
  const kernel = await loadNodeKernel();
  const helper = macHelperFor(file, key);
  let fastest = Infinity;
  try {
    for (let i = 0; i < IN_PROCESS_RUNS; i++) {
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

/**
 * When the page's timings pick the file: at once after the fresh page has shown the bundled
 * sample's verdict and taken the key, and a second later, as a user who takes a moment to pick a
 * file (the page uses it: its spare seal helper makes the kernel's and zstd's hot functions
 * optimized meanwhile).
 */
const PICK_AFTER_MS = [0, 1000] as const;

/** A Chromium measurement, or why it failed (the rest of the bench goes on). */
async function attempt<T>(measure: () => Promise<T | string>): Promise<T | string> {
  try {
    return await measure();
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Every run of one file, round by round. */
interface FileRuns {
  file: string;
  journalctl: Run[];
  cli: Run[];
  /** Per PICK_AFTER_MS. */
  page: Run[][];
  /** The file read in Chromium and nothing verified (ChromiumSession.readAlone). */
  reading: { seconds: number; cpuMs: number }[];
}

const secs = (r: Run | undefined) => (r ? `${r.seconds.toFixed(2)} s` : '–');

/**
 * What Chromium spends reading each file, against what its verifications spend (medians of the
 * rounds): on two cores a verification in the page takes at least its CPU / 2, and reading the
 * file is a part of it no page can lower.
 */
function readingFloor(all: FileRuns[], error: string | null): void {
  if (error || all.every((f) => f.reading.length === 0)) {
    console.log(`\nReading alone in Chromium: not measured${error ? ` (${error})` : ''}`);
    return;
  }
  const wallCpu = (runs: { seconds: number; cpuMs?: number }[]) =>
    runs.length ? `${median(runs.map((r) => r.seconds)).toFixed(2)} s, ${(median(runs.map((r) => r.cpuMs ?? NaN)) / 1000).toFixed(2)} CPU-s` : '–';
  console.log(
    `\nChromium's CPU (all its processes; medians of the ${RUNS} rounds): each file read and nothing else (bench/reading: the page's own feed ` +
      `into a worker that copies it into a 16 MiB window; picked 1 s after the page loaded), and verified. What reading costs, every ` +
      `verification costs as well; on ${availableParallelism()} cores a verification takes at least its CPU / ${availableParallelism()}.`,
  );
  console.log('| file | read alone: wall, CPU | verified, at once: wall, CPU | verified, 1 s after: wall, CPU |');
  console.log('|---|---|---|---|');
  for (const f of all) console.log(`| ${f.file.split('/').pop()} | ${wallCpu(f.reading)} | ${wallCpu(f.page[0]!)} | ${wallCpu(f.page[1]!)} |`);
}

/** The big journals: the table (CLI, page, journalctl, round by round), then eight files at once. */
async function timeBigFiles(files: string[], key: string | undefined): Promise<void> {
  const withJournalctl = has('journalctl') && has('/usr/bin/time');
  const session: ChromiumSession | string = await attempt(openChromium);
  let pageError = typeof session === 'string' ? session : null;
  const all: FileRuns[] = files.map((file) => ({ file, journalctl: [], cli: [], page: PICK_AFTER_MS.map(() => []), reading: [] }));
  let readingError: string | null = null;
  try {
    for (let round = 0; round < RUNS; round++) {
      for (const f of all) {
        if (withJournalctl) f.journalctl.push(timeJournalctl(f.file, key));
        f.cli.push(timeNode(f.file, key));
        if (typeof session === 'string' || pageError) continue;
        for (const [i, after] of PICK_AFTER_MS.entries()) {
          const t = await attempt(async () => {
            const { seconds, verdict, cpuMs, memory } = await session.time(f.file, key, after);
            return { seconds, verdict, cpuMs, peakMiB: memory?.peakMiB ?? 0, idleMiB: memory?.idleMiB };
          });
          if (typeof t === 'string') pageError = t;
          else f.page[i]!.push(t);
        }
        if (readingError) continue;
        const r = await attempt(() => session.readAlone(f.file));
        if (typeof r === 'string') readingError = r;
        else f.reading.push(r);
      }
    }
    const note = pageError
      ? ` (Chromium: ${pageError})`
      : ` (Chromium: headless, the page's workers, from pick to verdict; the file picked at once after the page has verified its sample, and ${PICK_AFTER_MS[1] / 1000} s after)`;
    console.log(
      `Sealcheck vs journalctl --verify${key ? ' --verify-key' : ''}, ${availableParallelism()} cores, ${RUNS} rounds: each runs journalctl, then the CLI, then the page, on the same file${note}. ` +
        `Times: the fastest of the ${RUNS}; ratios: journalctl's time over Sealcheck's, round by round, median (lowest–highest); in-process: best of ${IN_PROCESS_RUNS} in one warm process, over journalctl's fastest. ` +
        `Memory: the CLI process's peak RSS; the page's renderer process (the page and all its workers), RSS before the pick → its peak, and what the file added.`,
    );
    console.log('| file | size | Node CLI wall | in-process | Chromium (at once / 1 s after) | MB/s (CLI / in-proc / Chromium at once) | CLI peak RSS (× size) | Chromium renderer RSS | journalctl | journalctl RSS | ratio CLI | ratio Chromium at once | ratio Chromium 1 s after | in-proc ratio | verdicts (CLI / Chromium / journalctl) |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const f of all) {
      const size = statSync(f.file).size;
      const mib = size / 1048576;
      const mb = size / 1e6;
      const inproc = await timeInProcess(f.file, key);
      const cli = fastest(f.cli);
      const [now, later] = f.page.map((runs) => (runs.length ? fastest(runs) : undefined));
      const jc = f.journalctl.length ? fastest(f.journalctl) : undefined;
      const pageRuns = f.page.flat();
      console.log(
        `| ${f.file.split('/').pop()} | ${mib.toFixed(0)} MiB | ${secs(cli)} | ${inproc.toFixed(2)} s | ${secs(now)} / ${secs(later)} | ` +
          `${(mb / cli.seconds).toFixed(0)} / ${(mb / inproc).toFixed(0)} / ${now ? (mb / now.seconds).toFixed(0) : '–'} | ` +
          `${cli.peakMiB.toFixed(0)} MiB (${(cli.peakMiB / mib).toFixed(2)}×) | ${pageMemory(pageRuns, mib)} | ${secs(jc)} | ${jc ? `${jc.peakMiB.toFixed(0)} MiB` : '–'} | ` +
          `${pairedRatio(f.journalctl, f.cli)} | ${pairedRatio(f.journalctl, f.page[0]!)} | ${pairedRatio(f.journalctl, f.page[1]!)} | ${jc ? `${(jc.seconds / inproc).toFixed(1)}×` : '–'} | ` +
          `${verdictOf(f.cli)} / ${pageRuns.length ? verdictOf(pageRuns) : '–'} / ${jc ? verdictOf(f.journalctl) : '–'} |`,
      );
    }
    console.log(`\nRound by round (seconds): journalctl | CLI | Chromium at once | Chromium ${PICK_AFTER_MS[1] / 1000} s after`);
    const list = (runs: Run[]) => (runs.length ? runs.map((r) => r.seconds.toFixed(2)).join(' ') : '–');
    for (const f of all) console.log(`- ${f.file.split('/').pop()}: ${list(f.journalctl)} | ${list(f.cli)} | ${list(f.page[0]!)} | ${list(f.page[1]!)}`);
    readingFloor(all, pageError ?? readingError);
    const startup = startupNote();
    if (startup) console.log(`\n${startup}`);
    const e = timeEight(files, key);
    console.log(
      `\nEight files at once (CLI, worker_threads on ${e.cores} cores): ${e.seconds.toFixed(2)} s, ${e.mbps.toFixed(0)} MB/s, ` +
        `${e.perCore.toFixed(0)} MB/s per core, peak RSS ${e.peakMiB.toFixed(0)} MiB, exit ${e.rc}`,
    );
    const eight = Array.from({ length: 8 }, (_, i) => files[i % files.length]!);
    const eightMb = eight.reduce((sum, f) => sum + statSync(f).size / 1e6, 0);
    const c = typeof session === 'string' ? session : await attempt(() => session.timeAll(eight, key));
    if (typeof c === 'string') console.log(`Eight files at once (Chromium): not measured (${c})`);
    else {
      const cores = availableParallelism();
      console.log(
        `Eight files at once (Chromium, the page's pool on ${cores} cores, from the pick to the last verdict): ${c.seconds.toFixed(2)} s, ` +
          `${(eightMb / c.seconds).toFixed(0)} MB/s, ${(eightMb / c.seconds / cores).toFixed(0)} MB/s per core, ` +
          `${c.memory ? `renderer RSS ${c.memory.idleMiB.toFixed(0)} → ${c.memory.peakMiB.toFixed(0)} MiB, ` : ''}verdicts ${c.verdicts.join(' ')}`,
      );
    }
  } finally {
    if (typeof session !== 'string') await session.close();
  }
}

async function main(): Promise<void> {
  const files = ensureBigFiles();
  const keyFile = join(dataDir, 'key.txt');
  const key = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
  if (files.length > 0) await timeBigFiles(files, key);
  for (const extra of ['kernel', 'search']) {
    const mod = join(here, `${extra}.js`);
    if (existsSync(mod) && !process.env.SEALCHECK_BENCH_QUICK) {
      console.log(`\n## ${extra}`);
      execFileSync(process.execPath, [mod], { stdio: 'inherit' });
    }
  }
}

await main();
