/**
 * Export/JSON/cursor against golden outputs captured from journalctl 252 (test/fixtures/export-252/,
 * so this runs without systemd), the 254 variant, the UTF-8 and field-name rules, the merge order and
 * the CLI's per-file errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalFile } from '../src/journal/file.js';
import { JournalReader } from '../src/journal/reader.js';
import { cursorOf, exportBytes, exportReaders, fieldNameValid, isPrintableUtf8, jsonEntry } from '../src/journal/export.js';
import { compareEntries } from '../src/journal/merge.js';
import { exportCommand } from '../cli/export.js';
import { CORPUS, FIXTURES, corpus, testdata } from './journal-fixtures.js';

const GOLDEN = join(FIXTURES, 'export-252');
const golden = (n: string) => new Uint8Array(readFileSync(join(GOLDEN, n)));
const sortKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const parseLines = (b: Uint8Array) => Buffer.from(b).toString('utf8').split('\n').filter(Boolean).map((l) => sortKeys(JSON.parse(l)));

async function source(name: string): Promise<Uint8Array> {
  return name.startsWith('sealed1') || name.startsWith('sealed2') ? testdata(`${name}.journal`) : corpus(`${name}.journal`);
}

for (const name of ['sealed-xz', 'sealed-lz4', 'sealed-noncompact', 'unsealed', 'sealed1', 'sealed2']) {
  test(`${name}: -o export byte-identical and -o json same objects as journalctl 252`, async () => {
    const bytes = await source(name);
    const exp = await exportBytes([{ bytes, name }], { version: 252 });
    assert.ok(Buffer.from(exp).equals(Buffer.from(golden(`${name}.export`))), 'export bytes differ');
    const json = await exportBytes([{ bytes, name }], { version: 252, format: 'json' });
    assert.deepEqual(parseLines(json), parseLines(golden(`${name}.json`)));
  });
}

test('several files: journalctl\'s interleaving (sealed + unsealed)', async () => {
  const out = await exportBytes([{ bytes: corpus('sealed.journal'), name: 'a' }, { bytes: corpus('unsealed.journal'), name: 'b' }], { version: 252 });
  assert.ok(Buffer.from(out).equals(Buffer.from(golden('merged-sealed+unsealed.export'))));
});

test('version 254 adds __SEQNUM and __SEQNUM_ID (export and json)', async () => {
  const bytes = corpus('sealed-xz.journal');
  const f = JournalFile.open(bytes, 'x');
  const text = Buffer.from(await exportBytes([{ bytes, name: 'x' }], { version: 254 })).toString('latin1');
  const first = text.split('\n').slice(0, 6);
  assert.match(first[0]!, /^__CURSOR=s=[0-9a-f]{32};i=1;b=[0-9a-f]{32};m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+$/);
  assert.match(first[1]!, /^__REALTIME_TIMESTAMP=\d+$/);
  assert.match(first[2]!, /^__MONOTONIC_TIMESTAMP=\d+$/);
  assert.equal(first[3], '__SEQNUM=1');
  assert.match(first[4]!, /^__SEQNUM_ID=[0-9a-f]{32}$/);
  assert.match(first[5]!, /^_BOOT_ID=[0-9a-f]{32}$/);
  const r = new JournalReader(f);
  const e = r.entries().next().value!;
  const o = await jsonEntry(r, e, 254);
  assert.equal(o['__SEQNUM'], '1');
  assert.equal(o['__CURSOR'], cursorOf(f, e));
  assert.equal(Object.keys(await jsonEntry(r, e, 252)).includes('__SEQNUM'), false);
});

test('cursor format (spec §9.1)', () => {
  const f = JournalFile.open(corpus('sealed.journal'), 's');
  const e = new JournalReader(f).entries().next().value!;
  const c = cursorOf(f, e);
  const m = /^s=([0-9a-f]{32});i=([0-9a-f]+);b=([0-9a-f]{32});m=([0-9a-f]+);t=([0-9a-f]+);x=([0-9a-f]+)$/.exec(c);
  assert.ok(m, c);
  assert.equal(BigInt('0x' + m[2]), e.seqnum);
  assert.equal(BigInt('0x' + m[5]), e.realtime);
  assert.equal(BigInt('0x' + m[6]), e.xorHash);
});

test('JSON: repeated fields are arrays, binary values are byte arrays, long values null', async () => {
  const bytes = await testdata('sealed2.journal');
  const lines = parseLines(await exportBytes([{ bytes, name: 's2' }], { version: 252, format: 'json' }));
  assert.ok(lines.some((o) => Array.isArray(o['MULTI']) && (o['MULTI'] as unknown[]).every((v) => typeof v === 'string')));
  const s1 = parseLines(await exportBytes([{ bytes: await testdata('sealed1.journal'), name: 's1' }], { version: 252, format: 'json' }));
  assert.ok(s1.some((o) => Object.values(o).some((v) => Array.isArray(v) && typeof v[0] === 'number')), 'a byte array');
});

test('utf8_is_printable_newline and journal_field_valid', () => {
  const u = (s: string | number[], nl = false) => isPrintableUtf8(typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s), nl);
  assert.equal(u('MESSAGE=héllo wörld ✓ 😀'), true);
  assert.equal(u('A=tab\there'), true);
  assert.equal(u('A=line\nbreak'), false);
  assert.equal(u('A=line\nbreak', true), true);
  assert.equal(u([0x41, 0x3d, 0x00]), false); // NUL
  assert.equal(u([0x41, 0x3d, 0x7f]), false); // DEL
  assert.equal(u([0x41, 0x3d, 0xc2, 0x85]), false); // C1 (NEL)
  assert.equal(u([0x41, 0x3d, 0xc0, 0x80]), false); // overlong
  assert.equal(u([0x41, 0x3d, 0xed, 0xa0, 0x80]), false); // surrogate
  assert.equal(u([0x41, 0x3d, 0xef, 0xbf, 0xbf]), false); // U+FFFF non-character
  assert.equal(u([0x41, 0x3d, 0xef, 0xb7, 0x90]), false); // U+FDD0 non-character
  assert.equal(u([0x41, 0x3d, 0xe2, 0x82]), false); // truncated
  assert.equal(u([0x41, 0x3d, 0xff]), false);
  const v = (s: string) => fieldNameValid(new TextEncoder().encode(s), 0, s.length);
  assert.equal(v('MESSAGE'), true);
  assert.equal(v('_BOOT_ID'), true);
  assert.equal(v('__CURSOR'), true);
  assert.equal(v('1ABC'), false);
  assert.equal(v('message'), false);
  assert.equal(v(''), false);
  assert.equal(v('A'.repeat(64)), true);
  assert.equal(v('A'.repeat(65)), false);
});

test('compare_locations: seqnum within a seqnum source, monotonic within a boot, else realtime, then xor_hash', () => {
  const f = JournalFile.open(corpus('sealed.journal'), 'a');
  const g = JournalFile.open(corpus('unsealed.journal'), 'b');
  const boot = (n: number) => new Uint8Array(16).fill(n);
  const e = (seqnum: bigint, bootId: Uint8Array, monotonic: bigint, realtime: bigint, xorHash = 0n) =>
    ({ offset: 0, index: 0, seqnum, bootId, monotonic, realtime, xorHash, object: { offset: 0, type: 3, flags: 0, size: 64 } });
  assert.equal(compareEntries(f, e(1n, boot(1), 50n, 900n), f, e(2n, boot(1), 10n, 100n)), -1); // same file: seqnum wins
  assert.equal(compareEntries(f, e(9n, boot(1), 5n, 900n), g, e(1n, boot(1), 10n, 100n)), -1); // same boot: monotonic
  assert.equal(compareEntries(f, e(9n, boot(1), 50n, 100n), g, e(1n, boot(2), 10n, 200n)), -1); // else realtime
  assert.equal(compareEntries(f, e(9n, boot(1), 50n, 100n, 5n), g, e(1n, boot(2), 10n, 100n, 3n)), 1); // then xor_hash
});

test('CLI: per-file errors name file and offset, other files still exported, exit 1', async () => {
  const out: Uint8Array[] = [];
  let err = '';
  const io = { stdout: (b: Uint8Array | string) => void out.push(typeof b === 'string' ? Buffer.from(b) : b), stderr: (s: string) => void (err += s) };
  const missing = join(CORPUS, 'does-not-exist.journal');
  const code = await exportCommand(['--systemd-version=252', join(CORPUS, 't-truncate-mid.journal'), missing, join(CORPUS, 'sealed-lz4.journal')], io);
  assert.equal(code, 1);
  assert.match(err, /^sealcheck: .*t-truncate-mid\.journal: offset 96: /m);
  assert.match(err, /does-not-exist\.journal/);
  assert.ok(Buffer.concat(out).equals(Buffer.from(golden('sealed-lz4.export'))));
  // journalctl's spelling and json.
  out.length = 0;
  err = '';
  assert.equal(await exportCommand([`--file=${join(CORPUS, 'sealed-xz.journal')}`, '-o', 'json', '--systemd-version=252'], io), 0);
  assert.deepEqual(parseLines(Buffer.concat(out)), parseLines(golden('sealed-xz.json')));
  assert.equal(err, '');
  // Usage errors.
  assert.equal(await exportCommand(['-o', 'short', 'x'], io), 1);
  assert.equal(await exportCommand([], io), 1);
});

test('streaming: output arrives in chunks and equals the whole', async () => {
  const r = new JournalReader(JournalFile.open(corpus('sealed-many-epochs.journal'), 'm'));
  const parts: Uint8Array[] = [];
  for await (const c of exportReaders([r], { version: 252, chunkSize: 4096 })) parts.push(c);
  assert.ok(parts.length > 3);
  const whole = await exportBytes([{ bytes: corpus('sealed-many-epochs.journal'), name: 'm' }], { version: 252 });
  assert.ok(Buffer.concat(parts).equals(Buffer.from(whole)));
});
