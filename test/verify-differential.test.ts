// Differential test against the real thing: fresh sealed journals written by systemd-journal-remote with
// random keys (made in a private mount namespace like ../shared/corpus/make-corpus.sh: a random machine
// id and a private /var/log/journal, so the machine's own journal and keys are never touched), then
// seeded random tampering; our verdict (version 252) must match the local journalctl's: same exit code,
// same first line. Needs root, journalctl, systemd-journal-remote and unshare; skips otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { verifyJournal } from '../src/verify/index.js';
import { utcTime } from '../src/verify/text.js';
import { prng } from './helpers/random.js';

const JR = '/lib/systemd/systemd-journal-remote';
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const missing = [
  !isRoot && 'root',
  !which('journalctl') && 'journalctl',
  !existsSync(JR) && JR,
  !which('unshare') && 'unshare',
].filter(Boolean);
const skip = missing.length ? `needs ${missing.join(', ')}` : false;

const jctlVersion = skip ? 0 : Number(/systemd (\d+)/.exec(spawnSync('journalctl', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 0);


const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Export format (journal-export-formats(7)) with text, long (compressible) and binary fields. */
function exportStream(startUsec: bigint, entries: number, spanSec: number, boots: number, seed: number, gapAt = -1, gapSec = 0): Buffer {
  const rnd = prng(seed);
  const id = () => hex(Uint8Array.from({ length: 16 }, () => Math.floor(rnd() * 256)));
  const bootIds = Array.from({ length: boots }, id);
  const parts: Buffer[] = [];
  const text = (k: string, v: string) => parts.push(Buffer.from(`${k}=${v}\n`));
  const bin = (k: string, v: Buffer) => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(v.length));
    parts.push(Buffer.from(`${k}\n`), len, v, Buffer.from('\n'));
  };
  const step = BigInt(Math.floor((spanSec * 1e6) / Math.max(1, entries)));
  let mono = 1000000n;
  const perBoot = Math.ceil(entries / boots);
  for (let i = 0; i < entries; i++) {
    let rt = startUsec + step * BigInt(i) + BigInt(Math.floor(rnd() * 1000));
    if (gapAt >= 0 && i >= gapAt) rt += BigInt(gapSec) * 1000000n;
    if (i % perBoot === 0) mono = 1000000n;
    mono += step;
    text('__REALTIME_TIMESTAMP', String(rt));
    text('__MONOTONIC_TIMESTAMP', String(mono));
    text('_BOOT_ID', bootIds[Math.floor(i / perBoot)]!);
    text('_HOSTNAME', 'difftest');
    text('PRIORITY', String(Math.floor(rnd() * 8)));
    text('SYSLOG_IDENTIFIER', ['sshd', 'cron', 'app'][Math.floor(rnd() * 3)]!);
    text('MESSAGE', `message ${i} value ${Math.floor(rnd() * 20)}`);
    if (i % 5 === 2) text('LONG', `trace ${i % 3}: ` + 'frame in handler(request, context)\n'.replace('\n', ' ').repeat(30));
    if (i % 7 === 3) bin('BLOB', Buffer.from([0, 1, 2, 10, 13, 255, i & 0xff]));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

interface Variant {
  name: string;
  key: 'A' | 'B';
  env: string;
  opts: string;
  entries: number;
  span: number;
  boots: number;
  gapAt?: number;
  gapSec?: number;
  seal?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'default', key: 'A', env: '', opts: '--compress=yes', entries: 40, span: 60, boots: 2 },
  { name: 'noncompact', key: 'A', env: 'SYSTEMD_JOURNAL_COMPACT=0', opts: '--compress=yes', entries: 30, span: 45, boots: 2 },
  { name: 'nokeyed', key: 'B', env: 'SYSTEMD_JOURNAL_KEYED_HASH=0', opts: '--compress=yes', entries: 30, span: 200, boots: 1 },
  { name: 'nocompress', key: 'A', env: 'SYSTEMD_JOURNAL_COMPACT=0 SYSTEMD_JOURNAL_KEYED_HASH=0', opts: '--compress=no', entries: 30, span: 40, boots: 2 },
  { name: 'jump', key: 'A', env: '', opts: '--compress=yes', entries: 30, span: 30, boots: 1, gapAt: 15, gapSec: 90 },
  { name: 'unsealed', key: 'A', env: '', opts: '--compress=yes', entries: 25, span: 30, boots: 2, seal: false },
];

function sh(script: string, args: string[]): void {
  const p = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script, 'mk', ...args], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`namespace script failed (${p.status}): ${p.stderr}`);
}

const NS_SETUP = `
set -euo pipefail
W=$1; MID=$2
echo "$MID" > "$W/machine-id"
mount --bind "$W/machine-id" /etc/machine-id
mkdir -p "$W/varlog"
if [ -d /var/log/journal ]; then mount --bind "$W/varlog" /var/log/journal; else mount -t tmpfs tmpfs /var/log; mkdir -p /var/log/journal; fi
mkdir -p "/var/log/journal/$MID"
FSS=/var/log/journal/$MID/fss
`;

const NS_KEYS = `${NS_SETUP}
journalctl --setup-keys --force --interval=10s > "$W/A.key" 2>/dev/null; cp "$FSS" "$W/A.fss"
journalctl --setup-keys --force --interval=1min > "$W/B.key" 2>/dev/null; cp "$FSS" "$W/B.fss"
`;

const NS_WRITE = `${NS_SETUP}
mkdir -p "$W/small" "$W/out"; mount -t tmpfs -o size=16m tmpfs "$W/small"
while IFS=$'\\t' read -r name key envs seal opts; do
  rm -f "$W/small/"*
  cp "$W/$key.fss" "$FSS"
  env SYSTEMD_LOG_LEVEL=err $envs ${JR} --seal=$seal $opts --split-mode=none --output="$W/small/$name.journal" - < "$W/$name.export" >/dev/null 2>&1
  cp "$W/small/$name.journal" "$W/out/$name.journal"
done < "$W/plan.tsv"
`;

/** Walk objects (header_size … tail): [offset, type, size]. */
function objects(b: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const hs = Number(b.readBigUInt64LE(88));
  const tail = Number(b.readBigUInt64LE(136));
  let p = hs;
  while (tail !== 0 && p + 16 <= b.length) {
    const size = Number(b.readBigUInt64LE(p + 8));
    out.push([p, b[p]!, size]);
    if (p === tail || size < 16) break;
    p += Math.ceil(size / 8) * 8;
  }
  return out;
}

/** The file without its final TAG (header adjusted), i.e. entries after the last tag. */
function dropLastTag(b: Buffer): Buffer | null {
  const objs = objects(b);
  const last = objs[objs.length - 1];
  if (!last || last[1] !== 7 || objs.length < 2) return null;
  const c = Buffer.from(b);
  c.fill(0, last[0], last[0] + 64);
  c.writeBigUInt64LE(BigInt(objs[objs.length - 2]![0]), 136);
  c.writeBigUInt64LE(c.readBigUInt64LE(144) - 1n, 144);
  c.writeBigUInt64LE(c.readBigUInt64LE(224) - 1n, 224);
  return c;
}

function tamper(b: Buffer, rnd: () => number): { data: Buffer; what: string } {
  const c = Buffer.from(b);
  const objs = objects(b);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
  const flip = (at: number) => {
    c[at] = c[at]! ^ (1 + Math.floor(rnd() * 255));
  };
  const kind = Math.floor(rnd() * 10);
  if (kind <= 4 && objs.length) {
    const [p, type, size] = pick(objs);
    const at = p + Math.floor(rnd() * size);
    flip(at);
    return { data: c, what: `byte ${at} of object ${p} (type ${type})` };
  }
  if (kind === 5) {
    const at = Math.floor(rnd() * 272);
    flip(at);
    return { data: c, what: `header byte ${at}` };
  }
  if (kind === 6) {
    const tags = objs.filter((o) => o[1] === 7);
    if (tags.length) {
      const [p] = pick(tags);
      const at = p + 16 + Math.floor(rnd() * 48);
      flip(at);
      return { data: c, what: `tag byte ${at}` };
    }
  }
  if (kind === 7 && objs.length) {
    const [p] = pick(objs);
    const at = p + Math.floor(rnd() * 16);
    flip(at);
    return { data: c, what: `object header byte ${at}` };
  }
  if (kind === 8) {
    // an aligned offset field made to point elsewhere (entry arrays, hash chains)
    const arrays = objs.filter((o) => o[1] === 6 || o[1] === 1);
    if (arrays.length) {
      const [p, , size] = pick(arrays);
      const at = p + 16 + 8 * Math.floor((rnd() * (size - 16)) / 8);
      const other = pick(objs)[0];
      if (at + 8 <= p + size) {
        if (c.readUInt32LE(at + 4) === 0 && c.readUInt32LE(at) !== 0 && b.readBigUInt64LE(16) >= 0n) c.writeUInt32LE(other, at);
        return { data: c, what: `offset field ${at} → ${other}` };
      }
    }
  }
  const len = Math.floor(rnd() * b.length);
  return { data: c.subarray(0, len), what: `truncated to ${len}` };
}

test('differential: fresh sealed journals, random tampering, vs local journalctl', { skip, timeout: 170_000 }, async (t) => {
  const started = Date.now();
  const W = mkdtempSync(join(tmpdir(), 'sealcheck-diff-'));
  try {
    const mid = hex(Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)));
    sh(NS_KEYS, [W, mid]);
    const keys = { A: readFileSync(join(W, 'A.key'), 'utf8').trim(), B: readFileSync(join(W, 'B.key'), 'utf8').trim() };
    const startOf = (k: string) => {
      const [s, i] = k.split('/')[1]!.split('-').map((x) => BigInt('0x' + x));
      return s! * i!;
    };
    const plan: string[] = [];
    VARIANTS.forEach((v, n) => {
      writeFileSync(join(W, `${v.name}.export`), exportStream(startOf(keys[v.key]) + 1000000n, v.entries, v.span, v.boots, 100 + n, v.gapAt, v.gapSec));
      plan.push([v.name, v.key, v.env || 'X_NONE=1', v.seal === false ? 'no' : 'yes', v.opts].join('\t'));
    });
    writeFileSync(join(W, 'plan.tsv'), plan.join('\n') + '\n');
    sh(NS_WRITE, [W, mid]);

    const kernel = await loadNodeKernel();
    const cases: Array<{ name: string; data: Buffer; key?: string; what: string }> = [];
    const seed = Number(process.env.SEALCHECK_DIFF_SEED ?? 0x5ea1c4ec);
    t.diagnostic(`tamper seed ${seed} (SEALCHECK_DIFF_SEED)`);
    const rnd = prng(seed);
    const cwd = join(W, 'cases');
    mkdirSync(cwd);
    for (const v of VARIANTS) {
      const base = readFileSync(join(W, 'out', `${v.name}.journal`));
      const key = keys[v.key];
      cases.push({ name: `${v.name}.journal`, data: base, key, what: 'as written' });
      cases.push({ name: `${v.name}.journal`, data: base, what: 'as written, no key' });
      const tailless = dropLastTag(base);
      if (tailless) cases.push({ name: `${v.name}-tail.journal`, data: tailless, key, what: 'last tag removed' });
      for (let i = 0; i < 16; i++) {
        const m = tamper(base, rnd);
        cases.push({ name: `${v.name}-m${i}.journal`, data: m.data, key, what: m.what });
      }
    }
    let compared = 0;
    let identical = 0;
    for (const c of cases) {
      if (Date.now() - started > 140_000) {
        t.diagnostic(`time budget reached after ${compared} cases`);
        break;
      }
      writeFileSync(join(cwd, c.name), c.data);
      const args = ['--file=' + c.name, '--verify', ...(c.key ? ['--verify-key=' + c.key] : [])];
      const j = spawnSync('journalctl', args, { cwd, encoding: 'utf8', timeout: 15_000, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', SYSTEMD_COLORS: '0', SYSTEMD_LOG_LEVEL: 'info' } });
      if (j.error || j.status === null) {
        t.diagnostic(`${c.name} (${c.what}): journalctl did not finish; not compared`);
        continue;
      }
      const jLines = j.stderr.split('\n').filter((l) => l !== '');
      const r = await verifyJournal({ name: c.name, bytes: new Uint8Array(c.data) }, kernel, { version: 252, key: c.key, localTime: utcTime });
      const ours = { exit: r.verdict === 'PASS' ? 0 : 1, first: r.lines[0] };
      const theirs = { exit: j.status, first: jLines[0] };
      assert.deepEqual(ours, theirs, `${c.name} (${c.what}; key ${c.key ?? '-'})\n ours: ${r.lines.join(' | ')}\n jctl: ${jLines.join(' | ')}`);
      compared++;
      if (jctlVersion === 252 && r.lines.join('\n') === jLines.join('\n')) identical++;
      else if (jctlVersion === 252) t.diagnostic(`${c.name} (${c.what}): same first line, later lines differ:\n ours: ${r.lines.join(' | ')}\n jctl: ${jLines.join(' | ')}`);
    }
    t.diagnostic(`journalctl ${jctlVersion}: ${compared} cases compared, ${identical} with all lines identical, ${Math.round((Date.now() - started) / 1000)} s`);
    assert.ok(compared >= 60, `only ${compared} cases compared`);
  } finally {
    rmSync(W, { recursive: true, force: true });
  }
});
