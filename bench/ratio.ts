/**
 * The page's ratio to journalctl with enough rounds to say how sure it is: `node build/bench/ratio.js
 * FILE [ROUNDS=25] [PICK_AFTER_MS=1000] [DIR=dist]`. Each round runs `journalctl --verify
 * --verify-key` on FILE (the key from build/bench-data/key.txt), then opens a fresh page of DIR (a
 * build of the page) and picks FILE as `npm run bench` does; it prints each round and then the median
 * of the ratios (journalctl's time over the page's) with a distribution-free interval
 * (stats.ts, medianInterval) and how many rounds reached 10×.
 *
 * Why: the bench's five rounds give a median but no idea how far it may be off; this VM's speed
 * drifts (DEVELOPERS.md), and a ratio taken within one round cancels the drift only in part.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';
import { pickAndTime, readyPage } from './chromium.js';
import { median, medianInterval } from './stats.js';

async function main(argv: string[]): Promise<number> {
  const [file, roundsArg, afterArg, dirArg] = argv;
  if (!file) {
    console.error('usage: node build/bench/ratio.js FILE [ROUNDS=25] [PICK_AFTER_MS=1000] [DIR=dist]');
    return 2;
  }
  const rounds = Number(roundsArg ?? 25);
  const after = Number(afterArg ?? 1000);
  const key = readFileSync(join(ROOT, 'build', 'bench-data', 'key.txt'), 'utf8').trim();
  const { server, base } = await serveDir(resolve(dirArg ?? join(ROOT, 'dist')), '/sealcheck/');
  const browser = await launchChromium();
  try {
    // one context with a blank page kept open, as the bench does (chromium.ts)
    const context = await browser.newContext();
    await context.newPage();
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const j = spawnSync('journalctl', [`--file=${resolve(file)}`, '--verify', `--verify-key=${key}`], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      const journalctl = (performance.now() - t) / 1000;
      const page = await readyPage(context, base, key, after);
      const { seconds, verdicts } = await pickAndTime(page, [resolve(file)]).finally(() => page.close());
      ratios.push(journalctl / seconds);
      const jv = /^PASS/m.test(j.stderr) ? 'PASS' : /^FAIL/m.test(j.stderr) ? 'FAIL' : `exit ${j.status}`;
      console.log(`round ${i + 1}: journalctl ${journalctl.toFixed(2)} s ${jv}, the page ${seconds.toFixed(3)} s ${verdicts.join(' ')}: ${(journalctl / seconds).toFixed(2)}×`);
    }
    const ci = medianInterval(ratios);
    console.log(
      `\n${file}, picked ${after} ms after the page was ready, ${rounds} rounds: median ratio ${median(ratios).toFixed(2)}×` +
        (ci ? ` (${(ci.coverage * 100).toFixed(1)} % interval ${ci.low.toFixed(2)}–${ci.high.toFixed(2)}×)` : '') +
        `; ${ratios.filter((r) => r >= 10).length} of ${rounds} rounds ≥ 10×`,
    );
    return 0;
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
