/**
 * Where a pick's CPU goes, thread by thread: `node build/bench/threads.js DIR FILE [ROUNDS=8]
 * [PICK_AFTER_MS=1000]` (DIR a page built with `npx vite build --outDir DIR`; FILE a journal, the key
 * from build/bench-data/key.txt). Each round opens a fresh page, picks FILE as `npm run bench` does,
 * and reads every Chromium thread's CPU time (Linux: /proc/PID/task/TID/schedstat, in ns) before the
 * pick and after the verdict. It prints, per thread, the median over the rounds of what it ran
 * meanwhile, and what threads that ended meanwhile ran (the seal helper's thread ends with its
 * verification; by difference with the processes' own CPU, in 10 ms ticks).
 *
 * Why: on two cores the wall time of a pick is its CPU over two (DEVELOPERS.md, "The page's floor"),
 * so what makes a verification shorter is CPU saved somewhere; A/B pairs (ab-page.ts) say whether a
 * change saved any, this says where the CPU is to look for savings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';
import { chromiumCpuMs, chromiumThreads, pickAndTime, readyPage, type ChromiumThreads } from './chromium.js';
import { median, perThreadMedians } from './stats.js';

/** Each thread alive at the end: what it ran since `before` (ms), under its name. */
function ranSince(before: ChromiumThreads, after: ChromiumThreads): { name: string; ms: number }[] {
  return [...after].map(([id, t]) => ({ name: t.name, ms: (t.ns - (before.get(id)?.ns ?? 0)) / 1e6 }));
}

async function main(argv: string[]): Promise<number> {
  const [dir, file, roundsArg, afterArg] = argv;
  if (!dir || !file) {
    console.error('usage: node build/bench/threads.js DIR FILE [ROUNDS=8] [PICK_AFTER_MS=1000]');
    return 2;
  }
  const rounds = Number(roundsArg ?? 8);
  const after = Number(afterArg ?? 1000);
  const key = readFileSync(join(ROOT, 'build', 'bench-data', 'key.txt'), 'utf8').trim();
  const { server, base } = await serveDir(dir, '/sealcheck/');
  const browser = await launchChromium();
  try {
    // one context with a blank page kept open, as the bench does (chromium.ts)
    const context = await browser.newContext();
    await context.newPage();
    const perRound: { name: string; ms: number }[][] = [];
    const walls: number[] = [];
    const ended: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const page = await readyPage(context, base, key, after);
      try {
        const before = chromiumThreads();
        const { seconds, verdicts, cpuMs } = await pickAndTime(page, [file]);
        const ran = ranSince(before, chromiumThreads());
        perRound.push(ran);
        walls.push(seconds * 1000);
        ended.push(Math.max(0, cpuMs - ran.reduce((s, t) => s + t.ms, 0)));
        console.log(`round ${i + 1}: ${(seconds * 1000).toFixed(0)} ms, CPU ${cpuMs} ms, ${verdicts.join(' ')}`);
      } finally {
        await page.close();
      }
    }
    console.log(`\n${file}, picked ${after} ms after the page was ready, ${rounds} rounds: medians, ms of CPU from the pick to the verdict`);
    for (const { thread, ms } of perThreadMedians(perRound)) console.log(`${ms.toFixed(0).padStart(6)}  ${thread}`);
    console.log(`${median(ended).toFixed(0).padStart(6)}  threads that ended meanwhile (the seal helper's among them; 10 ms ticks)`);
    console.log(`wall time median ${median(walls).toFixed(0)} ms`);
    return 0;
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
