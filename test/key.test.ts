// Verification key parsing: journalctl 252's rules (seed pairs with '-' anywhere between them, '/',
// then sscanf("%llx-%llx") as glibc 2.36 does it), the fss:// form, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseVerificationKey, scanHex64, KeyError } from '../src/verify/key.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MAX = (1n << 64n) - 1n;
const VALID = 'f4e5d7-8dc97f-86b1db-24900e/ab3945f-989680';

function rejects(text: string, message: RegExp, position?: number): void {
  assert.throws(() => parseVerificationKey(text), (e: unknown) => {
    assert.ok(e instanceof KeyError, `${JSON.stringify(text)}: not a KeyError: ${String(e)}`);
    assert.match(e.message, message, JSON.stringify(text));
    if (position !== undefined) assert.equal(e.position, position, JSON.stringify(text));
    return true;
  });
}

test('the key journalctl --setup-keys prints', () => {
  const k = parseVerificationKey(VALID);
  assert.equal(hex(k.seed), 'f4e5d78dc97f86b1db24900e');
  assert.equal(k.startEpoch, 0xab3945fn);
  assert.equal(k.intervalUsec, 10_000_000n);
  assert.equal(k.startUsec, 1795410870000000n);
  assert.equal(k.machineId, undefined);
  assert.equal(k.hostname, undefined);
});

test('seed shapes journalctl accepts: no dashes, dashes anywhere between pairs, upper case', () => {
  for (const s of ['f4e5d78dc97f86b1db24900e', '-f4-e5-d7-8d-c9-7f-86-b1-db-24-90-0e', '---f4e5d78dc97f86b1db24900e',
    'F4E5D7-8DC97F-86B1DB-24900E', 'f4e5-d78d-c97f-86b1-db24-900e', 'f4e5d78dc97f86b1db24900e']) {
    const k = parseVerificationKey(`${s}/ab3945f-989680`);
    assert.equal(hex(k.seed), 'f4e5d78dc97f86b1db24900e', s);
    assert.equal(k.startUsec, 1795410870000000n);
  }
  // dashes right before '/' are not skipped (the loop only skips them before a pair)
  rejects('f4e5d78dc97f86b1db24900e-/1-2', /expected '\/'/, 24);
});

test('malformed seeds give a reason and a position', () => {
  rejects('0011-2233/1-989680', /^seed too short: expected 12 bytes \(24 hex digits\), got 4$/, 9);
  rejects('not-a-key', /seed: expected a hex digit at position 0, found 'n'/, 0);
  rejects('f4e-5d7/1-2', /seed: expected a hex digit at position 3, found '-'/, 3);   // dash inside a pair
  rejects('f4e5d78dc97f86b1db24900/1-2', /seed too short: .*got 11 bytes and one hex digit/, 23);
  rejects('f4e5d78dc97f86b1db24900e00/1-2', /seed too long/, 24);
  rejects('', /seed too short: .*got 0$/, 0);
  rejects('f4e5d78dc97f86b1db24900e', /expected '\/' after the 12-byte seed at position 24, found end of key/, 24);
  rejects('f4e5d78dc97f86b1db24900e:1-2', /expected '\/'.*found ':'/, 24);
  rejects('g4e5d78dc97f86b1db24900e/1-2', /found 'g'/, 0);
});

test('START-INTERVAL like sscanf("%llx-%llx") in glibc 2.36', () => {
  const seed = 'f4e5d78dc97f86b1db24900e/';
  // [text after '/', start, interval] — each checked against a C program on Debian 12 (glibc 2.36)
  const ok: [string, bigint, bigint][] = [
    ['ab-10', 0xabn, 0x10n], ['0x-5', 0n, 5n], ['0x1-0x2', 1n, 2n], ['  +a- -1', 0xan, MAX],
    ['-1-2', MAX, 2n], ['ffffffffffffffffff-1', MAX, 1n], ['-ffffffffffffffffff-1', MAX, 1n],
    ['0X10-10zz', 0x10n, 0x10n], ['1-0x', 1n, 0n], ['1-0xg', 1n, 0n], ['1- \t\n2', 1n, 2n],
    ['10000000000000000-1', MAX, 1n], ['-0-1', 0n, 1n], ['ab3948f-989680?machine=x', 0xab3948fn, 0x989680n],
    ['1e-2', 0x1en, 2n], ['-0x-5', 0n, 5n], ['+0x-3', 0n, 3n], ['1-+0x', 1n, 0n], ['\v1-\f2', 1n, 2n],
    ['0xFFFFFFFFFFFFFFFF-1', MAX, 1n], ['-8000000000000000-1', 0x8000000000000000n, 1n],
    ['0x1ffffffffffffffff-3', MAX, 3n], ['0-0', 0n, 0n],
  ];
  for (const [rest, start, interval] of ok) {
    const k = parseVerificationKey(seed + rest);
    assert.equal(k.startEpoch, start, rest);
    assert.equal(k.intervalUsec, interval, rest);
    assert.equal(k.startUsec, (start * interval) & MAX, rest);
  }
  // sscanf returns fewer than 2
  for (const rest of ['0xg-5', 'a -1', 'a-', 'a', '-', '0x', '+-1-1', 'x-1', ' 0x 1-2', '0x0x1-2', '00x1-2',
    '--1-2', '1--', '1-+', '']) {
    rejects(seed + rest, /expected (START|INTERVAL|'-')/);
  }
  rejects(seed + 'a -1', /expected '-' between START and INTERVAL at position 26, found ' '/, 26);
  rejects(seed + 'a-', /expected INTERVAL \(hex\) after '-' at position 27, found end of key/, 27);
  rejects(seed + 'zz', /expected START \(hex\) after '\/' at position 25, found 'z'/, 25);
});

test('start_usec wraps at 2^64 like C (v252 does not check for overflow)', () => {
  const k = parseVerificationKey('f4e5d78dc97f86b1db24900e/ffffffffffff-1000000');
  assert.equal(k.startUsec, (0xffffffffffffn * 0x1000000n) & MAX);
  assert.ok(k.startUsec < 0xffffffffffffn * 0x1000000n);
});

test('scanHex64 reports where the number ends', () => {
  assert.deepEqual(scanHex64('  0x1fz', 0), { value: 0x1fn, end: 6 });
  assert.deepEqual(scanHex64('x', 0), null);
});

test('every proper prefix of a valid key is rejected; the full key and any extension parse', () => {
  for (let n = 0; n < VALID.length; n++) {
    const prefix = VALID.slice(0, n);
    // the prefix ending right after the first hex digit of INTERVAL parses (INTERVAL = 9)
    if (n >= VALID.indexOf('-', 28) + 2) {
      assert.equal(parseVerificationKey(prefix).intervalUsec, BigInt('0x' + VALID.slice(VALID.indexOf('-', 28) + 1, n)));
      continue;
    }
    assert.throws(() => parseVerificationKey(prefix), KeyError, `prefix ${JSON.stringify(prefix)}`);
  }
  assert.equal(parseVerificationKey(VALID + ' trailing garbage').intervalUsec, 10_000_000n);
});

test('the fss:// form --setup-keys shows as a QR code', () => {
  const k = parseVerificationKey('fss://f4e5d7-8dc97f-86b1db-24900e/ab3945f-989680?machine=72d6c31ad8563f93d537fced596001bf;hostname=build-vm');
  assert.equal(hex(k.seed), 'f4e5d78dc97f86b1db24900e');
  assert.equal(k.startUsec, 1795410870000000n);
  assert.equal(k.machineId, '72d6c31ad8563f93d537fced596001bf');
  assert.equal(k.hostname, 'build-vm');
  const bare = parseVerificationKey('fss://f4e5d7-8dc97f-86b1db-24900e/ab3945f-989680');
  assert.equal(bare.intervalUsec, 10_000_000n);
  assert.equal(bare.machineId, undefined);
  // errors point into the text as given
  rejects('fss://0011-2233/1-2?machine=00', /seed too short/, 15);
  // the query does not leak into INTERVAL
  rejects('fss://f4e5d7-8dc97f-86b1db-24900e/1-?machine=1', /expected INTERVAL/);
});

test('corpus key cases: valid keys parse to the manifest values, malformed ones are KeyErrors', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../test/fixtures/corpus/manifest.json', import.meta.url), 'utf8')) as {
    keys: Record<string, { verification_key: string; seed_hex: string; start_epoch: number; interval_usec: number; start_usec: number }>;
    key_cases: { id: string; verify_key: string; expected: { stderr: string[] } }[];
  };
  for (const [name, key] of Object.entries(manifest.keys)) {
    const k = parseVerificationKey(key.verification_key);
    assert.equal(hex(k.seed), key.seed_hex, name);
    assert.equal(k.startEpoch, BigInt(key.start_epoch), name);
    assert.equal(k.intervalUsec, BigInt(key.interval_usec), name);
    assert.equal(k.startUsec, BigInt(key.start_usec), name);
  }
  assert.ok(manifest.key_cases.length >= 4);
  let malformed = 0;
  for (const c of manifest.key_cases) {
    if (c.expected.stderr.includes('Failed to parse seed.')) {
      assert.throws(() => parseVerificationKey(c.verify_key), KeyError, c.id);
      malformed++;
    } else {
      assert.equal(parseVerificationKey(c.verify_key).seed.length, 12, c.id);
    }
  }
  assert.ok(malformed >= 3);
});
