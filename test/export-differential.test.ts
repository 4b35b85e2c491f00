/**
 * Differential: `sealcheck export` against the local `journalctl --file=F -o export|json` on every
 * fixture journalctl can read, on several files at once, and on fresh files written by
 * systemd-journal-remote from random entries (binary values, values > 512 bytes that get compressed,
 * values ≥ 4096 bytes that JSON shows as null, unicode, repeated fields, several boots) with compact
 * on/off, keyed hash on/off, compression on/off. Skips, saying so, where journalctl or
 * systemd-journal-remote is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalError } from '../src/errors.js';
import { ExportAbort, exportReaders, type JournalctlVersion } from '../src/journal/export.js';
import { JournalFile } from '../src/journal/file.js';
import { JournalReader } from '../src/journal/reader.js';
import { corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { prng } from './helpers/random.js';

const JOURNAL_REMOTE = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find((p) => existsSync(p));

function journalctlVersion(): number | undefined {
  const r = spawnSync('journalctl', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const m = /systemd (\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}
const JV = journalctlVersion();
/** The journalctl output we must reproduce: 252's for < 254, else 254's. */
const VERSION: JournalctlVersion = JV !== undefined && JV >= 254 ? 254 : 252;
const NO_JOURNALCTL = JV === undefined ? 'journalctl not installed: differential tests skipped' : false;

const sortKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const parseLines = (b: Uint8Array | string) => Buffer.from(b).toString('utf8').split('\n').filter(Boolean).map((l) => sortKeys(JSON.parse(l)));

let work: string | undefined;
function workdir(): string {
  work ??= mkdtempSync(join(tmpdir(), 'sealcheck-diff-'));
  return work;
}
process.on('exit', () => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function journalctl(paths: string[], mode: 'export' | 'json') {
  return spawnSync('journalctl', [...paths.map((p) => `--file=${p}`), '-o', mode], { maxBuffer: 1 << 30, env: { ...process.env, SYSTEMD_LOG_LEVEL: 'err', TZ: 'UTC' } });
}

/** Our output for these files, and whether we gave up where journalctl gives up (ExportAbort). */
async function ours(files: Array<{ path: string; bytes: Uint8Array }>, format: 'export' | 'json'): Promise<{ out: Buffer; aborted: boolean }> {
  const readers = files.map((f) => new JournalReader(JournalFile.open(f.bytes, f.path)));
  const parts: Uint8Array[] = [];
  try {
    for await (const c of exportReaders(readers, { version: VERSION, format })) parts.push(c);
  } catch (e) {
    if (!(e instanceof ExportAbort)) throw e;
    return { out: Buffer.concat(parts), aborted: true };
  }
  return { out: Buffer.concat(parts), aborted: false };
}

/** Compare both output modes for these files; returns false when journalctl cannot open them. */
async function compare(files: Array<{ path: string; bytes: Uint8Array }>, label: string): Promise<boolean> {
  const paths = files.map((f) => f.path);
  const je = journalctl(paths, 'export');
  if (je.status !== 0 && /Failed to open/.test(je.stderr.toString())) {
    // journalctl refuses to open one of them: so must we.
    assert.ok(files.some((f) => { try { JournalFile.open(f.bytes, f.path); return false; } catch (e) { return e instanceof JournalError; } }), `${label}: journalctl refuses to open, we do not`);
    return false;
  }
  const oe = await ours(files, 'export');
  assert.ok(oe.out.equals(je.stdout), `${label}: -o export differs from journalctl (${oe.out.length} vs ${je.stdout.length} bytes)`);
  assert.equal(oe.aborted, je.status !== 0, `${label}: journalctl exit ${je.status}, we ${oe.aborted ? 'gave up' : 'did not give up'}`);
  const jj = journalctl(paths, 'json');
  const oj = await ours(files, 'json');
  assert.deepEqual(parseLines(oj.out), parseLines(jj.stdout), `${label}: -o json differs`);
  assert.equal(oj.aborted, jj.status !== 0, `${label}: json exit status`);
  return true;
}

test('every fixture journalctl can read: identical -o export, same -o json', { skip: NO_JOURNALCTL }, async () => {
  const dir = workdir();
  let compared = 0;
  const all: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const name of corpusNames()) all.push({ path: join(dir, name), bytes: corpus(name) });
  for (const name of testdataNames()) all.push({ path: join(dir, name), bytes: await testdata(name) });
  for (const f of all) {
    writeFileSync(f.path, f.bytes);
    if (await compare([f], f.path)) compared++;
  }
  assert.ok(compared >= 30, `compared ${compared} fixtures`);
});

test('several files at once: journalctl\'s interleaving', { skip: NO_JOURNALCTL }, async () => {
  const dir = workdir();
  const pick = async (n: string) => {
    const bytes = n.startsWith('sealed1') || n.startsWith('sealed2') || n.startsWith('plain') ? await testdata(n) : corpus(n);
    const path = join(dir, 'm-' + n);
    writeFileSync(path, bytes);
    return { path, bytes };
  };
  const sets = [
    ['sealed.journal', 'unsealed.journal'],
    ['sealed1.journal', 'sealed2.journal', 'plain_default.journal'],
    ['sealed-xz.journal', 'sealed-lz4.journal', 'sealed-1min.journal', 'sealed-tail.journal'],
    ['sealed.journal', 'sealed.journal'], // the same entries twice: shown once
  ];
  for (const s of sets) {
    const files = [];
    for (const n of s) files.push(await pick(n));
    assert.ok(await compare(files, s.join('+')));
  }
});

// ------------------------------------------------------------------ fresh files


const WORDS = ['alpha', 'beta', 'γάμμα', 'дельта', '東京', 'emoji 😀', 'tab\there', 'ascii', 'x=y', 'naïve', '\u00a0nbsp'];

/** Random entries in journal export format (the input systemd-journal-remote reads). */
function genExport(seed: number, n: number, boots: number, startUsec: bigint): Buffer {
  const r = prng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const parts: Buffer[] = [];
  const bootIds = Array.from({ length: boots }, (_, i) => Buffer.from(Array.from({ length: 16 }, (_, k) => (seed * 31 + i * 17 + k * 7) & 0xff)).toString('hex'));
  const text = (name: string, v: string) => parts.push(Buffer.from(`${name}=${v}\n`, 'utf8'));
  const bin = (name: string, v: Buffer) => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(v.length));
    parts.push(Buffer.from(name + '\n'), len, v, Buffer.from('\n'));
  };
  let rt = startUsec;
  for (let i = 0; i < n; i++) {
    const b = Math.min(boots - 1, Math.floor((i * boots) / n));
    rt += BigInt(1 + Math.floor(r() * 2_000_000));
    const mono = BigInt(1_000_000 + (i - Math.floor((b * n) / boots)) * 1_500_000 + Math.floor(r() * 1000));
    text('__REALTIME_TIMESTAMP', rt.toString());
    text('__MONOTONIC_TIMESTAMP', mono.toString());
    text('_BOOT_ID', bootIds[b]!);
    text('_HOSTNAME', 'host' + (seed % 3));
    text('PRIORITY', String(Math.floor(r() * 8)));
    text('SYSLOG_IDENTIFIER', pick(['app', 'kernel', 'sshd', 'unicode-✓']));
    const kind = r();
    if (kind < 0.15) text('MESSAGE', `long ${i} ` + Array.from({ length: 120 }, () => pick(WORDS)).join(' ')); // > 512 bytes: compressed
    else if (kind < 0.2) text('MESSAGE', `huge ${i} ` + 'z'.repeat(5000)); // ≥ 4096: null in JSON
    else if (kind < 0.3) bin('MESSAGE', Buffer.from(`multi\nline ${i}\n${pick(WORDS)}`, 'utf8'));
    else text('MESSAGE', `entry ${i}: ${pick(WORDS)} ${pick(WORDS)}`);
    if (r() < 0.3) {
      const v = Buffer.alloc(1 + Math.floor(r() * 40));
      for (let k = 0; k < v.length; k++) v[k] = Math.floor(r() * 256);
      bin('BINARY', v);
    }
    if (r() < 0.1) bin('BIG_BINARY', Buffer.alloc(1024 + Math.floor(r() * 3000), i & 0xff)); // compressible binary
    if (r() < 0.3) {
      text('REPEATED', 'first ' + pick(WORDS));
      text('REPEATED', 'second ' + pick(WORDS));
    }
    if (r() < 0.1) {
      text('DUP', 'same');
      text('DUP', 'same');
    }
    if (r() < 0.1) bin('CTRL', Buffer.from([0x41, 0x7f, 0xc2, 0x85, 0x42])); // DEL and C1: not printable
    if (r() < 0.05) bin('INVALID_UTF8', Buffer.from([0x61, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff]));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function writeJournal(path: string, input: Buffer, env: Record<string, string>, compress: boolean): boolean {
  const r = spawnSync(JOURNAL_REMOTE!, [`--output=${path}`, '--split-mode=none', `--compress=${compress ? 'yes' : 'no'}`, '-'], {
    input,
    env: { ...process.env, SYSTEMD_LOG_LEVEL: 'err', ...env },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed: ${r.stderr}`);
  return existsSync(path);
}

const NO_REMOTE = NO_JOURNALCTL || (JOURNAL_REMOTE ? false : 'systemd-journal-remote not installed: fresh-file differential tests skipped');

test('fresh files from systemd-journal-remote: compact × keyed hash × compression', { skip: NO_REMOTE, timeout: 60_000 }, async () => {
  const dir = workdir();
  const { readFileSync } = await import('node:fs');
  let seed = 1;
  const written: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const compact of ['1', '0']) {
    for (const keyed of ['1', '0']) {
      for (const compress of [true, false]) {
        const label = `compact=${compact} keyed=${keyed} compress=${compress}`;
        const path = join(dir, `fresh-${compact}${keyed}${compress ? 1 : 0}.journal`);
        const input = genExport(seed++, 120, 3, 1_700_000_000_000_000n + BigInt(seed) * 1_000_000n);
        assert.ok(writeJournal(path, input, { SYSTEMD_JOURNAL_COMPACT: compact, SYSTEMD_JOURNAL_KEYED_HASH: keyed }, compress), label);
        const bytes = new Uint8Array(readFileSync(path));
        written.push({ path, bytes });
        assert.ok(await compare([{ path, bytes }], label), `${label}: journalctl could not read it`);
        // The file really has what we meant to cover.
        const f = JournalFile.open(bytes, path);
        assert.equal(f.compact, compact === '1', label);
        assert.equal(f.keyedHash, keyed === '1', label);
        let compressed = 0;
        for (const e of new JournalReader(f).entries()) for (const o of f.entryItems(e.object)) if (f.object(o).flags & 7) compressed++;
        assert.equal(compressed > 0, compress, `${label}: ${compressed} compressed items`);
      }
    }
  }
  const json = parseLines(journalctl([written[0]!.path], 'json').stdout);
  assert.ok(json.some((o) => o['MESSAGE'] === null) && json.some((o) => Array.isArray(o['REPEATED'])) && json.some((o) => Array.isArray(o['BINARY'])));
  // Interleaving of fresh files that share boots and overlap in time.
  assert.ok(await compare(written.slice(0, 3), 'fresh merge'));
});
