/**
 * The page in headless Chromium: the built page (Vite) on a static server, /usr/bin/chromium driven by
 * playwright-core, each big file picked through the page's `#files` input; the time runs from the pick
 * to the file's card carrying a verdict (article.card[data-verdict]), i.e. what a user waits for.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, ROOT, buildPage, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';

export interface ChromiumTiming {
  seconds: number;
  verdict: string;
}

/** Times every file in one page (key typed once); null with the reason when Chromium is absent. */
export async function timeChromium(files: string[], key: string | undefined): Promise<Map<string, ChromiumTiming> | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed`;
  const out = join(ROOT, 'build', 'bench-web');
  buildPage(out);
  const { server, base } = await serveDir(out, '/sealcheck/');
  const browser = await launchChromium();
  const res = new Map<string, ChromiumTiming>();
  try {
    const page = await browser.newPage();
    await page.goto(base);
    // The bundled sample is verified on load: the page (workers, kernel) is ready after its verdict.
    await page.locator('article.card[data-verdict]').first().waitFor({ timeout: 60_000 });
    if (key) await page.getByRole('textbox', { name: /key/i }).fill(key);
    for (const file of files) {
      const name = file.split('/').pop()!;
      const card = page.locator('article.card[data-verdict]', { has: page.locator(`h3:text-is(${JSON.stringify(name)})`) }).first();
      const t0 = performance.now();
      await page.locator('#files').setInputFiles(file);
      await card.waitFor({ timeout: 300_000 });
      const seconds = (performance.now() - t0) / 1000;
      res.set(file, { seconds, verdict: (await card.getAttribute('data-verdict')) ?? '?' });
    }
  } finally {
    await browser.close();
    await stopServer(server);
  }
  return res;
}
