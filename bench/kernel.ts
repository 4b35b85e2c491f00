// Kernel micro-benchmarks: SHA-256/HMAC throughput vs Node's crypto, FSPRG key derivation and Seek,
// SipHash and lookup3 throughput. `node build/bench/kernel.js` prints the table; bench/run.ts calls
// benchKernel(). WebCrypto in headless Chromium is not measured here.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadNodeKernel } from '../cli/kernel-node.js';

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

export async function benchKernel(): Promise<Row[]> {
  const k = await loadNodeKernel();
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

  const seed = Uint8Array.from([0xf4, 0xe5, 0xd7, 0x8d, 0xc9, 0x7f, 0x86, 0xb1, 0xdb, 0x24, 0x90, 0x0e]);
  const seeds = Array.from({ length: 8 }, (_, i) => { const s = seed.slice(); s[11] = i; return s; });
  const first = performance.now();
  const f = k.fsprg(seed);
  const firstMs = performance.now() - first;
  let total = 0;
  for (const s of seeds) { const t = performance.now(); k.fsprg(s); total += performance.now() - t; }
  rows.push({ what: 'FSPRG key derivation from seed (p, q, x0), first call', value: +firstMs.toFixed(1), unit: 'ms', note: 'libgcrypt: 130 ms' });
  rows.push({ what: 'FSPRG key derivation, mean of 8 other seeds', value: +(total / seeds.length).toFixed(1), unit: 'ms' });
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
  return rows;
}

export function printRows(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printRows(await benchKernel());
}
