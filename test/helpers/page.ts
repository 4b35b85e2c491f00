/**
 * What every browser suite needs: the page built by Vite into a directory of the suite's own (node --test
 * runs suites in parallel), a plain static server for it on a sub-path (the page must work from any path),
 * and Debian's chromium driven by playwright-core. Suites skip, saying so, where chromium is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `false` where chromium exists, else the reason to skip (node:test's `skip` option). */
export function chromiumSkip(what: string): false | string {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium); ${what} skipped`;
}

/** Builds the page with Vite into outDir (relative base, so it can be served from any sub-path). */
export function buildPage(outDir: string): void {
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const built = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, `vite build failed:\n${built.stdout}\n${built.stderr}`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
};

export interface ServeOptions {
  /** Lets a test alter a file as served (e.g. a "new deployment" of sw.js) without rebuilding. */
  rewrite?: (file: string, read: () => string) => string | undefined;
}

/** A plain static file server for dir under sub (like any web host: no special headers), on 127.0.0.1. */
export async function serveDir(dir: string, sub: string, options: ServeOptions = {}): Promise<{ server: Server; base: string; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(sub)) return void res.writeHead(404).end();
    let file = normalize(join(dir, path.slice(sub.length)));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    const rewritten = options.rewrite?.(file, () => readFileSync(file, 'utf8'));
    if (rewritten !== undefined) return void res.end(rewritten);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin, base: `${origin}${sub}` };
}

export function stopServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Headless chromium with the flags this sandbox needs (no background traffic to hosts it cannot reach). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
