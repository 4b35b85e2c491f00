// Kernel micro-benchmarks: SHA-256/HMAC throughput vs Node's crypto, FSPRG key derivation and Seek,
// SipHash and lookup3 throughput. `node build/bench/kernel.js [other.wasm]` prints the table (an
// older kernel.wasm given as argument is measured with today's wrapper, rows it lacks print n/a);
// bench/run.ts calls benchKernel(). WebCrypto's SHA-256 in headless Chromium is measured where
// /usr/bin/chromium exists.
// Wall times are best-of-N; key derivation is also given in CPU time, which a shared machine
// disturbs less than wall time.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { loadKernel, type Kernel } from '../src/kernel/kernel.js';
import { zstdFramesFile } from '../test/helpers/zstd-frames.js';

export interface Row { what: string; value: number; unit: string; note?: string }

function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
  return b;
}

/** Best of `runs` timings (ms) of fn. */
function best(runs: number, fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

/** CPU time (user + system, ms) of fn. */
function cpu(fn: () => void): number {
  const s = process.cpuUsage();
  fn();
  const u = process.cpuUsage(s);
  return (u.user + u.system) / 1000;
}

export async function benchKernel(wasmPath?: string): Promise<Row[]> {
  const k: Kernel = wasmPath ? await loadKernel(readFileSync(wasmPath)) : await loadNodeKernel();
  const has = (name: string): boolean => typeof (k as unknown as Record<string, unknown>)[name] === 'function'
    && typeof ((k as unknown as { raw: Record<string, unknown> }).raw)['laneBufSize'] === 'function';
  const rows: Row[] = [];
  const big = bytes(32 << 20);
  const mbps = (n: number, ms: number): number => Math.round((n / 1e6) / (ms / 1e3));

  rows.push({ what: 'SHA-256 kernel (32 MiB one-shot)', value: mbps(big.length, best(5, () => k.sha256(big))), unit: 'MB/s' });
  rows.push({ what: 'SHA-256 node:crypto (32 MiB)', value: mbps(big.length, best(5, () => createHash('sha256').update(big).digest())), unit: 'MB/s' });
  // the verifier's pattern: HMAC over many small non-contiguous ranges (avg ~150 B)
  const hm = best(5, () => {
    const h = k.hmacSha256(big.subarray(0, 32));
    for (let off = 0; off + 300 < big.length; off += 320) h.update(big.subarray(off, off + 16 + (off % 283)));
    h.digest();
  });
  let fed = 0;
  for (let off = 0; off + 300 < big.length; off += 320) fed += 16 + (off % 283);
  rows.push({ what: 'HMAC-SHA256 kernel, ~150 B update() pieces', value: mbps(fed, hm), unit: 'MB/s' });

  // Tag segments as the verifier sees them: ~14 KB each, cut into 16 B object headers, 8 B hashes
  // and 100-300 B payloads (a 120 MiB sealed journal: ~6,800 tags over ~95 MB).
  const segs: { key: Uint8Array; parts: Uint8Array[] }[] = [];
  const rsegs: { key: Uint8Array; ranges: number[] }[] = [];
  let segBytes = 0;
  {
    let off = 0, x = 0x9e3779b9;
    const rnd = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
    while (off + 20000 < big.length) {
      const parts: Uint8Array[] = [];
      const ranges: number[] = [];
      const size = 12000 + Math.floor(rnd() * 4000);
      let n = 0;
      while (n < size) {
        const pay = 100 + Math.floor(rnd() * 200);
        parts.push(big.subarray(off, off + 16), big.subarray(off + 16, off + 24), big.subarray(off + 48, off + 48 + pay));
        ranges.push(off, 16, off + 16, 8, off + 48, pay);
        n += 24 + pay; off += 56 + pay;
      }
      segs.push({ key: big.subarray(off, off + 32), parts });
      rsegs.push({ key: big.subarray(off, off + 32), ranges });
      segBytes += n;
    }
  }
  const scalarSeg = best(5, () => {
    for (const sg of segs) { const h = k.hmacSha256(sg.key); for (const p of sg.parts) h.update(p); h.digest(); }
  });
  rows.push({ what: `HMAC tag segments (~14 KB in ~150 B pieces), scalar hmacSha256`, value: mbps(segBytes, scalarSeg), unit: 'MB/s' });
  const multi = has('hmacSha256Many');
  rows.push({ what: `HMAC tag segments, hmacSha256Many (4-lane SIMD)`, value: multi ? mbps(segBytes, best(5, () => k.hmacSha256Many(segs))) : NaN, unit: 'MB/s' });
  rows.push({ what: `HMAC tag segments, hmacSha256Ranges (offset/length lists)`, value: multi ? mbps(segBytes, best(5, () => k.hmacSha256Ranges(big, rsegs))) : NaN, unit: 'MB/s' });
  const whole = segs.map((sg) => ({ key: sg.key, parts: [big.subarray(0, sg.parts.reduce((a, p) => a + p.length, 0))] }));
  rows.push({ what: `HMAC tag segments, hmacSha256Many, one part each`, value: multi ? mbps(segBytes, best(5, () => k.hmacSha256Many(whole))) : NaN, unit: 'MB/s' });

  const seed = Uint8Array.from([0xf4, 0xe5, 0xd7, 0x8d, 0xc9, 0x7f, 0x86, 0xb1, 0xdb, 0x24, 0x90, 0x0e]);
  const seeds = Array.from({ length: 8 }, (_, i) => { const s = seed.slice(); s[11] = i; return s; });
  const first = performance.now();
  const f = k.fsprg(seed);
  const firstMs = performance.now() - first;
  let total = 0, totalCpu = 0;
  for (const s of seeds) { const t = performance.now(); totalCpu += cpu(() => k.fsprg(s)); total += performance.now() - t; }
  rows.push({ what: 'FSPRG key derivation from seed (p, q, x0), first call', value: +firstMs.toFixed(1), unit: 'ms', note: 'libgcrypt: 130 ms' });
  rows.push({ what: 'FSPRG key derivation, mean of 8 other seeds', value: +(total / seeds.length).toFixed(1), unit: 'ms' });
  rows.push({ what: 'FSPRG key derivation, mean of 8 other seeds, CPU time', value: +(totalCpu / seeds.length).toFixed(1), unit: 'ms' });
  let e = 1000000n;
  rows.push({ what: 'FSPRG Seek + GetKey (random epoch)', value: +best(20, () => { f.epochKey(e); e += 7919n; }).toFixed(2), unit: 'ms' });
  rows.push({ what: 'FSPRG Evolve + GetKey (next epoch)', value: +best(20, () => { f.epochKey(e); e += 1n; }).toFixed(3), unit: 'ms' });

  const key16 = big.subarray(0, 16);
  const payloads: Uint8Array[] = [];
  for (let off = 0; off + 200 < 16 << 20; off += 256) payloads.push(big.subarray(off, off + 40 + (off % 157)));
  const plen = payloads.reduce((s, p) => s + p.length, 0);
  rows.push({ what: 'SipHash-2-4 kernel (16 MiB one-shot)', value: mbps(16 << 20, best(5, () => k.siphash24(key16, big.subarray(0, 16 << 20)))), unit: 'MB/s' });
  rows.push({ what: 'SipHash-2-4 kernel, ~120 B payloads', value: mbps(plen, best(3, () => { for (const p of payloads) k.siphash24(key16, p); })), unit: 'MB/s' });
  rows.push({ what: 'lookup3 kernel (16 MiB one-shot)', value: mbps(16 << 20, best(5, () => k.jenkinsHash64(big.subarray(0, 16 << 20)))), unit: 'MB/s' });
  rows.push({ what: 'lookup3 kernel, ~120 B payloads', value: mbps(plen, best(3, () => { for (const p of payloads) k.jenkinsHash64(p); })), unit: 'MB/s' });
  // journald's compressed payloads (the test fixtures' frames, each copied into the kernel and
  // decoded, 20 times over): the decoder a ZSTD journal's verification spends most of its kernel time in
  const frames = journaldZstdFrames();
  const zstd = typeof (k as unknown as { raw: Record<string, unknown> }).raw['zstdDecode'] === 'function';
  const decoded = zstd ? frames.reduce((n, f) => n + (k.zstdDecode(f)?.length ?? 0), 0) : 0;
  rows.push({
    what: `zstd kernel, journald's frames (${frames.length}, ${frames.length ? Math.round(decoded / frames.length) : 0} B out each)`,
    value: zstd && decoded ? mbps(20 * decoded, best(5, () => { for (let r = 0; r < 20; r++) for (const f of frames) k.zstdDecode(f); })) : NaN,
    unit: 'MB/s',
    note: 'decoded bytes',
  });
  const webCrypto = await webCryptoInChromium();
  rows.push({ what: 'SHA-256 WebCrypto in headless Chromium (32 MiB one-shot)', value: webCrypto ?? NaN, unit: 'MB/s', note: webCrypto === undefined ? '/usr/bin/chromium not present' : 'crypto.subtle.digest' });
  return rows;
}

/** crypto.subtle.digest in Debian's chromium, the browser-side reference for the kernel's SHA-256. */
async function webCryptoInChromium(): Promise<number | undefined> {
  if (!existsSync('/usr/bin/chromium')) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  // WebCrypto exists only in secure contexts: an empty page from 127.0.0.1 is one, about:blank is not.
  const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const ms = await page.evaluate(async () => {
      const data = new Uint8Array(32 << 20);
      for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
      let bestMs = Infinity;
      for (let r = 0; r < 5; r++) {
        const t = performance.now();
        await crypto.subtle.digest('SHA-256', data);
        bestMs = Math.min(bestMs, performance.now() - t);
      }
      return bestMs;
    });
    return Math.round((32 << 20) / 1e6 / (ms / 1e3));
  } finally {
    await browser.close();
    server.close();
  }
}

/** test/fixtures/zstd/journald-frames.bin: zstd frames journald wrote (none where the tests are absent). */
function journaldZstdFrames(): Uint8Array[] {
  const path = fileURLToPath(new URL('../../test/fixtures/zstd/journald-frames.bin', import.meta.url));
  return existsSync(path) ? zstdFramesFile(path) : [];
}

export function printRows(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${(Number.isNaN(r.value) ? 'n/a' : String(r.value)).padStart(8)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printRows(await benchKernel(process.argv[2]));
}
