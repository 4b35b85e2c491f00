// The built page against hostile files (issue 9): dropping a non-journal — an image, an empty file, a
// 2 GB file of zeros — gives a clear message on that file's card and leaves the other files' results
// intact; the page stays usable afterwards. Same approach as browser.test.ts (vite build into its own
// directory, a plain static server on a sub-path, Debian's chromium through playwright-core); files are
// dropped with a real drop event carrying a DataTransfer (and one picked through <input type=file>).
// Skips, saying so, where /usr/bin/chromium is absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT as root, buildPage, chromiumSkip, launchChromium, serveDir, stopServer } from './helpers/page.js';
import type { Browser, Page } from 'playwright-core';

const corpus = join(root, 'test/fixtures/corpus');
const outDir = join(root, 'build/web-hostile-dist');
const KEY = readFileSync(join(corpus, 'keys/A.key'), 'utf8').trim();
const SUB = '/hostile/';
const skip = chromiumSkip('hostile-input browser tests');


/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
let page: Page;
let server: Server;
let tmp: string;
const pageErrors: string[] = [];
let crashed = false;


const named = (name: string) => page.locator(`h3:text-is(${JSON.stringify(name)})`);
const card = (name: string) => page.locator('article.card', { has: named(name) }).first();

/** The card's final state: its verdict when verification ended, or "error" when the page could not verify it. */
async function outcome(name: string, timeout = 60_000): Promise<string> {
  const done = page.locator('article.card[data-verdict], article.card[data-status="error"]', { has: named(name) }).first();
  await done.waitFor({ timeout });
  return (await done.getAttribute('data-verdict')) ?? `status:${await done.getAttribute('data-status')}`;
}

/**
 * Drops files on the page as a user's drag & drop does: the files are put in a hidden input of our own
 * (so the app's picker does not see them), then a `drop` event with a DataTransfer holding them is
 * dispatched on the window.
 */
async function drop(...paths: string[]) {
  await page.evaluate(`(() => {
    let i = document.getElementById('hostile-source');
    if (!i) { i = document.createElement('input'); i.type = 'file'; i.multiple = true; i.id = 'hostile-source'; i.hidden = true; document.body.append(i); }
  })()`);
  await page.locator('#hostile-source').setInputFiles(paths);
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of document.getElementById('hostile-source').files) dt.items.add(f);
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  })()`);
}

before(async () => {
  if (skip) return;
  buildPage(outDir);
  let base: string;
  ({ server, base } = await serveDir(outDir, SUB));
  tmp = mkdtempSync(join(tmpdir(), 'sealcheck-hostile-'));
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => void pageErrors.push(e.message));
  page.on('crash', () => void (crashed = true));
  await page.goto(base);
  assert.equal(await outcome('sample.journal'), 'PASS');
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let sealedText = '';

test('hostile page: a sealed file verifies (the result that must survive what follows)', { skip }, async () => {
  await page.getByRole('textbox', { name: /key/i }).fill(KEY);
  await drop(join(corpus, 'sealed.journal'));
  assert.equal(await outcome('sealed.journal'), 'PASS');
  sealedText = await card('sealed.journal').innerText();
  assert.match(sealedText, /PASS: sealed\.journal/);
});

test('hostile page: an image gives a clear "not a journal" message (dropped, and picked)', { skip }, async () => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(tmp, 'photo.png'), PNG);
  await drop(join(tmp, 'photo.png'));
  assert.equal(await outcome('photo.png'), 'OPEN_FAILED');
  const text = await card('photo.png').innerText();
  assert.match(text, /not a systemd journal file/i);
  assert.match(text, /Failed to open files: /);
  // The same through the file picker.
  writeFileSync(join(tmp, 'picture.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x42)]));
  await page.locator('#files').setInputFiles(join(tmp, 'picture.jpg'));
  assert.equal(await outcome('picture.jpg'), 'OPEN_FAILED');
  assert.match(await card('picture.jpg').innerText(), /not a systemd journal file/i);
});

test('hostile page: an empty file gives a clear message', { skip }, async () => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(tmp, 'empty.journal'), new Uint8Array(0));
  await drop(join(tmp, 'empty.journal'));
  assert.equal(await outcome('empty.journal'), 'OPEN_FAILED');
  const text = await card('empty.journal').innerText();
  assert.match(text, /Failed to open files: /);
  assert.match(text, /could not be opened|not a systemd journal file/i);
});

test('hostile page: a 2 GB file of zeros ends in a clear message without taking the page down', { skip, timeout: 180_000 }, async (t) => {
  const path = join(tmp, 'zeros.journal');
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 2 * 1024 ** 3); // sparse: no disk space used
  closeSync(fd);
  await drop(path);
  const result = await outcome('zeros.journal', 150_000);
  const text = await card('zeros.journal').innerText();
  t.diagnostic(`zeros.journal (2 GiB): ${result}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
  assert.ok(!crashed, 'the page crashed');
  // journalctl's verdict: the signature is wrong ("Failed to open files: Bad message"). The first 8 bytes
  // decide it; reading all 2 GiB first is what fails in a browser (Chromium's NotReadableError, whose
  // text blames "permission problems" — not a clear message).
  assert.equal(result, 'OPEN_FAILED', `zeros.journal: ${result}\n${text}`);
  assert.match(text, /not a systemd journal file/i);
  assert.match(text, /Failed to open files: Bad message/);
  assert.doesNotMatch(text, /undefined|NaN|\[object /);
});

test('hostile page: the other results are intact and the page still verifies', { skip }, async () => {
  assert.ok(!crashed, 'the page crashed');
  assert.equal(await outcome('sealed.journal'), 'PASS');
  assert.equal(await card('sealed.journal').innerText(), sealedText, 'the sealed file’s card changed');
  await drop(join(corpus, 'sealed-nocompress.journal'));
  assert.equal(await outcome('sealed-nocompress.journal'), 'PASS');
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
});
