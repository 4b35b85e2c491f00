// Verifying a file while it is still being read in (src/verify/window.ts): the CLI and the page hand
// verifyJournal a source, read into a window of the arena as the fast path scans it, checking
// compressed payloads and hashing accepted tags (tag-macs.ts) whenever it has caught up, and moving
// the window on behind them. However the bytes arrive, and whatever the window, the report must be
// the one for the whole file at once; a read that fails half-way must reject, never give a verdict
// on half a file. Like journalctl's pass 1, it reads nothing after the last object (the tail object).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { openJournalSource } from '../cli/read-journal.js';
import { HEAD_BYTES, WINDOW_BYTES, type FileSource } from '../src/verify/window.js';
import { verifyJournal } from '../src/verify/index.js';
import { TagMacs, type PlatformHmac } from '../src/verify/tag-macs.js';
import { parseVerificationKey } from '../src/verify/key.js';
import { SealState } from '../src/verify/seal.js';
import { Access } from '../src/verify/structure.js';
import { utcTime } from '../src/verify/text.js';
import type { JournalArena, Kernel } from '../src/kernel/kernel.js';
import type { SystemdVersion, VerifyReport } from '../src/verify/report.js';
import { Header, ObjectHeader, align64 } from '../src/journal/format.js';
import { FIXTURES, corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';
import { prng } from './helpers/random.js';
import { assertTagDigests, scannedArena } from './helpers/tag-digests.js';

const kernelP = loadNodeKernel();
const KEY_A = readFileSync(`${FIXTURES}/corpus/keys/A.key`, 'utf8').trim();
const A1 = readFileSync(`${FIXTURES}/corpus/keys/A-1min.key`, 'utf8').trim();

/**
 * The file as a source whose reads complete later, out of order (up to `parallel` at once, each
 * after a random number of macrotasks, some at once), through a window of a random size; a read
 * reaching `failAt` fails.
 */
function streamed(bytes: Uint8Array, seed: string, failAt?: number): { source: FileSource; windowBytes: number; reads: () => number } {
  const next = prng([...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261));
  const windowBytes = [1024, 3000, 8192, 65536, WINDOW_BYTES][Math.floor(next() * 5)]!;
  let reads = 0;
  const source: FileSource = {
    size: bytes.length,
    parallel: 1 + Math.floor(next() * 4),
    read(at, into, done) {
      reads++;
      const finish = () => {
        if (failAt !== undefined && at + into.length > failAt) return done(new Error(`test read failure at ${failAt}`));
        into.set(bytes.subarray(at, at + into.length));
        done();
      };
      const turns = next() < 0.2 ? 0 : 1 + Math.floor(next() * 3);
      if (turns === 0) return finish();
      let left = turns;
      const tick = () => (--left === 0 ? finish() : setImmediate(tick));
      setImmediate(tick);
    },
    whole: async () => bytes,
  };
  return { source, windowBytes, reads: () => reads };
}

/** Where the file's last object (its header's tail object) ends. */
function tailEnd(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tail = Number(v.getBigUint64(Header.tailObjectOffset, true));
  return tail + align64(Number(v.getBigUint64(tail + ObjectHeader.size, true)));
}

async function compare(kernel: Kernel, name: string, bytes: Uint8Array, key: string | undefined, version: SystemdVersion, seed: string): Promise<VerifyReport> {
  const whole = await verifyJournal({ name, bytes }, kernel, { key, version });
  const { source, windowBytes } = streamed(bytes, seed);
  const report = await verifyJournal({ name, source }, kernel, { key, version, windowBytes });
  assert.deepEqual(report, whole, `${name} key=${key ? key.slice(0, 6) : '-'} v${version} window ${windowBytes} (seed ${seed})`);
  return report;
}

test('streamed: every corpus and testdata file, with and without keys, gives the report of the whole file', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  let n = 0;
  const verdicts = new Set<string>();
  for (const [name, bytes] of files) {
    for (const key of [undefined, KEY_A, A1]) {
      const r = await compare(kernel, name, bytes, key, n % 2 ? 252 : 254, `stream-${n}`);
      verdicts.add(r.verdict);
      n++;
    }
  }
  assert.ok(n > 100, `compared ${n}`);
  assert.ok(verdicts.has('PASS') && verdicts.has('FAIL'), [...verdicts].join(','));
});

test('streamed: 400 mutants give the report of the whole mutant (seed stream-m)', async () => {
  const kernel = await kernelP;
  const sources = ['sealed.journal', 'sealed-nokeyed.journal', 'sealed-xz.journal', 'sealed-lz4.journal', 'sealed-tail.journal', 'sealed-many-epochs.journal', 'unsealed.journal'];
  const donors = sources.map((s) => corpus(s));
  for (let i = 0; i < 400; i++) {
    const src = sources[i % sources.length]!;
    const m = mutate(corpus(src), `stream-m-${i}`, { donors });
    await compare(kernel, `${src} mutant ${i} (${m.ops.join('; ')})`, m.bytes, i % 4 === 0 ? undefined : KEY_A, 254, `stream-m-${i}`);
  }
});

test('streamed: a read that fails half-way rejects with its error, at any point of the file up to its last object', async () => {
  const kernel = await kernelP;
  const bytes = corpus('sealed.journal');
  const end = tailEnd(bytes);
  assert.ok(end > HEAD_BYTES + 1 && end < bytes.length, `sealed.journal: last object ends at ${end} of ${bytes.length}`);
  for (const failAt of [HEAD_BYTES + 1, Math.floor(end / 2), end - 1]) {
    for (const seed of ['a', 'b', 'c']) {
      const { source, windowBytes } = streamed(bytes, `fail-${failAt}-${seed}`, failAt);
      await assert.rejects(verifyJournal({ name: 'sealed.journal', source }, kernel, { key: KEY_A, windowBytes }), /test read failure/);
    }
  }
  // what follows the last object (journald's preallocated zeros) is never read, as journalctl never
  // reads it: a read failing there changes nothing
  const whole = await verifyJournal({ name: 'sealed.journal', bytes }, kernel, { key: KEY_A });
  assert.equal(whole.verdict, 'PASS');
  for (const seed of ['a', 'b', 'c']) {
    const { source, windowBytes } = streamed(bytes, `fail-after-${seed}`, end);
    assert.deepEqual(await verifyJournal({ name: 'sealed.journal', source }, kernel, { key: KEY_A, windowBytes }), whole);
  }
});

test('streamed: a big file is never in memory at once (the window moves on, and is read only once)', async () => {
  const kernel = await kernelP;
  // sealed-many-epochs: 512 KiB, its objects in the first ~123 KiB, a tag every few KiB; a window of
  // 16 KiB (reads of 2 KiB) moves on several times
  const bytes = corpus('sealed-many-epochs.journal');
  const end = tailEnd(bytes);
  const { source, reads } = streamed(bytes, 'once');
  let lastEnd = 0;
  let overlap = false;
  const counting: FileSource = {
    ...source,
    read(at, into, done) {
      if (at < lastEnd) overlap = true;
      lastEnd = at + into.length;
      source.read(at, into, done);
    },
    whole: () => assert.fail('the fast path took it: the whole file is never needed'),
  };
  // the arena the verifier opens, to see where its window ended up
  let arena: JournalArena | null = null;
  const spy: Kernel = Object.create(kernel);
  spy.openArena = async (size, tables) => (arena = await kernel.openArena(size, tables));
  const report = await verifyJournal({ name: 'sealed-many-epochs.journal', source: counting }, spy, { key: KEY_A, windowBytes: 16 << 10 });
  assert.equal(report.verdict, 'PASS');
  assert.equal(overlap, false, 'every byte read once, in order');
  assert.equal(lastEnd, end, 'read up to the end of the last object, and no further');
  assert.ok(end < bytes.length);
  assert.ok(reads() > (end - HEAD_BYTES) / (4 << 10), `${reads()} reads`);
  assert.ok(arena, 'an arena');
  assert.ok((arena as JournalArena).base > end - (32 << 10), `the window moved on to ${(arena as JournalArena).base} of ${end}`);
});

test('tag MACs (kernel, OpenSSL, asynchronous): the digest of every tag of a sealed file, as the tag stores it', async () => {
  const kernel = await kernelP;
  const { nodeHmac } = await import('../cli/node-hmac.js');
  const hmacs: Array<PlatformHmac | undefined> = [undefined, nodeHmac, async (k, m) => nodeHmac(k, m)];
  for (const hmac of hmacs)
  for (const name of ['sealed.journal', 'sealed-noncompact.journal', 'sealed-many-epochs.journal', 'sealed-xz.journal']) {
    const bytes = corpus(name);
    const { arena, f, nTags } = await scannedArena(kernel, name, bytes);
    const k = parseVerificationKey(KEY_A);
    const seal = new SealState(f, new Access(f, 254), { version: 254, kernel, key: { seed: k.seed, startUsec: BigInt(k.startUsec), intervalUsec: BigInt(k.intervalUsec) }, localTime: utcTime });
    const early = new TagMacs(arena, (e) => seal.epochKey(e), f.header.headerSize, hmac);
    await early.hashAccepted(1);
    await early.hashAccepted(nTags);
    await early.settle();
    assertTagDigests(arena, bytes, nTags, early, name);
  }
});

test('CLI reader: a file read in by the thread pool while it is verified gives the whole-file report', async () => {
  const kernel = await kernelP;
  for (const name of ['sealed.journal', 'sealed-tail.journal', 'unsealed.journal']) {
    const path = `${FIXTURES}/corpus/${name}`;
    const input = openJournalSource(path);
    assert.ok(!('error' in input));
    const report = await verifyJournal(input, kernel, { key: KEY_A, windowBytes: 8192 });
    input.source.close();
    const whole = await verifyJournal({ name: path, bytes: new Uint8Array(readFileSync(path)) }, kernel, { key: KEY_A });
    assert.deepEqual(report, whole, name);
  }
});

test('platform HMAC (CLI: OpenSSL): same reports; a lying or failing one changes nothing', async () => {
  const kernel = await kernelP;
  const { nodeHmac } = await import('../cli/node-hmac.js');
  const flip = (d: Uint8Array) => {
    const x = Uint8Array.from(d);
    x[5] = x[5]! ^ 1;
    return x;
  };
  const variants: Record<string, PlatformHmac> = {
    sync: nodeHmac,
    async: (k, m) => {
      const d = nodeHmac(k, m);
      return new Promise((r) => setImmediate(() => r(d)));
    },
    lying: (k, m) => flip(nodeHmac(k, m) as Uint8Array),
    failing: () => Promise.reject(new Error('no HMAC today')),
    short: () => new Uint8Array(8),
  };
  const names = ['sealed.journal', 'sealed-noncompact.journal', 'sealed-many-epochs.journal', 'sealed-tail.journal', 'sealed-xz.journal', ...corpusNames().filter((n) => n.startsWith('t-')).slice(0, 12)];
  const donors = names.slice(0, 4).map((n) => corpus(n));
  const inputs: Array<[string, Uint8Array]> = names.map((n) => [n, corpus(n)]);
  for (let i = 0; i < 60; i++) {
    const src = names[i % 4]!;
    const m = mutate(corpus(src), `hmac-m-${i}`, { donors });
    inputs.push([`${src} mutant ${i} (${m.ops.join('; ')})`, m.bytes]);
  }
  let passes = 0;
  for (const [name, bytes] of inputs) {
    for (const key of [KEY_A, A1]) {
      const expected = await verifyJournal({ name, bytes }, kernel, { key });
      if (expected.verdict === 'PASS') passes++;
      for (const [v, hmac] of Object.entries(variants)) {
        const whole = await verifyJournal({ name, bytes }, kernel, { key, hmac });
        assert.deepEqual(whole, expected, `${name} ${v}`);
        const { source, windowBytes } = streamed(bytes, `hmac-${v}-${name}`);
        const r = await verifyJournal({ name, source }, kernel, { key, hmac, windowBytes });
        assert.deepEqual(r, expected, `${name} ${v} streamed, window ${windowBytes}`);
      }
    }
  }
  assert.ok(passes >= 10, `${passes} PASS cases`);
});

test('CLI reader: empty and tiny files give the whole-file report', async () => {
  const kernel = await kernelP;
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sealcheck-read-'));
  try {
    for (const size of [0, 1, 100, 300]) {
      const bytes = corpus('sealed.journal').slice(0, size);
      const path = join(dir, `f${size}`);
      writeFileSync(path, bytes);
      const input = openJournalSource(path);
      assert.ok(!('error' in input));
      const report = await verifyJournal(input, kernel, { key: KEY_A });
      input.source.close();
      const whole = await verifyJournal({ name: path, bytes }, kernel, { key: KEY_A });
      assert.deepEqual(report, whole, `${size} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
