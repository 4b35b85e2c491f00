/**
 * The page's ratio to journalctl with enough rounds to say how sure it is: `node build/bench/ratio.js
 * FILE [ROUNDS=25] [PICK_AFTER_MS=1000]`. Each round runs `journalctl --verify --verify-key` on FILE
 * (the key from build/bench-data/key.txt), then picks FILE in a fresh page as `npm run bench` does
 * (its session: the page built into build/bench-web); it prints each round and then the median of the
 * ratios (journalctl's time over the page's) with a distribution-free interval (stats.ts,
 * medianInterval) and how many rounds reached 10×.
 *
 * Why: the bench's five rounds give a median but no idea how far it may be off; this VM's speed
 * drifts (DEVELOPERS.md), and a ratio taken within one round cancels the drift only in part.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../test/helpers/page.js';
import { openChromium } from './chromium.js';
import { timeJournalctl } from './journalctl.js';
import { median, medianInterval } from './stats.js';

async function main(argv: string[]): Promise<number> {
  const [fileArg, roundsArg, afterArg] = argv;
  if (!fileArg) {
    console.error('usage: node build/bench/ratio.js FILE [ROUNDS=25] [PICK_AFTER_MS=1000]');
    return 2;
  }
  const file = resolve(fileArg);
  const rounds = Number(roundsArg ?? 25);
  const after = Number(afterArg ?? 1000);
  const key = readFileSync(join(ROOT, 'build', 'bench-data', 'key.txt'), 'utf8').trim();
  const session = await openChromium();
  if (typeof session === 'string') {
    console.error(`no page to time: ${session}`);
    return 1;
  }
  try {
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const j = timeJournalctl(file, key);
      const p = await session.time(file, key, after);
      ratios.push(j.seconds / p.seconds);
      console.log(`round ${i + 1}: journalctl ${j.seconds.toFixed(2)} s ${j.verdict}, the page ${p.seconds.toFixed(3)} s ${p.verdict}: ${(j.seconds / p.seconds).toFixed(2)}×`);
    }
    const ci = medianInterval(ratios);
    console.log(
      `\n${fileArg}, picked ${after} ms after the page was ready, ${rounds} rounds: median ratio ${median(ratios).toFixed(2)}×` +
        (ci ? ` (${(ci.coverage * 100).toFixed(1)} % interval ${ci.low.toFixed(2)}–${ci.high.toFixed(2)}×)` : '') +
        `; ${ratios.filter((r) => r >= 10).length} of ${rounds} rounds ≥ 10×`,
    );
    return 0;
  } finally {
    await session.close();
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
