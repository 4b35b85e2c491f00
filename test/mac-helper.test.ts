// The seal helper (src/verify/mac-helper.ts): a second thread derives the tag keys, hashes batches
// of tag segments and checks batches of compressed payloads while the verifying thread scans. Its
// answers only ever decide speed: with any helper — the CLI's worker thread, one that lies, fails,
// answers nothing useful or dies half-way — every report must be the report without one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kernelWasmUrl, loadNodeKernel } from '../cli/kernel-node.js';
import { nodeHmac } from '../cli/node-hmac.js';
import { startMacHelper } from '../cli/mac-helper.js';
import type { FileSource } from '../src/verify/window.js';
import { verifyJournal } from '../src/verify/index.js';
import { macHelperClient, serveMacHelper, type HelperPort, type MacHelper, type PlatformDigest } from '../src/verify/mac-helper.js';
import { loadKernel, type Kernel } from '../src/kernel/kernel.js';
import type { VerifyOptions } from '../src/verify/report.js';
import type { PlatformHmac } from '../src/verify/tag-macs.js';
import { FIXTURES, corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';
import { assertTagDigests, scannedArena } from './helpers/tag-digests.js';

const kernelP = loadNodeKernel();
const KEY_A = readFileSync(`${FIXTURES}/corpus/keys/A.key`, 'utf8').trim();
const A1 = readFileSync(`${FIXTURES}/corpus/keys/A-1min.key`, 'utf8').trim();

/**
 * The file as a source the CLI's way: reads that complete a macrotask per 64 KiB later; `delivered`
 * says how far the file has been read.
 */
function fed(bytes: Uint8Array) {
  const state = { delivered: 0, size: bytes.length };
  const source: FileSource = {
    size: bytes.length,
    parallel: 4,
    read(at, into, done) {
      let left = Math.max(1, Math.ceil(into.length / 65536));
      const tick = () => {
        if (--left > 0) return void setImmediate(tick);
        into.set(bytes.subarray(at, at + into.length));
        state.delivered = Math.max(state.delivered, at + into.length);
        done();
      };
      setImmediate(tick);
    },
    whole: async () => bytes,
  };
  return { source, state };
}

/** The report with `helper`, whole and streamed, must be the report without one. */
async function same(kernel: Kernel, name: string, bytes: Uint8Array, key: string | undefined, helper: MacHelper, what: string, windowBytes?: number): Promise<string> {
  const expected = await verifyJournal({ name, bytes }, kernel, { key });
  const options: VerifyOptions = { key, macHelper: helper, hmac: nodeHmac, windowBytes };
  assert.deepEqual(await verifyJournal({ name, bytes }, kernel, options), expected, `${name} ${what}`);
  const { source } = fed(bytes);
  const r = await verifyJournal({ name, source }, kernel, options);
  assert.deepEqual(r, expected, `${name} ${what} streamed`);
  return expected.verdict;
}

/** `f` a few milliseconds later: a helper that is behind. */
const later = <T>(f: () => Promise<T>): Promise<T> => new Promise((r) => setTimeout(r, 3)).then(f);

/** Ports opened by the tests, closed at the end (an open port keeps the process alive). */
const opened: Array<{ close(): void }> = [];
after(() => opened.forEach((p) => p.close()));

/**
 * How a helper hashes: Node's OpenSSL HMAC (the CLI's), a platform SHA-256 (the page's WebCrypto),
 * or neither (its kernel's four lanes).
 */
type Platform = { hmac: PlatformHmac } | { digest: PlatformDigest } | 'lanes';

/** The verifying end's port of a helper served on this thread, with a kernel of its own (as on its own thread). */
async function localPort(key: string, platform: Platform = { hmac: nodeHmac }): Promise<HelperPort> {
  const helperKernel = await loadKernel(readFileSync(kernelWasmUrl()));
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  const hmac = typeof platform === 'object' && 'hmac' in platform ? platform.hmac : undefined;
  const digest = typeof platform === 'object' && 'digest' in platform ? platform.digest : undefined;
  serveMacHelper(port2 as unknown as HelperPort, helperKernel, key, hmac, digest);
  return port1 as unknown as HelperPort;
}

async function localHelper(key: string, platform?: Platform): Promise<MacHelper> {
  return macHelperClient(await localPort(key, platform));
}

/** WebCrypto's SHA-256, as the page's helper has it (Node has WebCrypto too). */
const webDigest: PlatformDigest = (data) => crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);

/** `digest` until `n` calls are done, then a rejection (the platform's SHA-256 failing half-way). */
function failingAfter(n: number, digest: PlatformDigest): PlatformDigest {
  let calls = 0;
  return (data) => (++calls > n ? Promise.reject(new Error('digest failed')) : digest(data));
}

test('seal helper on a worker thread (the CLI\'s): every corpus and testdata file, each key, gives the report without it', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  const helpers = { A: startMacHelper(KEY_A), A1: startMacHelper(A1), none: startMacHelper(null) };
  try {
    const verdicts = new Set<string>();
    for (const [name, bytes] of files) {
      verdicts.add(await same(kernel, name, bytes, KEY_A, helpers.A.helper, 'key A'));
      verdicts.add(await same(kernel, name, bytes, A1, helpers.A1.helper, 'key A-1min'));
      // a helper started with another key than the run's: the requests name the run's seed
      await same(kernel, name, bytes, A1, helpers.A.helper, 'key A-1min, helper A');
      await same(kernel, name, bytes, undefined, helpers.none.helper, 'no key');
    }
    assert.ok(verdicts.has('PASS') && verdicts.has('FAIL'), [...verdicts].join(','));
  } finally {
    for (const h of Object.values(helpers)) h.close();
  }
});

test('seal helper: 150 mutants of sealed and compressed files give the report without it (seed helper-m)', async () => {
  const kernel = await kernelP;
  const sources = ['sealed.journal', 'sealed-nokeyed.journal', 'sealed-xz.journal', 'sealed-lz4.journal', 'sealed-many-epochs.journal', 'sealed-tail.journal'];
  const donors = sources.map((s) => corpus(s));
  const helper = await localHelper(KEY_A);
  for (let i = 0; i < 150; i++) {
    const src = sources[i % sources.length]!;
    const m = mutate(corpus(src), `helper-m-${i}`, { donors });
    await same(kernel, `${src} mutant ${i} (${m.ops.join('; ')})`, m.bytes, KEY_A, helper, 'helper', i % 2 ? 4096 : undefined);
  }
});

test('the page\'s helper (WebCrypto\'s SHA-256, no platform HMAC): fed while the file is read; with its batches out, this thread hashes with its keys; the reports do not change', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  const client = macHelperClient(await localPort(KEY_A, { digest: webDigest }));
  let state: { delivered: number; size: number } | null = null;
  let early = 0;
  let keyRequests = 0;
  const count = () => {
    if (state && state.delivered < state.size) early++;
  };
  const spy: MacHelper = {
    // small batches, answered late: all of them are soon with the helper
    batchBytes: 4096,
    batchBuffers: 2,
    hash: (b) => (count(), later(() => client.hash(b))),
    keys: (s, e) => (keyRequests++, client.keys(s, e)),
    checkPayloads: (b) => (count(), client.checkPayloads(b)),
  };
  for (const windowBytes of [undefined, 4096]) {
    for (const [name, bytes] of files) {
      for (const key of [KEY_A, A1, undefined]) {
        const expected = await verifyJournal({ name, bytes }, kernel, { key });
        const fed_ = fed(bytes);
        state = fed_.state;
        const r = await verifyJournal({ name, source: fed_.source }, kernel, { key, macHelper: spy, windowBytes });
        state = null;
        assert.deepEqual(r, expected, `${name} ${key === KEY_A ? 'key A' : key ? 'key A-1min' : 'no key'} window ${windowBytes ?? 'default'}`);
      }
    }
  }
  assert.ok(early > 20, `${early} batches sent while the file was still being read`);
  assert.ok(keyRequests > 0, 'with every batch out, this thread hashed tags itself');
});

test('seal helper that lies, fails or dies: the reports do not change', async () => {
  const kernel = await kernelP;
  const flip = (d: Uint8Array | null) => {
    if (!d) return d;
    const x = Uint8Array.from(d);
    x[x.length - 1] = x[x.length - 1]! ^ 1;
    return x;
  };
  const real = await localHelper(KEY_A);
  const dying = macHelperClient(await localPort(KEY_A));
  let calls = 0;
  let keyRequests = 0;
  const faulty: Record<string, MacHelper> = {
    // small batches: the helper runs out of buffers and this thread hashes with keys it asks for
    'kernel lanes, small batches': { ...(await localHelper(KEY_A, 'lanes')), batchBytes: 4096, batchBuffers: 4 },
    'webcrypto, small batches': { ...(await localHelper(KEY_A, { digest: webDigest })), batchBytes: 4096, batchBuffers: 4 },
    'webcrypto lying': await localHelper(KEY_A, { digest: async (data) => flip(new Uint8Array(await webDigest(data)))!.buffer as ArrayBuffer }),
    'webcrypto failing': await localHelper(KEY_A, { digest: failingAfter(3, webDigest) }),
    'small batches': { ...real, batchBytes: 2048, batchBuffers: 4, hash: (b) => later(() => real.hash(b)), keys: (s, e) => (keyRequests++, real.keys(s, e)) },
    'small batches, lying keys': { ...real, batchBytes: 2048, batchBuffers: 4, hash: (b) => later(() => real.hash(b)), keys: async (s, e) => flip(await real.keys(s, e)) },
    'small batches, no keys': { ...real, batchBytes: 2048, batchBuffers: 4, hash: (b) => later(() => real.hash(b)), keys: async () => null },
    'lying digests': { ...real, hash: async (b) => ({ ...(await real.hash(b)), digests: flip((await real.hash(b)).digests) }) },
    'lying keys': { ...real, keys: async (s, e) => flip(await real.keys(s, e)) },
    'no digests, no keys': { hash: async (b) => ({ digests: null, bytes: b.bytes }), keys: async () => null, checkPayloads: real.checkPayloads },
    'payloads unchecked': { ...real, checkPayloads: async (b) => ({ ok: null, bytes: b.bytes }) },
    'payloads refused': { ...real, checkPayloads: async (b) => ({ ok: false, bytes: b.bytes }) },
    'buffers kept': { hash: async (b) => ({ ...(await real.hash(b)), bytes: null }), keys: real.keys, checkPayloads: async (b) => ({ ...(await real.checkPayloads(b)), bytes: null }) },
    'dies half-way': {
      hash: (b) => (++calls === 2 ? (dying.gone(), dying.hash(b)) : dying.hash(b)),
      keys: (s, e) => dying.keys(s, e),
      checkPayloads: (b) => dying.checkPayloads(b),
    },
  };
  const names = ['sealed.journal', 'sealed-noncompact.journal', 'sealed-many-epochs.journal', 'sealed-xz.journal', 'sealed-lz4.journal', 'sealed-tail.journal', 'unsealed.journal'];
  let passes = 0;
  for (const [what, helper] of Object.entries(faulty)) {
    for (const [i, name] of names.entries()) if ((await same(kernel, name, corpus(name), KEY_A, helper, what, i % 2 ? 4096 : undefined)) === 'PASS') passes++;
  }
  assert.ok(passes >= 20, `${passes} PASS cases`);
  assert.ok(keyRequests > 0, 'with small batches this thread hashed some tags itself');
});

test('seal helper: malformed requests are answered with nothing, and the helper keeps serving', async () => {
  const helperKernel = await loadKernel(readFileSync(kernelWasmUrl()));
  const { port1, port2 } = new MessageChannel();
  opened.push(port2);
  serveMacHelper(port2 as unknown as HelperPort, helperKernel, KEY_A, nodeHmac);
  const replies: unknown[] = [];
  port1.addEventListener('message', (e) => replies.push((e as MessageEvent).data));
  const bytes = () => new ArrayBuffer(64);
  const seed = (await import('../src/verify/key.js')).parseVerificationKey(KEY_A).seed;
  const bad = [
    { id: 0, kind: 'macs', epochs: new BigUint64Array([1n]), ends: new Uint32Array([64]), bytes: bytes() },
    { id: 1, kind: 'macs', seed, epochs: [1n], ends: new Uint32Array([64]), bytes: bytes() },
    { id: 2, kind: 'macs', seed, epochs: new BigUint64Array([1n, 2n]), ends: new Uint32Array([64]), bytes: bytes() },
    { id: 3, kind: 'macs', seed, epochs: new BigUint64Array([1n]), ends: new Uint32Array([65]), bytes: bytes() },
    { id: 4, kind: 'keys', seed: new Uint8Array(12), epochs: 'x' },
    { id: 5, kind: 'payloads', flags: new Uint8Array([4]), hashes: new BigUint64Array([0n]), ends: new Uint32Array([64]), bytes: bytes(), keyed: true, fileId: new Uint8Array(3) },
    { id: 6, kind: 'payloads', flags: new Uint8Array([4]), hashes: new BigUint64Array([0n]), ends: new Uint32Array([64]), bytes: bytes(), keyed: true, fileId: new Uint8Array(16) },
  ];
  for (const m of bad) port1.postMessage(m);
  port1.postMessage({ id: 7, kind: 'nonsense' });
  port1.postMessage(null);
  port1.postMessage({ id: 8, kind: 'keys', seed, epochs: new BigUint64Array([5n]) });
  port1.postMessage({ id: 9, kind: 'keys', seed: new Uint8Array(5), epochs: new BigUint64Array([5n]) });
  const deadline = Date.now() + 5000;
  while (replies.length < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  port1.close();
  const byId = new Map((replies as Array<{ id: number }>).map((r) => [r.id, r as Record<string, unknown>]));
  for (const id of [0, 1, 2, 3]) assert.equal(byId.get(id)?.digests, null, `request ${id}`);
  assert.equal(byId.get(9)?.keys, null, 'a seed of the wrong size');
  assert.equal(byId.get(4)?.keys, null);
  assert.equal(byId.get(5)?.ok, null);
  assert.equal(byId.get(6)?.ok, false, 'a payload that does not decompress is a mismatch');
  assert.ok(!byId.has(7), 'an unknown request is ignored');
  const keys = byId.get(8)?.keys as Uint8Array;
  assert.equal(keys?.length, 32, 'still serving after all that');
  const kernel = await kernelP;
  assert.deepEqual(keys, kernel.fsprg(seed).epochKey(5n));
});

test('seal helper digests are the tags\' own HMACs (OpenSSL, WebCrypto and kernel lanes; whole batches and this thread\'s share)', async () => {
  const kernel = await kernelP;
  const { parseVerificationKey } = await import('../src/verify/key.js');
  const { TagMacs } = await import('../src/verify/tag-macs.js');
  const seed = parseVerificationKey(KEY_A).seed;
  let digestCalls = 0;
  const helpers: Record<string, MacHelper> = {
    openssl: await localHelper(KEY_A),
    lanes: await localHelper(KEY_A, 'lanes'),
    webcrypto: await localHelper(KEY_A, { digest: (data) => (digestCalls++, webDigest(data)) }),
    'openssl, small batches': { ...(await localHelper(KEY_A)), batchBytes: 2048, batchBuffers: 2 },
    'lanes, small batches': { ...(await localHelper(KEY_A, 'lanes')), batchBytes: 2048, batchBuffers: 2 },
    'webcrypto, small batches': { ...(await localHelper(KEY_A, { digest: webDigest })), batchBytes: 2048, batchBuffers: 2 },
    // a platform SHA-256 that fails at its third call: that batch and the rest by the kernel's lanes
    'webcrypto failing': await localHelper(KEY_A, { digest: failingAfter(2, webDigest) }),
  };
  for (const [what, port] of Object.entries(helpers))
  for (const name of ['sealed.journal', 'sealed-noncompact.journal', 'sealed-many-epochs.journal', 'sealed-xz.journal']) {
    const bytes = corpus(name);
    const { arena, f, nTags } = await scannedArena(kernel, name, bytes);
    const macs = new TagMacs(arena, () => assert.fail('the verifying thread derives no key'), f.header.headerSize, nodeHmac, { port, seed });
    await macs.hashAccepted(1);
    await macs.settle(nTags);
    assertTagDigests(arena, bytes, nTags, macs, `${what} ${name}`);
  }
  assert.ok(digestCalls > 20, `WebCrypto hashed ${digestCalls} segments`);
});

test('the CLI starts a helper only for a big file with work for it (sealed with a key, or compressed)', async () => {
  const { mkdtempSync, writeFileSync, truncateSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { macHelperFor } = await import('../cli/mac-helper.js');
  const dir = mkdtempSync(join(tmpdir(), 'sealcheck-helper-'));
  try {
    const big = (name: string, size: number) => {
      const path = join(dir, `${name}-${size}`);
      writeFileSync(path, corpus(name).subarray(0, 4096));
      truncateSync(path, size); // only the header and the size are looked at
      return path;
    };
    const cases: Array<[string, string | undefined, boolean]> = [
      [big('sealed-nocompress.journal', 32 << 20), KEY_A, true],
      [big('sealed-nocompress.journal', 32 << 20), undefined, false], // sealed without a key, nothing compressed: no work
      [big('sealed.journal', 32 << 20), undefined, true], // ZSTD: the payloads
      [big('unsealed.journal', 64 << 20), undefined, true], // ZSTD
      [big('sealed.journal', (32 << 20) - 1), KEY_A, false], // too small to pay for a thread
      [join(dir, 'missing'), KEY_A, false],
      [dir, KEY_A, false],
    ];
    for (const [path, key, expected] of cases) {
      const h = macHelperFor(path, key);
      h?.close();
      assert.equal(h !== null, expected, `${path} key=${key ? 'A' : '-'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('batch buffers: at most `count` out, huge ones of their own, returned or counted lost', async () => {
  const { BatchBuffers } = await import('../src/verify/mac-helper.js');
  const pool = new BatchBuffers(1024, 2);
  const a = pool.take()!;
  const b = pool.take(1024)!;
  assert.ok(a && b && pool.owns(a) && pool.owns(b));
  assert.equal(pool.available, false);
  assert.equal(pool.take(), null, 'both are out');
  const huge = pool.take(4096)!;
  assert.equal(huge.length, 4096, 'a buffer of its own, whatever is out');
  assert.equal(pool.owns(huge), false);
  const extra = pool.take(0, true)!;
  assert.ok(extra && pool.owns(extra), 'one more when asked to go beyond');
  pool.give(a.buffer as ArrayBuffer); // came back
  assert.equal(pool.take()!.buffer, a.buffer, 'a returned buffer is reused');
  pool.give(null); // b lost in a reply: its place is free again
  pool.give(null); // the extra one, lost too
  assert.equal(pool.available, true);
  assert.ok(pool.take());
  assert.equal(pool.take(), null);
});

test('a helper’s batch buffers are kept for the next verification (buffer-store.ts); the reports do not change', async () => {
  const { TAG_BATCH_STORE } = await import('../src/verify/tag-macs.js');
  const kernel = await kernelP;
  const name = 'sealed-many-epochs.journal';
  const bytes = corpus(name);
  const expected = await verifyJournal({ name, bytes }, kernel, { key: KEY_A });
  assert.equal(expected.verdict, 'PASS');
  const helper = await localHelper(KEY_A, { digest: webDigest });
  const take = TAG_BATCH_STORE.take;
  let fromStore = 0;
  TAG_BATCH_STORE.take = function () {
    const b = take.call(this);
    if (b) fromStore++;
    return b;
  };
  try {
    for (let round = 0; round < 2; round++) {
      const r = await verifyJournal({ name, source: fed(bytes).source }, kernel, { key: KEY_A, macHelper: helper });
      assert.deepEqual(r, expected, `round ${round}`);
      assert.ok(TAG_BATCH_STORE.length >= 1, `round ${round}: the buffers went back to the store`);
    }
  } finally {
    TAG_BATCH_STORE.take = take;
  }
  assert.ok(fromStore >= 1, 'the second verification hashed in a kept buffer');
});
