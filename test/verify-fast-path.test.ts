// The wasm fast path (assembly/scan.ts + src/verify/regular.ts) against the exact verifier
// (structure.ts): on every fixture, every key case and thousands of mutants, the report with the fast
// path equals the report without it, field for field — with the default window and with windows of
// a few KiB, which move on (and grow) many times per file. The fast path must also actually be taken
// on regular files (else these comparisons would prove nothing), whatever the window, and must
// decline every file the exact verifier finds fault with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { openJournal, verifyJournal } from '../src/verify/index.js';
import { verifyRegular } from '../src/verify/regular.js';
import { HEAD_BYTES, WINDOW_BYTES, WindowReader, bytesSource, scanTables } from '../src/verify/window.js';
import { utcTime } from '../src/verify/text.js';
import { parseVerificationKey } from '../src/verify/key.js';
import type { SystemdVersion, VerifyReport } from '../src/verify/report.js';
import { Header, DataObject, EntryObject, EntryArrayObject, TagObject, FieldObject, ObjectType } from '../src/journal/format.js';
import type { Kernel } from '../src/kernel/kernel.js';
import { FIXTURES, corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';

const kernelP = loadNodeKernel();
const manifest = JSON.parse(readFileSync(`${FIXTURES}/corpus/manifest.json`, 'utf8')) as {
  key_cases: Array<{ file: string; verify_key: string }>;
};
const KEY_A = readFileSync(`${FIXTURES}/corpus/keys/A.key`, 'utf8').trim();

async function both(kernel: Kernel, name: string, bytes: Uint8Array, key: string | undefined, version: SystemdVersion, windowBytes?: number): Promise<[VerifyReport, VerifyReport]> {
  const fast = await verifyJournal({ name, bytes }, kernel, { key, version, windowBytes });
  const exact = await verifyJournal({ name, bytes }, kernel, { key, version, fastPath: false });
  return [fast, exact];
}

/** verifyRegular on its own, the file streamed through a window of `windowBytes`: the run, or null when it declined the file. */
async function regularRun(kernel: Kernel, bytes: Uint8Array, key: string | undefined, version: SystemdVersion, windowBytes = WINDOW_BYTES) {
  const f = openJournal('f', bytes, version);
  if (typeof f === 'string') return null;
  const arena = await kernel.openArena(bytes.length);
  assert.ok(arena, 'an arena for a small file');
  const head = Math.min(bytes.length, HEAD_BYTES);
  arena.window.set(bytes.subarray(0, head));
  assert.ok(arena.prepareScan(scanTables(bytes, bytes.length)));
  const reader = new WindowReader(arena, bytesSource(bytes), head, windowBytes);
  const k = key ? parseVerificationKey(key) : null;
  const parsed = k ? { seed: k.seed, startUsec: BigInt(k.startUsec), intervalUsec: BigInt(k.intervalUsec) } : null;
  return verifyRegular(f, arena, reader, { version, kernel, key: parsed, sealChecks: true, localTime: utcTime });
}

/** Windows that move on many times in a fixture of 40–900 KiB (the smallest grows for most segments). */
const SMALL_WINDOWS = [1024, 4096, 24 << 10];

test('fast path: every corpus and testdata file, with and without keys, 252 and 254: same report as the exact verifier', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  const A1 = readFileSync(`${FIXTURES}/corpus/keys/A-1min.key`, 'utf8').trim();
  const keys = [...new Set([undefined, KEY_A, A1, ...manifest.key_cases.map((c) => c.verify_key)])];
  let compared = 0;
  for (const [name, bytes] of files) {
    for (const key of keys) {
      for (const version of [252, 254] as const) {
        const [fast, exact] = await both(kernel, name, bytes, key, version);
        assert.deepEqual(fast, exact, `${name} key=${key} v${version}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 200, `compared ${compared}`);
});

test('fast path, small windows: every corpus and testdata file, with and without keys: same report as the exact verifier', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  const A1 = readFileSync(`${FIXTURES}/corpus/keys/A-1min.key`, 'utf8').trim();
  let compared = 0;
  for (const [name, bytes] of files) {
    for (const key of [undefined, KEY_A, A1]) {
      for (const windowBytes of SMALL_WINDOWS) {
        const version = compared % 2 ? 252 : 254;
        const [fast, exact] = await both(kernel, name, bytes, key, version, windowBytes);
        assert.deepEqual(fast, exact, `${name} key=${key} v${version} window ${windowBytes}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 300, `compared ${compared}`);
});

test('fast path: taken on the regular fixtures (PASS ones), declined on every file with a failure, whatever the window', async () => {
  const kernel = await kernelP;
  let taken = 0;
  let runs = 0;
  for (const name of corpusNames()) {
    const bytes = corpus(name);
    for (const key of [undefined, KEY_A]) {
      for (const version of [252, 254] as const) {
        const exact = await verifyJournal({ name, bytes }, kernel, { key, version, fastPath: false });
        const windowBytes = [WINDOW_BYTES, ...SMALL_WINDOWS][runs++ % 4]!;
        const run = await regularRun(kernel, bytes, key, version, windowBytes);
        const structural = exact.verdict === 'PASS' || (exact.verdict === 'FAIL' && exact.structureOk === true && exact.failure?.check === 'no-key');
        if (exact.verdict === 'PASS') {
          assert.ok(run, `${name} key=${!!key} v${version}: PASS, but the fast path declined it`);
          taken++;
        } else if (!structural) {
          assert.equal(run, null, `${name} key=${!!key} v${version}: ${exact.verdict} (${exact.failure?.check}), but the fast path accepted it`);
        }
      }
    }
  }
  assert.ok(taken >= 20, `fast path taken ${taken} times`);
});

test('fast path: 3000 mutants of the corpus give the same report with and without it (seed fast-1)', async () => {
  const kernel = await kernelP;
  const sources = ['sealed.journal', 'sealed-noncompact.journal', 'sealed-nokeyed.journal', 'unsealed.journal', 'sealed-xz.journal', 'sealed-lz4.journal', 'sealed-tail.journal', 'sealed-many-epochs.journal'];
  const donors = sources.map((n) => corpus(n));
  const verdicts = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const src = sources[i % sources.length]!;
    const m = mutate(corpus(src), `fast-1-${i}`, { donors });
    const version: SystemdVersion = i % 2 === 0 ? 254 : 252;
    const key = i % 3 === 0 ? undefined : KEY_A;
    const windowBytes = i % 4 === 3 ? WINDOW_BYTES : SMALL_WINDOWS[i % 4]!;
    const [fast, exact] = await both(kernel, src, m.bytes, key, version, windowBytes);
    assert.deepEqual(fast, exact, `${src} mutant ${i} (${m.ops.join('; ')}) key=${!!key} v${version} window ${windowBytes}`);
    verdicts.set(fast.verdict, (verdicts.get(fast.verdict) ?? 0) + 1);
  }
  console.log(`# mutant verdicts: ${[...verdicts].map(([v, n]) => `${v} ${n}`).join(', ')}`);
  assert.ok((verdicts.get('PASS') ?? 0) > 0 && (verdicts.get('FAIL') ?? 0) > 0);
});

test('fast path: a changed byte in every part of a regular file is caught (payload hash, HMAC, links)', async () => {
  const kernel = await kernelP;
  const bytes = corpus('sealed.journal');
  // Walk the objects; flip one byte in the first object of each type at each interesting field.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hs = Number(dv.getBigUint64(Header.headerSize, true));
  const tail = Number(dv.getBigUint64(Header.tailObjectOffset, true));
  const seen = new Set<number>();
  const targets: Array<[string, number]> = [];
  for (let p = hs; ; ) {
    const type = bytes[p]!;
    const size = Number(dv.getBigUint64(p + 8, true));
    if (!seen.has(type)) {
      seen.add(type);
      const fields: Record<number, number[]> = {
        [ObjectType.DATA]: [DataObject.hash, DataObject.nextHashOffset, DataObject.entryOffset, DataObject.entryArrayOffset, DataObject.nEntries, size - 1],
        [ObjectType.FIELD]: [FieldObject.hash, size - 1],
        [ObjectType.ENTRY]: [EntryObject.seqnum, EntryObject.realtime, EntryObject.monotonic, EntryObject.ITEMS],
        [ObjectType.ENTRY_ARRAY]: [EntryArrayObject.ITEMS, EntryArrayObject.nextEntryArrayOffset],
        [ObjectType.TAG]: [TagObject.seqnum, TagObject.epoch, TagObject.tag],
        [ObjectType.DATA_HASH_TABLE]: [16, 24],
      };
      for (const off of fields[type] ?? []) targets.push([`type ${type} +${off}`, p + off]);
    }
    if (p === tail) break;
    p += Math.ceil(size / 8) * 8;
  }
  assert.ok(targets.length >= 15);
  for (const [what, at] of targets) {
    const b = bytes.slice();
    b[at] = b[at]! ^ 0x10;
    const [fast, exact] = await both(kernel, 'sealed.journal', b, KEY_A, 254);
    assert.deepEqual(fast, exact, what);
    assert.notEqual(fast.verdict, 'PASS', `${what}: PASS on a changed byte`);
  }
});

test('scan layout constants (assembly/layout.ts) equal the format ones (src/journal/format.ts)', () => {
  const text = readFileSync(new URL('../../assembly/layout.ts', import.meta.url), 'utf8');
  const v = (name: string): number => {
    const m = new RegExp(`export const ${name}: \\w+ = ([^;]+);`).exec(text);
    assert.ok(m, name);
    return Function(`return ${m[1]!.replace(/<\w+>/g, '')}`)() as number;
  };
  const pairs: Array<[string, number]> = [
    ['HEADER_INCOMPATIBLE_FLAGS', Header.incompatibleFlags], ['HEADER_FILE_ID', Header.fileId],
    ['HEADER_DATA_HASH_TABLE_OFFSET', Header.dataHashTableOffset], ['HEADER_DATA_HASH_TABLE_SIZE', Header.dataHashTableSize],
    ['HEADER_FIELD_HASH_TABLE_OFFSET', Header.fieldHashTableOffset], ['HEADER_FIELD_HASH_TABLE_SIZE', Header.fieldHashTableSize],
    ['HEADER_HEAD_ENTRY_SEQNUM', Header.headEntrySeqnum], ['HEADER_ENTRY_ARRAY_OFFSET', Header.entryArrayOffset], ['HEADER_N_ENTRIES', Header.nEntries],
    ['HEADER_HEAD_ENTRY_REALTIME', Header.headEntryRealtime],
    ['DATA_HASH', DataObject.hash], ['DATA_NEXT_HASH_OFFSET', DataObject.nextHashOffset], ['DATA_NEXT_FIELD_OFFSET', DataObject.nextFieldOffset],
    ['DATA_ENTRY_OFFSET', DataObject.entryOffset], ['DATA_ENTRY_ARRAY_OFFSET', DataObject.entryArrayOffset], ['DATA_N_ENTRIES', DataObject.nEntries],
    ['DATA_PAYLOAD_REGULAR', DataObject.PAYLOAD_REGULAR], ['DATA_PAYLOAD_COMPACT', DataObject.PAYLOAD_COMPACT],
    ['FIELD_HASH', FieldObject.hash], ['FIELD_NEXT_HASH_OFFSET', FieldObject.nextHashOffset], ['FIELD_HEAD_DATA_OFFSET', FieldObject.headDataOffset],
    ['FIELD_PAYLOAD', FieldObject.PAYLOAD], ['ENTRY_SEQNUM', EntryObject.seqnum], ['ENTRY_REALTIME', EntryObject.realtime],
    ['ENTRY_MONOTONIC', EntryObject.monotonic], ['ENTRY_BOOT_ID', EntryObject.bootId], ['ENTRY_ITEMS', EntryObject.ITEMS],
    ['ENTRY_ITEM_SIZE_REGULAR', EntryObject.ITEM_SIZE_REGULAR], ['ENTRY_ITEM_SIZE_COMPACT', EntryObject.ITEM_SIZE_COMPACT],
    ['ENTRY_ARRAY_NEXT', EntryArrayObject.nextEntryArrayOffset], ['ENTRY_ARRAY_ITEMS', EntryArrayObject.ITEMS],
    ['ENTRY_ARRAY_ITEM_SIZE_REGULAR', EntryArrayObject.ITEM_SIZE_REGULAR], ['ENTRY_ARRAY_ITEM_SIZE_COMPACT', EntryArrayObject.ITEM_SIZE_COMPACT],
    ['TAG_SEQNUM', TagObject.seqnum], ['TAG_EPOCH', TagObject.epoch], ['TAG_SIZE', TagObject.SIZE], ['TAG_TAG', TagObject.tag],
    ['TYPE_DATA', ObjectType.DATA], ['TYPE_ENTRY', ObjectType.ENTRY], ['TYPE_ENTRY_ARRAY', ObjectType.ENTRY_ARRAY], ['TYPE_TAG', ObjectType.TAG],
  ];
  for (const [name, want] of pairs) assert.equal(v(name), want, name);
});
