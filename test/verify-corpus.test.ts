// Every corpus case (../shared/corpus, copied to test/fixtures/corpus) with and without its key and every
// key case: exact stderr lines and exit code of journalctl 254 (default) and 252 (version: 252). Then
// every captured journalctl 252 run of the spec testdata (test/fixtures/testdata, .xz), with version 252:
// same exit code and identical lines; and for the files whose verdict changed after 252, the newer one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { verifyJournal } from '../src/verify/index.js';
import type { SystemdVersion, VerifyReport } from '../src/verify/report.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url);
const read = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, fixtures)));

interface Expected {
  verify_key: string | null;
  exit_code: number;
  stdout: string[];
  stderr: string[];
}
interface Manifest {
  files: Array<{ name: string; expected?: Record<string, Expected>; expected_journalctl_254?: Record<string, Expected> }>;
  key_cases: Array<{ id: string; file: string; expected: Expected; expected_journalctl_254: Expected }>;
}

/** What the CLI prints for a single --file run: the report's lines; exit 0 only on PASS. */
function asJournalctl(r: VerifyReport): { lines: string[]; exit: number } {
  return { lines: r.lines, exit: r.verdict === 'PASS' ? 0 : 1 };
}

const manifest = JSON.parse(readFileSync(new URL('corpus/manifest.json', fixtures), 'utf8')) as Manifest;
const kernelP = loadNodeKernel();

function corpusCases(field: 'expected' | 'expected_journalctl_254'): Array<[string, string, Expected]> {
  const out: Array<[string, string, Expected]> = [];
  for (const f of manifest.files) {
    for (const mode of ['with_key', 'without_key']) {
      const e = f[field]?.[mode];
      if (e) out.push([`${f.name} [${mode}]`, f.name, e]);
    }
  }
  for (const c of manifest.key_cases) out.push([`${c.file} [${c.id}]`, c.file, c[field]]);
  return out;
}

for (const [version, field] of [
  [254, 'expected_journalctl_254'],
  [252, 'expected'],
] as const) {
  test(`corpus: journalctl ${version} lines and exit codes`, async (t) => {
    const kernel = await kernelP;
    const cases = corpusCases(field);
    assert.equal(cases.length, 44);
    for (const [label, name, exp] of cases) {
      await t.test(label, async () => {
        const r = await verifyJournal({ name, bytes: read(`corpus/${name}`) }, kernel, {
          version: version as SystemdVersion,
          key: exp.verify_key ?? undefined,
        });
        assert.deepEqual(asJournalctl(r), { lines: exp.stderr, exit: exp.exit_code });
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------- testdata

interface TestdataCase {
  file: string;
  verify_key: string | null;
  argv: string[];
  exit_code: number;
  stderr: string;
}
const testdata = JSON.parse(readFileSync(new URL('testdata/expected-journalctl-252.json', fixtures), 'utf8')) as { cases: TestdataCase[] };

const xzCache = new Map<string, Uint8Array>();
function readXz(name: string): Uint8Array | null {
  const path = fileURLToPath(new URL(`testdata/${name}.xz`, fixtures));
  if (!existsSync(path)) return null;
  let b = xzCache.get(name);
  if (!b) {
    b = new Uint8Array(execFileSync('xz', ['-dc', path], { maxBuffer: 64 << 20 }));
    xzCache.set(name, b);
  }
  return b;
}

/** Files whose verdict changed after 252 (spec §2.9): what 254 decides instead. */
const NEWER: Record<string, { exit: number; first?: string }> = {
  // TAIL_ENTRY_BOOT_ID is a supported compatible flag from 254 on.
  'compat_tailboot.journal': { exit: 0, first: 'PASS: compat_tailboot.journal' },
  // 254 refuses object types ≥ 8 in journal_file_move_to_object.
  'x_obj_type9.journal': { exit: 1 },
  // 254.x refuses entries with an all-zero boot ID.
  'x_entry_bootnull.journal': { exit: 1 },
};

test('testdata: journalctl 252 runs (version 252), identical lines and exit code', async (t) => {
  const kernel = await kernelP;
  let ran = 0;
  for (const c of testdata.cases) {
    if (!c.file.endsWith('.journal')) continue; // the directory case (-D) is journalctl-only
    const bytes = readXz(c.file);
    await t.test(`${c.file} key=${c.verify_key ?? '-'}`, { skip: bytes ? false : `${c.file}.xz is not in the fixtures` }, async () => {
      const r = await verifyJournal({ name: c.file, bytes: bytes! }, kernel, { version: 252, key: c.verify_key ?? undefined });
      const expLines = c.stderr.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
      assert.deepEqual(asJournalctl(r), { lines: expLines, exit: c.exit_code });
      ran++;
    });
  }
  assert.ok(ran >= 20, `only ${ran} testdata cases ran`);
});

test('testdata: the verdicts that changed after 252 follow 254', async (t) => {
  const kernel = await kernelP;
  for (const [file, exp] of Object.entries(NEWER)) {
    const bytes = readXz(file);
    await t.test(file, { skip: bytes ? false : `${file}.xz is not in the fixtures` }, async () => {
      const r = await verifyJournal({ name: file, bytes: bytes! }, kernel, { version: 254 });
      const j = asJournalctl(r);
      assert.equal(j.exit, exp.exit, j.lines.join('\n'));
      if (exp.first) assert.equal(j.lines[0], exp.first);
    });
  }
});

// ---------------------------------------------------------------------------------------------- report extras

test('report: every bad seal is listed, verdict unchanged', async () => {
  const kernel = await kernelP;
  const key = manifest.files.find((f) => f.name === 't-tag-bytes.journal')!.expected_journalctl_254!.with_key!.verify_key!;
  const r = await verifyJournal({ name: 't-tag-bytes.journal', bytes: read('corpus/t-tag-bytes.journal') }, kernel, { key });
  assert.equal(r.verdict, 'FAIL');
  assert.equal(r.lines[0], '00edb0: Tag failed verification');
  assert.equal(r.structureOk, true);
  assert.deepEqual(r.failedSegments.map((s) => s.tagOffset), [60848]);
  assert.equal(r.segments.length, 20);
  assert.ok(r.segments.filter((s) => s.tagOffset !== 60848).every((s) => s.ok === true));
  const bad = r.failedSegments[0]!;
  assert.ok(bad.entries && bad.entries.count > 0 && bad.entries.firstSeqnum <= bad.entries.lastSeqnum);
});

test('report: sealed file without key still reports structureOk', async () => {
  const kernel = await kernelP;
  const good = await verifyJournal({ name: 'sealed.journal', bytes: read('corpus/sealed.journal') }, kernel, {});
  assert.equal(good.verdict, 'FAIL');
  assert.equal(good.structureOk, true);
  assert.equal(good.nTags, 20);
  const bad = await verifyJournal({ name: 't-msg-sealed.journal', bytes: read('corpus/t-msg-sealed.journal') }, kernel, {});
  assert.equal(bad.structureOk, false);
});

// ---------------------------------------------------------------------------------------------- CLI

const bin = fileURLToPath(new URL('../../bin/sealcheck.js', import.meta.url));
const corpusDir = fileURLToPath(new URL('corpus/', fixtures));
const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: corpusDir, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, encoding: 'utf8' });

test('CLI: journalctl spellings, abort on unopenable files, --json', () => {
  const key = manifest.files.find((f) => f.name === 'sealed.journal')!.expected_journalctl_254!.with_key!.verify_key!;
  let p = run(['--file', 'sealed.journal', '--verify', '--verify-key', key]);
  assert.equal(p.status, 0);
  assert.equal(p.stdout, '');
  assert.match(p.stderr, /^PASS: sealed\.journal\n=> Validated from /);

  p = run(['-q', '--file=sealed.journal', '--verify', `--verify-key=${key}`]);
  assert.equal(p.status, 0);
  assert.equal(p.stderr, '');

  // One unopenable file: nothing is verified.
  p = run(['--file=unsealed.journal', '--file=t-truncate-mid.journal', '--verify']);
  assert.equal(p.status, 1);
  assert.equal(p.stderr, 'Failed to open files: No data available\n');
  p = run(['--file=unsealed.journal', '--file=missing.journal', '--verify']);
  assert.equal(p.stderr, 'Failed to open files: No such file or directory\n');

  // A bad key stops the run after the first file.
  p = run(['--file=unsealed.journal', '--file=sealed.journal', '--verify', '--verify-key=zz']);
  assert.equal(p.status, 1);
  assert.equal(p.stderr, 'Failed to parse seed.\n');

  // --json: one object per file, unopenable files included, the others still verified.
  p = run(['verify', '--json', 'unsealed.journal', 't-truncate-mid.journal', 'sealed.journal']);
  assert.equal(p.status, 1);
  const reports = p.stdout.trim().split('\n').map((l) => JSON.parse(l) as VerifyReport);
  assert.deepEqual(reports.map((r) => r.verdict), ['PASS', 'OPEN_FAILED', 'FAIL']);
  assert.equal(reports[2]!.structureOk, true);

  // Several files go to worker threads, their reports back with the segments packed: the same
  // reports as a file verified alone on the main thread (segments, failed ones, entries, ok).
  const names = ['sealed-many-epochs.journal', 't-tag-bytes.journal', 'sealed.journal'];
  p = run(['verify', '--json', `--verify-key=${key}`, ...names]);
  const many = p.stdout.trim().split('\n');
  assert.equal(many.length, names.length);
  names.forEach((name, i) => {
    const one = run(['verify', '--json', `--verify-key=${key}`, name]).stdout.trim();
    assert.deepEqual(JSON.parse(many[i]!), JSON.parse(one), name);
  });
  assert.ok((JSON.parse(many[1]!) as VerifyReport).failedSegments.length > 0, 'a failed segment went through');

  // 252 emulation: hex offset in the final line.
  p = run(['--systemd-version=252', '--file=t-tag-bytes.journal', '--verify', `--verify-key=${key}`]);
  assert.match(p.stderr, /File corruption detected at t-tag-bytes\.journal:00edb0 /);
});
