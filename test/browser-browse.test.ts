// The browse view of the built page in Debian's chromium (playwright-core), served from a sub-path by a
// plain static server (as test/browser.test.ts): after verifying corpus files, search MESSAGE (highlighted),
// click a facet, drag a time range on the histogram, open entries and read their seal status, export the
// filtered set and compare it byte for byte with our CLI (systemd 254 format) and with journalctl where it
// exists. Expected counts come from the journal export of the same files, not from the page.
// Skips, saying so, where /usr/bin/chromium is absent. Screenshots go to test-results/browse-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT as root, buildPage, chromiumSkip, launchChromium, serveDir, stopServer } from './helpers/page.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const JOURNALCTL = '/usr/bin/journalctl';
const corpus = join(root, 'test/fixtures/corpus');
const shots = join(root, 'test-results');
// Its own output directory: node --test runs this file in parallel with browser.test.ts.
const outDir = join(root, 'build/web-browse-test-dist');
const KEY = readFileSync(join(corpus, 'keys/A.key'), 'utf8').trim();
const SUB = '/browse/sub/path/';
const FILES = ['sealed-tail.journal', 't-tag-bytes.journal'];
const WORD = 'connection';

const skip = chromiumSkip('browse tests');



// ---- the reference: journal export format, parsed into entries ----

interface Entry {
  /** The entry's bytes as written, including the blank line ending it. */
  bytes: Buffer;
  fields: Map<string, string[]>;
}

/** Splits `-o export` output into entries (text fields `NAME=value\n`, binary `NAME\n` + le64 size + data + `\n`). */
function parseExport(buf: Buffer): Entry[] {
  const out: Entry[] = [];
  let at = 0;
  let start = 0;
  let fields = new Map<string, string[]>();
  while (at < buf.length) {
    if (buf[at] === 0x0a) {
      at++;
      out.push({ bytes: buf.subarray(start, at), fields });
      start = at;
      fields = new Map();
      continue;
    }
    const nl = buf.indexOf(0x0a, at);
    const line = buf.subarray(at, nl);
    const eq = line.indexOf(0x3d);
    let name: string;
    let value: string;
    if (eq >= 0) {
      name = line.subarray(0, eq).toString('latin1');
      value = line.subarray(eq + 1).toString('utf8');
      at = nl + 1;
    } else {
      name = line.toString('latin1');
      const size = Number(buf.readBigUInt64LE(nl + 1));
      value = buf.subarray(nl + 9, nl + 9 + size).toString('utf8');
      at = nl + 9 + size + 1;
    }
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return out;
}

const one = (e: Entry, f: string) => e.fields.get(f)?.[0];
const rt = (e: Entry) => Number(one(e, '__REALTIME_TIMESTAMP'));
const concat = (es: Entry[]) => Buffer.concat(es.map((e) => e.bytes));

function cli(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [join(root, 'bin/sealcheck.js'), ...args], { cwd: corpus, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

// ---- the page ----

let browser: Browser;
let context: BrowserContext;
let page: Page;
let server: Server;
let base: string;
/** Everything the page printed about the Content-Security-Policy. */
const cspViolations: string[] = [];
/** All entries of FILES in journalctl's order (our CLI, systemd 254 export). */
let all: Entry[];

const browse = () => page.locator('.browse');
const rows = () => browse().locator('.timeline [role=option]');

/** The whole page, and the browse view alone at full size (easier to look at). */
async function shot(name: string) {
  await page.screenshot({ path: join(shots, `browse-${name}.png`), fullPage: true });
  await page.locator('.browse-section').screenshot({ path: join(shots, `browse-${name}-view.png`) });
}

async function until(ok: () => Promise<boolean>, what: string, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The "N of M entries" line. */
async function counted(): Promise<{ shown: number; of: number } | undefined> {
  const m = /([\d,]+) of ([\d,]+) entries/.exec(await browse().locator('.sb-count').innerText());
  return m ? { shown: Number(m[1].replace(/,/g, '')), of: Number(m[2].replace(/,/g, '')) } : undefined;
}

async function expectCount(shown: number, of = all.length): Promise<void> {
  await until(async () => {
    const c = await counted();
    return c?.shown === shown && c.of === of;
  }, `"${shown} of ${of} entries" (showing ${JSON.stringify(await counted())})`);
}

function fragment(): Promise<string> {
  return page.evaluate('location.hash') as Promise<string>;
}

async function setSeal(name: string, on: boolean) {
  const chip = browse().locator('.sb-seal').getByRole('button', { name, exact: true });
  if ((await chip.getAttribute('aria-pressed')) !== String(on)) await chip.click();
}

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  buildPage(outDir);
  all = parseExport(cli(FILES.map((f) => `--file=${f}`).concat(['-o', 'export'])));
  ({ server, base } = await serveDir(outDir, SUB));

  browser = await launchChromium();
  // No service worker: this suite is about the browse view, and each run must see this build.
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

test('the sample is browsable as soon as it is verified', { skip }, async () => {
  await page.goto(base);
  await page.locator('article.card[data-verdict="PASS"]').first().waitFor({ timeout: 30_000 });
  await browse().waitFor();
  const tailOnly = parseExport(cli(['--file=sealed-tail.journal', '-o', 'export']));
  await expectCount(tailOnly.length, tailOnly.length);
  await until(async () => (await rows().count()) > 0, 'rows');
  // The chart is drawn (uPlot's canvas) under the strict CSP.
  await browse().locator('.histogram canvas').waitFor();
  await shot('01-sample');
});

test('two corpus files, one with a failed seal: one merged timeline', { skip }, async () => {
  await page.getByRole('textbox', { name: /key/i }).fill(KEY);
  await page.locator('#files').setInputFiles(FILES.map((f) => join(corpus, f)));
  for (const f of FILES) await page.locator('article.card[data-verdict]', { has: page.locator(`h3:text-is("${f}")`) }).waitFor({ timeout: 30_000 });
  // The auto-loaded sample made way for the user's files, so its entries left the index too.
  await expectCount(all.length);
  // Newest first: the first row is the last entry journalctl writes.
  const first = await rows().first().innerText();
  assert.ok(first.includes(one(all[all.length - 1], 'MESSAGE')!.slice(0, 30)), first);
});

test('full-text search over MESSAGE: case-insensitive, highlighted', { skip }, async () => {
  const hits = all.filter((e) => one(e, 'MESSAGE')?.toLowerCase().includes(WORD));
  assert.ok(hits.length > 1 && hits.length < all.length);
  await browse().getByRole('searchbox', { name: 'Search' }).fill(WORD);
  await browse().getByRole('searchbox', { name: 'Search' }).press('Enter');
  await expectCount(hits.length);
  await until(async () => (await rows().count()) === hits.length, 'the matching rows');
  const marks = await browse().locator('.timeline mark').allInnerTexts();
  assert.ok(marks.length >= hits.length, `${marks.length} highlights`);
  for (const m of marks) assert.equal(m.toLowerCase(), WORD);
  assert.match(await fragment(), new RegExp(`q=${WORD}`));
  await shot('02-search');
});

test('facet counts follow the filter; clicking a value filters to it', { skip }, async () => {
  const hits = all.filter((e) => one(e, 'MESSAGE')?.toLowerCase().includes(WORD));
  const byIdent = new Map<string, number>();
  for (const e of hits) byIdent.set(one(e, 'SYSLOG_IDENTIFIER')!, (byIdent.get(one(e, 'SYSLOG_IDENTIFIER')!) ?? 0) + 1);
  const [ident, n] = [...byIdent].sort((a, b) => b[1] - a[1])[0];
  const value = browse().locator(`.facet-val[title="SYSLOG_IDENTIFIER=${ident}"]`);
  await until(async () => (await value.locator('.facet-count').innerText()) === String(n), `facet count ${n}`);
  // Under no filter the same value counts more (or as many) — the counts above are the filtered ones.
  const unfiltered = all.filter((e) => one(e, 'SYSLOG_IDENTIFIER') === ident).length;
  assert.ok(unfiltered >= n);

  await value.click();
  await expectCount(n);
  assert.match(await fragment(), new RegExp(`f=${encodeURIComponent(`SYSLOG_IDENTIFIER=${ident}`)}`));
  assert.equal(await value.locator('xpath=..').getAttribute('class'), 'inc');
  // Other facets now count within the selection: PRIORITY's counts sum to the total.
  const prioCounts = await browse().locator('.facet', { has: page.locator('.facet-head', { hasText: /^PRIORITY/ }) }).locator('.facet-count').allInnerTexts();
  assert.equal(prioCounts.reduce((s, c) => s + Number(c.replace(/,/g, '')), 0), n);
  await shot('03-facet');
  // Back to everything for the time range.
  await value.click();
  await browse().getByRole('searchbox', { name: 'Search' }).fill('');
  await browse().getByRole('searchbox', { name: 'Search' }).press('Enter');
  await expectCount(all.length);
});

test('dragging across the histogram selects a time range', { skip }, async () => {
  const over = browse().locator('.histogram .u-over');
  // The chart is redrawn for each result: wait for the one of every entry (the last test's filter was
  // just cleared; its legend counts them all), then for its drawing area.
  const legendTotal = async () => (await browse().locator('.hist-key small').allInnerTexts()).reduce((s, t) => s + Number(t.replace(/\D/g, '')), 0);
  await until(async () => (await legendTotal()) === all.length, 'the histogram of every entry');
  await until(async () => (await over.boundingBox()) !== null, 'the chart drawn');
  const box = (await over.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.75, y, { steps: 5 });
  await page.mouse.up();
  await until(async () => /from=\d+&to=\d+/.test(await fragment()), 'from/to in the URL');
  const m = /from=(\d+)&to=(\d+)/.exec(await fragment())!;
  const [from, to] = [Number(m[1]), Number(m[2])];
  const inRange = all.filter((e) => rt(e) >= from && rt(e) < to);
  assert.ok(inRange.length > 0 && inRange.length < all.length, `${inRange.length} entries in the range`);
  await expectCount(inRange.length);
  await browse().locator('.sb-range').waitFor();
  await shot('04-range');
  await browse().getByRole('button', { name: 'Clear time range' }).click();
  await expectCount(all.length);
});

test('entry detail: unsealed tail of sealed-tail, failed segment of t-tag-bytes, sealed elsewhere', { skip }, async () => {
  await setSeal('unsealed tail', true);
  await until(async () => (await counted())!.shown > 0 && (await counted())!.shown < all.length, 'tail entries');
  await rows().first().click();
  const detail = browse().locator('aside.detail');
  await detail.waitFor();
  assert.equal(await detail.locator('.detail-seal').innerText(), 'unsealed tail');
  assert.match(await detail.innerText(), /sealed-tail\.journal/);
  assert.match(await fragment(), /e=s%3D/);
  await shot('05-tail');

  await setSeal('unsealed tail', false);
  await setSeal('seal failed', true);
  await until(async () => (await counted())!.shown > 0 && (await counted())!.shown < all.length, 'failed-segment entries');
  await rows().first().click();
  await until(async () => /seal failed/.test(await detail.locator('.detail-seal').innerText()), 'failed status');
  assert.match(await detail.locator('.detail-seal').innerText(), /^inside the segment of tag \d+ \(epoch \d+, .+\), whose seal failed$/);
  assert.match(await detail.innerText(), /t-tag-bytes\.journal/);
  await shot('06-failed');

  // the list of sealed entries before a row is clicked: under load the failed segment's list was
  // still shown, and its first row opened (full run, session 21)
  const failed = (await counted())!.shown;
  await setSeal('seal failed', false);
  await setSeal('sealed', true);
  await until(async () => {
    const c = (await counted())!;
    return c.shown > 0 && c.shown < all.length && c.shown !== failed;
  }, 'sealed entries');
  await rows().first().click();
  await until(async () => /^sealed by tag \d+/.test(await detail.locator('.detail-seal').innerText()), 'sealed status');
  await setSeal('sealed', false);
  await detail.getByRole('button', { name: 'Close' }).click();
  await expectCount(all.length);
});

test('export of the filtered set: byte-identical to the CLI (254) and to journalctl, and JSON lines', { skip }, async () => {
  const field = '_SYSTEMD_UNIT';
  const unit = 'sshd.service';
  await browse().locator(`.facet-val[title="${field}=${unit}"]`).click();
  const expected = all.filter((e) => one(e, field) === unit);
  await expectCount(expected.length);

  const download = async (name: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), browse().getByRole('button', { name, exact: true }).click()]);
    return { file: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
  };
  const exp = await download('Export');
  assert.equal(exp.file, 'entries.export');
  assert.ok(exp.bytes.equals(concat(expected)), 'export = sealcheck --file=… -o export (254), filtered');
  if (existsSync(JOURNALCTL)) {
    // journalctl here is 252, whose export lacks 254's __SEQNUM/__SEQNUM_ID lines.
    const r = spawnSync(JOURNALCTL, [...FILES.map((f) => `--file=${f}`), `${field}=${unit}`, '-o', 'export'], { cwd: corpus, maxBuffer: 1 << 28 });
    const v = /systemd (\d+)/.exec(spawnSync(JOURNALCTL, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    const page252 = Buffer.from(exp.bytes.toString('latin1').replace(/^__SEQNUM(_ID)?=.*\n/gm, ''), 'latin1');
    const ref = Number(v) >= 254 ? exp.bytes : page252;
    assert.ok(r.stdout.equals(ref), `export = journalctl ${v} --file=… ${field}=${unit} -o export`);
  } else console.log('# journalctl not installed: compared with our CLI only');

  const json = await download('JSON lines');
  assert.equal(json.file, 'entries.jsonl');
  const ref = cli([...FILES.map((f) => `--file=${f}`), '-o', 'json'])
    .toString('utf8')
    .split('\n')
    .filter((l) => l && (JSON.parse(l) as Record<string, unknown>)[field] === unit);
  assert.equal(json.bytes.toString('utf8'), ref.map((l) => l + '\n').join(''));
  await browse().locator(`.facet-val[title="${field}=${unit}"]`).click();
  await expectCount(all.length);
});

test('the URL fragment carries the filter state', { skip }, async () => {
  const errs = all.filter((e) => one(e, 'PRIORITY') === '3');
  await page.evaluate(`location.hash = '#f=PRIORITY%3D3&dir=asc'`);
  await expectCount(errs.length);
  assert.match(await browse().locator('.sb-dir').innerText(), /oldest first/);
  assert.ok((await rows().first().innerText()).includes(one(errs[0], 'MESSAGE')!.slice(0, 30)));
  await page.evaluate(`location.hash = ''`);
  await expectCount(all.length);
});

test('keyboard: search, move through the list, open an entry; dark mode', { skip }, async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const search = browse().getByRole('searchbox', { name: 'Search' });
  await search.focus();
  await page.keyboard.type('_SYSTEMD_UNIT=sshd.service');
  await page.keyboard.press('Enter');
  const sshd = all.filter((e) => one(e, '_SYSTEMD_UNIT') === 'sshd.service');
  await expectCount(sshd.length);
  await browse().locator('.timeline').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  // the second row, however soon after the result the keys came
  await until(async () => (await browse().locator('.timeline .row.cursor').getAttribute('aria-posinset')) === '2', 'the cursor on the second row');
  await page.keyboard.press('Enter');
  const detail = browse().locator('aside.detail');
  await detail.waitFor();
  // Newest first: the second row is the second-to-last sshd entry.
  assert.equal(await detail.locator('tr', { has: page.locator('th:text-is("MESSAGE")') }).locator('td').first().innerText(), one(sshd[sshd.length - 2], 'MESSAGE'));
  await shot('07-dark');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  await page.setViewportSize({ width: 390, height: 900 });
  await shot('08-narrow');
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('no Content-Security-Policy violation', { skip }, async () => {
  assert.deepEqual(cspViolations, []);
});
