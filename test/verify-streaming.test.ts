// Verifying a file while it is still being read in (src/verify/arena-fill.ts): the CLI and the page
// hand verifyJournal an arena that fills front to back, and the fast path scans what has arrived,
// checking compressed payloads and hashing accepted tags (tag-macs.ts) whenever it has caught up.
// However the bytes arrive, the report must be the one for the whole file at once; a read that
// fails half-way must reject, never give a verdict on half a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { readJournal } from '../cli/read-journal.js';
import { ArenaLoader, HEAD_BYTES, scanTables } from '../src/verify/arena-fill.js';
import { verifyJournal } from '../src/verify/index.js';
import { TagMacs, type PlatformHmac } from '../src/verify/tag-macs.js';
import { parseVerificationKey } from '../src/verify/key.js';
import { SealState } from '../src/verify/seal.js';
import { Access } from '../src/verify/structure.js';
import { utcTime } from '../src/verify/text.js';
import type { Kernel } from '../src/kernel/kernel.js';
import type { SystemdVersion, VerifyReport } from '../src/verify/report.js';
import { FIXTURES, corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';
import { prng } from './helpers/random.js';
import { assertTagDigests, scannedArena } from './helpers/tag-digests.js';

const kernelP = loadNodeKernel();
const KEY_A = readFileSync(`${FIXTURES}/corpus/keys/A.key`, 'utf8').trim();
const A1 = readFileSync(`${FIXTURES}/corpus/keys/A-1min.key`, 'utf8').trim();

/** An arena filled asynchronously in random steps (some tiny, some past several objects); the loader may fail at `failAt`. */
async function streamed(kernel: Kernel, bytes: Uint8Array, seed: string, failAt?: number): Promise<{ arena: NonNullable<Awaited<ReturnType<Kernel['openArena']>>>; fill: ArenaLoader; done: Promise<void> }> {
  const head = bytes.subarray(0, Math.min(bytes.length, HEAD_BYTES));
  const arena = await kernel.openArena(bytes.length, scanTables(head, bytes.length));
  assert.ok(arena && arena.sized, 'a sized arena for a small file');
  const fill = new ArenaLoader(bytes.length);
  const next = prng([...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261));
  const done = (async () => {
    let at = 0;
    while (at < bytes.length) {
      await new Promise((r) => setImmediate(r));
      const step = next() < 0.3 ? 1 + Math.floor(next() * 64) : 1 + Math.floor(next() * 20000);
      const end = Math.min(bytes.length, at + step);
      if (failAt !== undefined && end > failAt) {
        fill.fail(new Error(`test read failure at ${failAt}`));
        return;
      }
      arena.bytes.set(bytes.subarray(at, end), at);
      at = end;
      fill.advance(at);
    }
  })();
  return { arena, fill, done };
}

async function compare(kernel: Kernel, name: string, bytes: Uint8Array, key: string | undefined, version: SystemdVersion, seed: string): Promise<VerifyReport> {
  const whole = await verifyJournal({ name, bytes }, kernel, { key, version });
  const { arena, fill, done } = await streamed(kernel, bytes, seed);
  const report = await verifyJournal({ name, arena, fill }, kernel, { key, version });
  await done;
  assert.deepEqual(report, whole, `${name} key=${key ? key.slice(0, 6) : '-'} v${version} (seed ${seed})`);
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

test('streamed: a read that fails half-way rejects with its error, at any point of the file', async () => {
  const kernel = await kernelP;
  const bytes = corpus('sealed.journal');
  for (const failAt of [HEAD_BYTES + 1, Math.floor(bytes.length / 2), bytes.length - 1]) {
    if (failAt >= bytes.length) continue;
    const { arena, fill, done } = await streamed(kernel, bytes, `fail-${failAt}`, failAt);
    await assert.rejects(verifyJournal({ name: 'sealed.journal', arena, fill }, kernel, { key: KEY_A }), /test read failure/);
    await done;
  }
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
    const input = await readJournal(path, kernel);
    assert.ok(!('error' in input));
    const report = await verifyJournal(input, kernel, { key: KEY_A });
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
        const { arena, fill, done } = await streamed(kernel, bytes, `hmac-${v}-${name}`);
        const r = await verifyJournal({ name, arena, fill }, kernel, { key, hmac });
        await done;
        assert.deepEqual(r, expected, `${name} ${v} streamed`);
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
      const input = await readJournal(path, kernel);
      assert.ok(!('error' in input));
      const report = await verifyJournal(input, kernel, { key: KEY_A });
      const whole = await verifyJournal({ name: path, bytes }, kernel, { key: KEY_A });
      assert.deepEqual(report, whole, `${size} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});
