// SHA-256 and streaming HMAC-SHA256 of the wasm kernel against Node's crypto (fixed-seed PRNG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { prng, randomBytes } from './helpers/random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const nodeHmac = (k: Uint8Array, b: Uint8Array): string => createHmac('sha256', k).update(b).digest('hex');

/** Splits `data` into random non-empty and empty pieces. */
function splits(rnd: () => number, data: Uint8Array, maxPiece: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < data.length) {
    const n = Math.min(data.length - off, Math.floor(rnd() * maxPiece));
    out.push(data.subarray(off, off + n));
    off += n;
  }
  out.push(data.subarray(off, off));
  return out;
}

test('sha256: FIPS 180-2 known answers', async () => {
  const k = await loadNodeKernel();
  assert.equal(hex(k.sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hex(k.sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(hex(k.sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('sha256: every length 0..130 bytes equals node crypto', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(1);
  for (let n = 0; n <= 130; n++) {
    const d = randomBytes(rnd, n);
    assert.equal(hex(k.sha256(d)), nodeSha(d), `length ${n}`);
  }
});

test('sha256: random lengths up to 1 MB (crossing the staging buffers) equal node crypto', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(2);
  const lengths = [65535, 65536, 65537, 262143, 262144, 262145, 1 << 20];
  for (let i = 0; i < 25; i++) lengths.push(Math.floor(rnd() * (1 << 20)));
  for (const n of lengths) {
    const d = randomBytes(rnd, n);
    assert.equal(hex(k.sha256(d)), nodeSha(d), `length ${n}`);
  }
});

test('hmac: every message length 0..130, keys of 0..130 bytes, equal node crypto', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(3);
  for (let n = 0; n <= 130; n++) {
    const key = randomBytes(rnd, n);          // covers keys shorter than, equal to, longer than a block
    const d = randomBytes(rnd, n);
    const h = k.hmacSha256(key);
    h.update(d);
    assert.equal(hex(h.digest()), nodeHmac(key, d), `length ${n}`);
  }
});

test('hmac: many update() splits of random messages up to 1 MB', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(4);
  for (let i = 0; i < 30; i++) {
    const n = i < 10 ? Math.floor(rnd() * 300) : Math.floor(rnd() * (1 << 20));
    const d = randomBytes(rnd, n);
    const key = randomBytes(rnd, 32);
    const h = k.hmacSha256(key);
    for (const piece of splits(rnd, d, i % 3 === 0 ? 70 : 5000)) h.update(piece);
    assert.equal(hex(h.digest()), nodeHmac(key, d), `message ${i}, length ${n}`);
  }
});

test('hmac: interleaved contexts and one-shot hashes in between do not disturb each other', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(5);
  const msgs = Array.from({ length: 5 }, () => randomBytes(rnd, Math.floor(rnd() * 400000)));
  const keys = msgs.map(() => randomBytes(rnd, 32));
  const hs = keys.map((key) => k.hmacSha256(key));
  const pieces = msgs.map((m) => splits(rnd, m, 30000));
  const pos = msgs.map(() => 0);
  for (let left = true; left;) {
    left = false;
    for (let j = 0; j < hs.length; j++) {
      if (pos[j]! < pieces[j]!.length) {
        hs[j]!.update(pieces[j]![pos[j]!++]!);
        left = true;
        // one-shot functions use their own staging area
        const probe = randomBytes(rnd, 100);
        assert.equal(hex(k.sha256(probe)), nodeSha(probe));
      }
    }
  }
  for (let j = 0; j < hs.length; j++) assert.equal(hex(hs[j]!.digest()), nodeHmac(keys[j]!, msgs[j]!), `context ${j}`);
});

test('hmac: digest() ends the context', async () => {
  const k = await loadNodeKernel();
  const h = k.hmacSha256(new Uint8Array(32));
  h.update(new Uint8Array([1, 2, 3]));
  h.digest();
  assert.throws(() => h.update(new Uint8Array(1)));
  assert.throws(() => h.digest());
});
