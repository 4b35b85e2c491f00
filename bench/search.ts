/**
 * Search index speed on 1 M synthetic entries (no journal file needed): index build MB/s (payload bytes
 * fed to the index, the decompressed DATA the reader hands over), and time to the first page of results
 * for a full-text query and for a facet click (target ≤ 100 ms each), plus facets and histogram after.
 * Run alone: `node build/bench/search.js [entries]`; `npm run bench` runs it after the verify table.
 */
import { pathToFileURL } from 'node:url';
import { SearchIndex } from '../src/search/index.js';
import { createSearchApi } from '../src/search/session.js';

export interface SearchBench {
  entries: number;
  payloadMB: number;
  buildSeconds: number;
  buildMBps: number;
  indexMiB: number;
  heapMiB: number;
  textFirstPageMs: number;
  textMatches: number;
  text2FirstPageMs: number;
  facetFirstPageMs: number;
  facetMatches: number;
  facetsMs: number;
  histogramMs: number;
  regexFirstPageMs: number;
}

const enc = new TextEncoder();

export async function benchSearch(n = 1_000_000): Promise<SearchBench> {
  // Value pools as a journal has them: few hosts/units/priorities, many PIDs, mostly distinct messages.
  let nextOffset = 1;
  const pool = (field: string, k: number, f: (i: number) => string) =>
    Array.from({ length: k }, (_, i) => ({ bytes: enc.encode(`${field}=${f(i)}`), offset: nextOffset++ }));
  const pools = [
    pool('_HOSTNAME', 5, (i) => `host${i}.example.net`),
    pool('_SYSTEMD_UNIT', 60, (i) => `unit${i}.service`),
    pool('SYSLOG_IDENTIFIER', 60, (i) => `ident${i}`),
    pool('_COMM', 60, (i) => `comm${i}`),
    pool('_PID', 5000, (i) => String(1000 + i)),
    pool('PRIORITY', 8, (i) => String(i)),
    pool('_BOOT_ID', 10, (i) => i.toString(16).padStart(32, '0')),
    pool('_TRANSPORT', 4, (i) => ['journal', 'syslog', 'stdout', 'kernel'][i]),
    pool('_UID', 20, (i) => String(i * 100)),
    pool('_SYSTEMD_CGROUP', 60, (i) => `/system.slice/unit${i}.service`),
    pool('_SYSTEMD_SLICE', 3, (i) => ['system.slice', 'user.slice', 'machine.slice'][i]),
    pool('_MACHINE_ID', 1, () => '72d6c31ad8563f93d537fced596001bf'),
  ];
  const words = ['connection', 'accepted', 'closed', 'error', 'timeout', 'started', 'stopped', 'session', 'worker', 'job'];
  const messages: Array<{ bytes: Uint8Array; offset: number }> = [];
  for (let i = 0; i < n; i++) {
    // ~1 in 4 messages repeat an earlier one (journald dedups DATA), the rest carry numbers.
    if (i % 4 === 3) messages.push(messages[(i * 7919) % i]);
    else
      messages.push({
        bytes: enc.encode(`MESSAGE=${words[i % 10]} ${words[(i >> 3) % 10]} request ${i} from 10.0.${(i >> 8) & 255}.${i & 255} took ${i % 997}ms`),
        offset: nextOffset++,
      });
  }
  const payloads: Uint8Array[] = new Array(pools.length + 1);
  const offsets: number[] = new Array(pools.length + 1);
  let bytes = 0;
  const idx = new SearchIndex();
  const t0 = performance.now();
  idx.addFile({ name: 'synthetic.journal', seqnumId: 'ab'.repeat(16), size: 0 });
  let rnd = 12345;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < pools.length; p++) {
      rnd = (Math.imul(rnd, 1103515245) + 12345) & 0x7fffffff;
      const v = pools[p][p === 5 ? (rnd % 100 < 70 ? 6 : rnd % 8) : rnd % pools[p].length];
      payloads[p] = v.bytes;
      offsets[p] = v.offset;
      bytes += v.bytes.length;
    }
    payloads[pools.length] = messages[i].bytes;
    offsets[pools.length] = messages[i].offset;
    bytes += messages[i].bytes.length + 64; // + the ENTRY object's fixed part
    idx.addEntry({
      offset: 4096 + i * 256, seqnum: i + 1, realtime: 1_700_000_000_000_000 + i * 1000, monotonic: i * 1000,
      bootId: '0'.repeat(31) + String(Math.floor(i / 100_000) % 10), xorHi: 0, xorLo: i, payloads, dataOffsets: offsets,
    });
  }
  idx.finalize();
  const buildSeconds = (performance.now() - t0) / 1000;
  messages.length = 0; // the generator's garbage must not be collected inside the timed queries
  (globalThis as { gc?: () => void }).gc?.();
  const api = createSearchApi(idx);
  const time = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  let textMatches = 0;
  let facetMatches = 0;
  const textFirstPageMs = time(() => {
    textMatches = api.query({ text: 'request 4242', newestFirst: true }).total;
    api.page(0, 100);
  });
  const text2FirstPageMs = time(() => {
    api.query({ text: 'timeout job', newestFirst: false });
    api.page(0, 100);
  });
  const facetFirstPageMs = time(() => {
    facetMatches = api.query({ include: { _SYSTEMD_UNIT: ['unit7.service'] }, newestFirst: true }).total;
    api.page(0, 100);
  });
  const facetsMs = time(() => api.facets());
  const histogramMs = time(() => api.histogram({ maxBuckets: 200 }));
  const regexFirstPageMs = time(() => {
    api.query({ text: 'took 99[0-9]ms$', regex: true, newestFirst: true });
    api.page(0, 100);
  });
  const heap = process.memoryUsage();
  return {
    entries: n, payloadMB: bytes / 1e6, buildSeconds, buildMBps: bytes / 1e6 / buildSeconds,
    indexMiB: idx.memoryBytes() / 1048576, heapMiB: (heap.heapUsed + heap.arrayBuffers) / 1048576,
    textFirstPageMs, textMatches, text2FirstPageMs, facetFirstPageMs, facetMatches, facetsMs, histogramMs, regexFirstPageMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = await benchSearch(n);
  console.log(`| search index | ${r.entries.toLocaleString('en')} entries, ${r.payloadMB.toFixed(0)} MB payload | build ${r.buildSeconds.toFixed(2)} s = ${r.buildMBps.toFixed(0)} MB/s, index ≈ ${r.indexMiB.toFixed(0)} MiB (heap+buffers ${r.heapMiB.toFixed(0)} MiB) |`);
  console.log(`| first page | full text "request 4242" (${r.textMatches} hits) ${r.textFirstPageMs.toFixed(1)} ms, "timeout job" ${r.text2FirstPageMs.toFixed(1)} ms | facet click _SYSTEMD_UNIT (${r.facetMatches} hits) ${r.facetFirstPageMs.toFixed(1)} ms | regex ${r.regexFirstPageMs.toFixed(1)} ms |`);
  console.log(`| after the page | facets ${r.facetsMs.toFixed(1)} ms | histogram ${r.histogramMs.toFixed(1)} ms |`);
}
