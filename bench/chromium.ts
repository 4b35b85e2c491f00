/**
 * The page in headless Chromium: the built page (Vite) on a static server, /usr/bin/chromium driven by
 * playwright-core, each big file picked through the page's `#files` input; the time runs from the pick
 * (the input's change event) to the file's card carrying a verdict (article.card[data-verdict]), i.e.
 * what a user waits for. Both ends are taken inside the page (a MutationObserver sees the verdict
 * the moment it is rendered): Playwright's own waiting polls at up to 500 ms intervals.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, ROOT, buildPage, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';

export interface ChromiumTiming {
  seconds: number;
  verdict: string;
}

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Context = Awaited<ReturnType<Browser['newContext']>>;
type Page = Awaited<ReturnType<Context['newPage']>>;

/**
 * `run` with the built page served and Chromium started; the reason instead when Chromium is absent.
 * The pages open in one browser context that keeps a blank page open throughout, as a user's browser
 * keeps its window: a context opened per page (browser.newPage()) starts the window's own WebUI
 * renderer each time, whose ~0.3 s of CPU then ran into a file picked at once (per-process CPU).
 */
async function withChromium<T>(run: (context: Context, base: string) => Promise<T>): Promise<T | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed`;
  const out = join(ROOT, 'build', 'bench-web');
  buildPage(out);
  const { server, base } = await serveDir(out, '/sealcheck/');
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await context.newPage();
    return await run(context, base);
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

/**
 * A fresh page, ready for a pick: the bundled sample is verified on load (the page, its workers and
 * kernel are ready after its verdict), the key typed, then `pickAfterMs` more.
 */
async function readyPage(context: Context, base: string, key: string | undefined, pickAfterMs = 0): Promise<Page> {
  const page = await context.newPage();
  await page.goto(base);
  await page.locator('article.card[data-verdict]').first().waitFor({ timeout: 60_000 });
  if (key) await page.getByRole('textbox', { name: /key/i }).fill(key);
  if (pickAfterMs > 0) await new Promise((r) => setTimeout(r, pickAfterMs));
  return page;
}

/** Picks `files` through `#files`: seconds from the pick to the last of their verdicts, and the verdicts. */
async function pickAndTime(page: Page, files: string[]): Promise<{ seconds: number; verdicts: string[] }> {
  // In the page (a string: this file is compiled without the DOM's types). Done when the files'
  // cards (the sample's leaves when files come) all carry a verdict.
  const timing = page.evaluate<number>(`new Promise((resolve) => {
    let t0;
    document.addEventListener('change', () => (t0 ??= performance.now()), { capture: true, once: true });
    const cards = () => [...document.querySelectorAll('article.card')].filter((c) => c.querySelector('h3')?.textContent !== 'sample.journal');
    const done = () => cards().filter((c) => c.hasAttribute('data-verdict')).length >= ${files.length};
    const mo = new MutationObserver(() => {
      if (t0 !== undefined && done()) {
        mo.disconnect();
        resolve(performance.now() - t0);
      }
    });
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-verdict'] });
  })`);
  await page.locator('#files').setInputFiles(files);
  const ms = await timing;
  const verdicts = await page.locator('article.card[data-verdict]').evaluateAll((cards) =>
    cards.filter((c) => c.querySelector('h3')?.textContent !== 'sample.journal').map((c) => c.getAttribute('data-verdict') ?? '?'),
  );
  return { seconds: ms / 1000, verdicts };
}

/**
 * Times every file, each time in a fresh page, best of `runs`; the reason instead when Chromium is
 * absent. The file is picked `pickAfterMs` after the page has shown the bundled sample's verdict and
 * taken the key: 0 at once, or as a user would, who takes a moment to pick a file (the page uses
 * it: its spare seal helper makes the kernel's and zstd's hot functions optimized meanwhile).
 */
export function timeChromium(files: string[], key: string | undefined, runs = 1, pickAfterMs = 0): Promise<Map<string, ChromiumTiming> | string> {
  return withChromium(async (context, base) => {
    const res = new Map<string, ChromiumTiming>();
    for (let run = 0; run < runs; run++)
    for (const file of files) {
      // A fresh page per file: what the page does after a verdict (indexing the file for search)
      // must not run into the next file's time.
      const page = await readyPage(context, base, key, pickAfterMs);
      const { seconds, verdicts } = await pickAndTime(page, [file]);
      const prev = res.get(file);
      if (!prev || seconds < prev.seconds) res.set(file, { seconds, verdict: verdicts[0] ?? '?' });
      await page.close();
    }
    return res;
  });
}

/**
 * All of `files` picked at once in one fresh page (the page's pool: a verify worker per core), from the
 * pick to the last of their verdicts; seconds and verdicts, or the reason when Chromium is absent.
 */
export function timeChromiumAll(files: string[], key: string | undefined): Promise<{ seconds: number; verdicts: string[] } | string> {
  return withChromium(async (context, base) => pickAndTime(await readyPage(context, base, key), files));
}
