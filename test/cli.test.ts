/**
 * The CLI's two spellings reach the same code: `sealcheck export -o F` and journalctl's
 * `sealcheck --file=F -o export`, and `--verify` still wins over `-o`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CORPUS } from './journal-fixtures.js';

const BIN = join(process.cwd(), 'bin', 'sealcheck.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: CORPUS, env: { ...process.env, TZ: 'UTC' } });

test('journalctl spelling --file=F -o export equals `export F`', () => {
  const a = run(['--file=sealed-nocompress.journal', '-o', 'export']);
  const b = run(['export', 'sealed-nocompress.journal']);
  assert.equal(a.status, 0, a.stderr.toString());
  assert.ok(a.stdout.length > 1000);
  assert.deepEqual(a.stdout, b.stdout);
});

test('journalctl spelling --file=F --output=json gives JSON lines', () => {
  const r = run(['--file=sealed.journal', '--output=json']);
  assert.equal(r.status, 0, r.stderr.toString());
  const lines = r.stdout.toString().trim().split('\n');
  assert.ok(lines.length > 5);
  for (const l of lines) assert.match(JSON.parse(l).__CURSOR, /^s=[0-9a-f]{32};i=/);
});

test('--verify means verify: stderr only, nothing on stdout', () => {
  const r = run(['--file=unsealed.journal', '--verify']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.length, 0);
  assert.equal(r.stderr.toString(), 'PASS: unsealed.journal\n');
});
