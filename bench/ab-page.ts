/**
 * Two builds of the page against each other, in pairs: `node build/bench/ab-page.js DIR_A DIR_B FILE
 * [PAIRS] [PICK_AFTER_MS]` (each DIR a page built with `npx vite build --outDir DIR`; FILE a journal,
 * the key from build/bench-data/key.txt). Each pair opens a fresh page of A and one of B, in turns
 * (AB, BA, AB…: neither always runs first), and picks FILE in each as `npm run bench` does. It prints,
 * for the wall time (pick to verdict), the CPU of all of Chromium's processes and the page's own
 * thread, the medians and the difference B − A: its mean with its standard error, its median, and
 * the pairs where B was lower and higher (with the sign test's p).
 *
 * Why pairs: this VM's speed drifts by up to ~1.3× within minutes, and a page run varies by ±15 %
 * from one to the next, so two medians taken apart cannot show a change of a few per cent; the
 * difference within a pair, run seconds apart, can, given enough pairs (~30 for ±13 ms of wall time).
 * The CPU columns are less noisy than the wall time, and say where a change took effect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';
import { chromiumThreads, pickAndTime, readyPage } from './chromium.js';
import { median, signTestP } from './stats.js';

/** Each renderer process's main thread (its tid is the pid): CPU time so far, ns. */
function rendererMainThreads(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, t] of chromiumThreads()) {
    const [pid, tid] = id.split('/');
    if (pid === tid && t.name.startsWith('renderer ')) out.set(pid!, t.ns);
  }
  return out;
}

interface Run {
  wallMs: number;
  cpuMs: number;
  /** The page's thread: of the renderers' main threads, the one that ran the most meanwhile. */
  pageThreadMs: number;
  verdict: string;
}

/**
 * b − a over the pairs: the mean ± its standard error; then the median difference and how many
 * pairs went each way, with the sign test's p. The VM's stalls make a few runs much longer than the
 * rest: they swing the mean (three comparisons among three builds of the page once disagreed by
 * twice their standard errors: DEVELOPERS.md), not the count of pairs.
 */
function pairedDifference(a: number[], b: number[]): string {
  const d = a.map((x, i) => b[i]! - x);
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, d.length - 1));
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
  const lower = d.filter((x) => x < 0).length;
  const higher = d.filter((x) => x > 0).length;
  return (
    `${signed(mean, 1)} ± ${(sd / Math.sqrt(d.length)).toFixed(1)} ms; median ${signed(median(d), 0)}; ` +
    `B lower in ${lower}, higher in ${higher} (sign test p = ${signTestP(lower, higher).toFixed(2)})`
  );
}

async function main(argv: string[]): Promise<number> {
  const [dirA, dirB, file, pairsArg, afterArg] = argv;
  if (!dirA || !dirB || !file) {
    console.error('usage: node build/bench/ab-page.js DIR_A DIR_B FILE [PAIRS=20] [PICK_AFTER_MS=1000]');
    return 2;
  }
  const pairs = Number(pairsArg ?? 20);
  const after = Number(afterArg ?? 1000);
  const key = readFileSync(join(ROOT, 'build', 'bench-data', 'key.txt'), 'utf8').trim();
  const servers = await Promise.all([dirA, dirB].map((d) => serveDir(d, '/sealcheck/')));
  const browser = await launchChromium();
  try {
    // one context with a blank page kept open, as the bench does (chromium.ts)
    const context = await browser.newContext();
    await context.newPage();
    const one = async (base: string): Promise<Run> => {
      const page = await readyPage(context, base, key, after);
      try {
        const threads = rendererMainThreads();
        const { seconds, verdicts, cpuMs } = await pickAndTime(page, [file]);
        let pageThreadMs = 0;
        for (const [pid, ns] of rendererMainThreads()) pageThreadMs = Math.max(pageThreadMs, (ns - (threads.get(pid) ?? ns)) / 1e6);
        return { wallMs: seconds * 1000, cpuMs, pageThreadMs, verdict: verdicts[0] ?? '?' };
      } finally {
        await page.close();
      }
    };
    const runs: [Run[], Run[]] = [[], []];
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      const got: Run[] = [];
      for (const which of order) got[which] = await one(servers[which]!.base);
      runs[0].push(got[0]!);
      runs[1].push(got[1]!);
      const show = (r: Run) => `${r.wallMs.toFixed(0)} ms (CPU ${r.cpuMs}, page thread ${r.pageThreadMs.toFixed(0)}) ${r.verdict}`;
      console.log(`pair ${i + 1}: A ${show(got[0]!)} | B ${show(got[1]!)}`);
    }
    const col = (k: keyof Omit<Run, 'verdict'>) => {
      const [a, b] = runs.map((rs) => rs.map((r) => r[k]));
      return `median A ${median(a!).toFixed(0)}, B ${median(b!).toFixed(0)}; B − A ${pairedDifference(a!, b!)}`;
    };
    console.log(`\n${file}, picked ${after} ms after the page was ready, ${pairs} pairs`);
    console.log(`wall time        ${col('wallMs')}`);
    console.log(`Chromium's CPU   ${col('cpuMs')}`);
    console.log(`the page thread  ${col('pageThreadMs')}`);
    return 0;
  } finally {
    await browser.close();
    for (const s of servers) await stopServer(s.server);
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
