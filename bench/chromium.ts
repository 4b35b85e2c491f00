/**
 * The page in headless Chromium: the built page (Vite) on a static server, /usr/bin/chromium driven by
 * playwright-core, each big file picked through the page's `#files` input; the time runs from the pick
 * (the input's change event) to the file's card carrying a verdict (article.card[data-verdict]), i.e.
 * what a user waits for. Both ends are taken inside the page (a MutationObserver sees the verdict
 * the moment it is rendered): Playwright's own waiting polls at up to 500 ms intervals.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, ROOT, buildPage, launchChromium, serveDir, stopServer } from '../test/helpers/page.js';

export interface ChromiumTiming {
  seconds: number;
  verdict: string;
  /** CPU time of all of Chromium's processes from just before the pick to the verdict, ms. */
  cpuMs: number;
  /** The page's renderer process (the page and all its workers), when it could be told apart. */
  memory?: RendererMemory;
}

/**
 * Resident memory of the page's renderer process, MiB: just before the pick (the page ready, its
 * workers started, the sample verified) and its peak (VmHWM, set back just before the pick) by the
 * verdict.
 */
export interface RendererMemory {
  idleMiB: number;
  peakMiB: number;
}

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Context = Awaited<ReturnType<Browser['newContext']>>;
type Page = Awaited<ReturnType<Context['newPage']>>;

/**
 * The built page served and Chromium started, for the whole bench: each measurement opens its own
 * page. The pages open in one browser context that keeps a blank page open throughout, as a user's
 * browser keeps its window: a context opened per page (browser.newPage()) starts the window's own
 * WebUI renderer each time, whose ~0.3 s of CPU then ran into a file picked at once (per-process CPU).
 */
export interface ChromiumSession {
  /** One file picked `pickAfterMs` after a fresh page has verified its sample and taken the key. */
  time(file: string, key: string | undefined, pickAfterMs: number): Promise<ChromiumTiming>;
  /** All of `files` picked at once in one fresh page (the page's pool: a verify worker per core), until the last verdict. */
  timeAll(files: string[], key: string | undefined): Promise<{ seconds: number; verdicts: string[]; cpuMs: number; memory?: RendererMemory }>;
  /**
   * `file` read and nothing else (bench/reading: the page's feed into a worker that copies it into a
   * window): the floor under every verification of it in this browser. Picked 1 s after a fresh page
   * loaded, as the page's timings pick it.
   */
  readAlone(file: string): Promise<{ seconds: number; cpuMs: number }>;
  close(): Promise<void>;
}

/** The reading-floor page (bench/reading), built with the page's own feed into `outDir`. */
async function buildReadingPage(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: join(ROOT, 'bench', 'reading'),
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
  });
}

/** A session, or the reason there is none (Chromium absent). */
export async function openChromium(): Promise<ChromiumSession | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed`;
  const out = join(ROOT, 'build', 'bench-web');
  buildPage(out);
  const { server, base } = await serveDir(out, '/sealcheck/');
  // the reading page, built and served when first asked for: the page's own timings do not wait on it
  let reading: ReturnType<typeof serveDir> | undefined;
  const stopReading = async () => {
    const r = await reading?.catch(() => undefined);
    if (r) await stopServer(r.server);
  };
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.newPage();
    return {
      async time(file, key, pickAfterMs) {
        // A fresh page per file: what the page does after a verdict (indexing the file for search)
        // must not run into the next file's time.
        const page = await readyPage(context, base, key, pickAfterMs);
        try {
          const { seconds, verdicts, cpuMs, memory } = await pickAndTime(page, [file]);
          return { seconds, verdict: verdicts[0] ?? '?', cpuMs, memory };
        } finally {
          await page.close();
        }
      },
      async timeAll(files, key) {
        const page = await readyPage(context, base, key);
        try {
          return await pickAndTime(page, files);
        } finally {
          await page.close();
        }
      },
      async readAlone(file) {
        const readingOut = join(ROOT, 'build', 'bench-reading');
        reading ??= buildReadingPage(readingOut).then(() => serveDir(readingOut, '/reading/'));
        const { base: readingBase } = await reading;
        const page = await context.newPage();
        try {
          await page.goto(readingBase);
          await new Promise((r) => setTimeout(r, 1000));
          const cpu = chromiumCpuMs();
          await page.locator('#files').setInputFiles(file);
          const read = page.locator('#read');
          await read.filter({ hasText: /\d/ }).waitFor({ timeout: 120_000 });
          const cpuMs = chromiumCpuMs() - cpu;
          const [bytes, ms] = ((await read.textContent()) ?? '').split(' ').map(Number);
          const size = statSync(file).size;
          if (bytes !== size) throw new Error(`the reading page took ${bytes} bytes of ${size}`);
          return { seconds: ms! / 1000, cpuMs };
        } finally {
          await page.close();
        }
      },
      async close() {
        await browser?.close();
        await stopServer(server);
        await stopReading();
      },
    };
  } catch (e) {
    await browser?.close();
    await stopServer(server);
    throw e;
  }
}

/** CPU time of all of Chromium's processes, ms (utime + stime of each, their ended threads included). */
export function chromiumCpuMs(): number {
  let ticks = 0;
  eachChromiumProcess((pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  });
  return ticks * 10; // USER_HZ = 100
}

/**
 * A fresh page, ready for a pick: the bundled sample is verified on load (the page, its workers and
 * kernel are ready after its verdict), the key typed, then `pickAfterMs` more.
 */
export async function readyPage(context: Context, base: string, key: string | undefined, pickAfterMs = 0): Promise<Page> {
  const page = await context.newPage();
  await page.goto(base);
  await page.locator('article.card[data-verdict]').first().waitFor({ timeout: 60_000 });
  if (key) await page.getByRole('textbox', { name: /key/i }).fill(key);
  if (pickAfterMs > 0) await new Promise((r) => setTimeout(r, pickAfterMs));
  return page;
}

/**
 * Picks `files` through `#files`: seconds from the pick to the last of their verdicts, the verdicts,
 * Chromium's CPU meanwhile (ms), and the page's renderer memory (read just before the pick and once
 * the verdicts are in).
 */
export async function pickAndTime(page: Page, files: string[]): Promise<{ seconds: number; verdicts: string[]; cpuMs: number; memory?: RendererMemory }> {
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
  resetPeaks();
  const before = renderers();
  const cpu = chromiumCpuMs();
  await page.locator('#files').setInputFiles(files);
  const ms = await timing;
  const cpuMs = chromiumCpuMs() - cpu;
  const memory = pageRenderer(before, renderers());
  const verdicts = await page.locator('article.card[data-verdict]').evaluateAll((cards) =>
    cards.filter((c) => c.querySelector('h3')?.textContent !== 'sample.journal').map((c) => c.getAttribute('data-verdict') ?? '?'),
  );
  return { seconds: ms / 1000, verdicts, cpuMs, memory };
}

/**
 * Each of Chromium's threads (Linux's /proc; none elsewhere), by "pid/tid": its CPU time so far, ns
 * (schedstat: finer than stat's 10 ms ticks), under its name: the process's type and the thread's own.
 */
export type ChromiumThreads = Map<string, { name: string; ns: number }>;

export function chromiumThreads(): ChromiumThreads {
  const out: ChromiumThreads = new Map();
  eachChromiumProcess((pid, cmd) => {
    const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        // a pool's threads differ by a number at the end of their name: one name for all of them
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        out.set(`${pid}/${tid}`, { name: `${type} ${comm}`, ns });
      } catch {
        // (a thread that ended meanwhile)
      }
    }
  });
  return out;
}

/** Renderer processes by pid: VmRSS and VmHWM, MiB. */
export type RendererSizes = Map<number, { rss: number; hwm: number }>;

/** Calls `fn` for each of Chromium's processes (Linux's /proc; none elsewhere); a process that ends meanwhile is skipped. */
export function eachChromiumProcess(fn: (pid: string, cmdline: string) => void): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('chromium')) fn(pid, cmd);
    } catch {
      // (a process that ended meanwhile)
    }
  }
}

/**
 * Each renderer's peak (VmHWM) set back to its size now (Linux: 5 into /proc/PID/clear_refs). Chromium
 * runs a new page in a renderer an earlier page of the same site used, now and then (the bench's pages
 * are all 127.0.0.1's): the peak read at the verdict would then be that earlier page's if it was
 * higher (a bench run once reported the same ~376 MiB for all four files). Where it cannot be done the
 * peaks stay lifetime ones.
 */
function resetPeaks(): void {
  eachChromiumProcess((pid, cmd) => {
    if (!cmd.includes('--type=renderer')) return;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // (not permitted here: lifetime peaks)
    }
  });
}

/** Chromium's renderer processes (Linux's /proc; empty elsewhere). */
function renderers(): RendererSizes {
  const out: RendererSizes = new Map();
  eachChromiumProcess((pid, cmd) => {
    if (!cmd.includes('--type=renderer')) return;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    out.set(Number(pid), { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 });
  });
  return out;
}

/**
 * The page's renderer: of the renderer processes alive before the pick and after the verdict, the
 * one whose peak grew the most past its size before the pick (the others are the blank page kept
 * open, and spare renderers Chromium starts ahead). Its peak is over its whole life, but loading the
 * page and verifying the small sample use far less than a big file.
 */
export function pageRenderer(before: RendererSizes, after: RendererSizes): RendererMemory | undefined {
  let best: RendererMemory | undefined;
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (!b || !Number.isFinite(a.hwm) || !Number.isFinite(b.rss)) continue;
    if (!best || a.hwm - b.rss > best.peakMiB - best.idleMiB) best = { idleMiB: b.rss, peakMiB: a.hwm };
  }
  return best;
}
