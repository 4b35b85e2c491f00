// SipHash-2-4 and lookup3 (jenkins_hash64) of the wasm kernel: published known answers, a plain
// BigInt model on random inputs, and the hashes systemd stored in the corpus' DATA/FIELD objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { prng, randomBytes } from './helpers/random.js';

const corpus = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../test/fixtures/corpus/${name}`, import.meta.url)));


// Straightforward BigInt SipHash-2-4 (the model the wasm code is checked against).
const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;
function le64(b: Uint8Array, off: number, n = 8): bigint {
  let x = 0n;
  for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
}
function modelSiphash(key: Uint8Array, data: Uint8Array): bigint {
  const k0 = le64(key, 0), k1 = le64(key, 8);
  let v0 = 0x736f6d6570736575n ^ k0, v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0, v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const end = data.length - (data.length % 8);
  for (let i = 0; i < end; i += 8) {
    const m = le64(data, i);
    v3 ^= m; round(); round(); v0 ^= m;
  }
  const last = (BigInt(data.length & 0xff) << 56n) | le64(data, end, data.length - end);
  v3 ^= last; round(); round(); v0 ^= last;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

// Straightforward lookup3 hashlittle2 model (32-bit arithmetic via >>> 0).
function modelJenkins(data: Uint8Array): bigint {
  const rot = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  let len = data.length;
  let a = (0xdeadbeef + len) >>> 0, b = a, c = a;
  const w = (o: number): number => (data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24)) >>> 0;
  let o = 0;
  while (len > 12) {
    a = (a + w(o)) >>> 0; b = (b + w(o + 4)) >>> 0; c = (c + w(o + 8)) >>> 0;
    a = (a - c) >>> 0; a ^= rot(c, 4); a >>>= 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rot(a, 6); b >>>= 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rot(b, 8); c >>>= 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a ^= rot(c, 16); a >>>= 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rot(a, 19); b >>>= 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rot(b, 4); c >>>= 0; b = (b + a) >>> 0;
    len -= 12; o += 12;
  }
  if (len === 0) return (BigInt(c) << 32n) | BigInt(b);
  const t = new Uint8Array(12);
  t.set(data.subarray(o));
  const tw = (i: number): number => (t[i]! | (t[i + 1]! << 8) | (t[i + 2]! << 16) | (t[i + 3]! << 24)) >>> 0;
  a = (a + tw(0)) >>> 0; b = (b + tw(4)) >>> 0; c = (c + tw(8)) >>> 0;
  c ^= b; c = (c - rot(b, 14)) >>> 0;
  a ^= c; a = (a - rot(c, 11)) >>> 0;
  b ^= a; b = (b - rot(a, 25)) >>> 0;
  c ^= b; c = (c - rot(b, 16)) >>> 0;
  a ^= c; a = (a - rot(c, 4)) >>> 0;
  b ^= a; b = (b - rot(a, 14)) >>> 0;
  c ^= b; c = (c - rot(b, 24)) >>> 0;
  return (BigInt(c) << 32n) | BigInt(b);
}

test('siphash24: reference vectors (key 00..0f)', async () => {
  const k = await loadNodeKernel();
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const msg = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
  assert.equal(k.siphash24(key, msg(15)), 0xa129ca6149be45e5n);
  assert.equal(k.siphash24(key, msg(0)), 0x726fdb47dd0e0e31n);
  // vectors.h of the SipHash reference: lengths 1, 7, 8, 63
  assert.equal(k.siphash24(key, msg(1)), 0x74f839c593dc67fdn);
  assert.equal(k.siphash24(key, msg(8)), 0x93f5f5799a932462n);
  assert.equal(k.siphash24(key, msg(63)), 0x958a324ceb064572n);
  assert.throws(() => k.siphash24(new Uint8Array(8), msg(3)));
});

test('jenkinsHash64: lookup3 driver values', async () => {
  const k = await loadNodeKernel();
  assert.equal(k.jenkinsHash64(new Uint8Array(0)), 0xdeadbeefdeadbeefn);
  assert.equal(k.jenkinsHash64(new TextEncoder().encode('Four score and seven years ago')), 0x17770551ce7226e6n);
});

test('siphash24 and jenkinsHash64 equal the BigInt models on random inputs (lengths 0..130 and up to 300 KB)', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(11);
  const lengths: number[] = [];
  for (let n = 0; n <= 130; n++) lengths.push(n);
  lengths.push(65535, 65536, 65537, 65548, 65549, 131072 + 5);
  for (let i = 0; i < 6; i++) lengths.push(Math.floor(rnd() * 300000));
  for (const n of lengths) {
    const key = randomBytes(rnd, 16);
    const d = randomBytes(rnd, n);
    assert.equal(k.siphash24(key, d), modelSiphash(key, d), `siphash length ${n}`);
    assert.equal(k.jenkinsHash64(d), modelJenkins(d), `lookup3 length ${n}`);
  }
});

/** DATA and FIELD objects of a journal file with uncompressed payloads: stored hash and payload. */
function hashedObjects(file: Uint8Array): { fileId: Uint8Array; keyed: boolean; objects: { offset: number; stored: bigint; payload: Uint8Array }[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const incompatible = v.getUint32(12, true);
  const keyed = (incompatible & 0x04) !== 0;
  const compact = (incompatible & 0x10) !== 0;
  const headerSize = Number(v.getBigUint64(88, true));
  const tail = Number(v.getBigUint64(136, true));
  const objects: { offset: number; stored: bigint; payload: Uint8Array }[] = [];
  for (let p = headerSize; p !== 0 && p <= tail;) {
    const type = file[p]!, flags = file[p + 1]!;
    const size = Number(v.getBigUint64(p + 8, true));
    assert.ok(size >= 16, `object at ${p} has size ${size}`);
    if ((type === 1 || type === 2) && (flags & 7) === 0) {
      const payloadAt = type === 2 ? 40 : compact ? 72 : 64;
      objects.push({ offset: p, stored: v.getBigUint64(p + 16, true), payload: file.subarray(p + payloadAt, p + size) });
    }
    p += (size + 7) & ~7;
  }
  return { fileId: file.subarray(24, 40), keyed, objects };
}

test('siphash24 equals the KEYED_HASH of every uncompressed DATA/FIELD object in sealed.journal', async () => {
  const k = await loadNodeKernel();
  const { fileId, keyed, objects } = hashedObjects(corpus('sealed.journal'));
  assert.ok(keyed);
  assert.ok(objects.length >= 50, `only ${objects.length} objects`);
  for (const o of objects) assert.equal(k.siphash24(fileId, o.payload), o.stored, `object at ${o.offset}`);
  // and a different key gives different hashes (the check is not vacuous)
  const other = fileId.slice(); other[0]! ^= 1;
  assert.notEqual(k.siphash24(other, objects[0]!.payload), objects[0]!.stored);
});

test('jenkinsHash64 equals the hash of every uncompressed DATA/FIELD object in sealed-nokeyed.journal', async () => {
  const k = await loadNodeKernel();
  const { keyed, objects } = hashedObjects(corpus('sealed-nokeyed.journal'));
  assert.ok(!keyed);
  assert.ok(objects.length >= 50, `only ${objects.length} objects`);
  for (const o of objects) assert.equal(k.jenkinsHash64(o.payload), o.stored, `object at ${o.offset}`);
});

test('siphash24Many / jenkinsHash64Many equal the single versions (windows, empty, oversized, out-of-order ranges)', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(23);
  const data = new Uint8Array(3 << 20);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
  const key = Uint8Array.from({ length: 16 }, () => Math.floor(rnd() * 256));
  const ranges: number[] = [];
  let o = 0;
  // Consecutive small objects (many per window, > 8192 of them), then gaps, empties, one > 1 MiB range, and a jump back.
  for (let i = 0; i < 12000; i++) { const len = Math.floor(rnd() * 130); ranges.push(o, len); o += len + (Math.floor(rnd() * 9)); }
  ranges.push(o, 0, 5, 0, o + 10, (1 << 20) + 77, 17, 300, data.length - 40, 40, 0, 1 << 20, 1, (1 << 20) - 1);
  const s = k.siphash24Many(key, data, ranges);
  const j = k.jenkinsHash64Many(data, ranges);
  assert.equal(s.length, ranges.length);
  for (let i = 0; i < ranges.length / 2; i++) {
    const part = data.subarray(ranges[2 * i]!, ranges[2 * i]! + ranges[2 * i + 1]!);
    const hs = k.siphash24(key, part), hj = k.jenkinsHash64(part);
    assert.equal((BigInt(s[2 * i + 1]!) << 32n) | BigInt(s[2 * i]!), hs, `siphash range ${i}`);
    assert.equal((BigInt(j[2 * i + 1]!) << 32n) | BigInt(j[2 * i]!), hj, `jenkins range ${i}`);
  }
  // count limits the list; bad ranges are refused.
  assert.equal(k.jenkinsHash64Many(data, ranges, 3).length, 6);
  assert.throws(() => k.siphash24Many(key, data, [data.length - 1, 2]), RangeError);
  assert.throws(() => k.jenkinsHash64Many(data, [0]), RangeError);
  assert.throws(() => k.siphash24Many(new Uint8Array(8), data, [0, 1]), RangeError);
});

test('warming the kernel (kernel-warm.ts) leaves its answers as they were: SHA-256, HMAC lanes, SipHash, lookup3, and an FSPRG in the middle of its epochs', async () => {
  const { loadKernel } = await import('../src/kernel/kernel.js');
  const { kernelWasmUrl } = await import('../cli/kernel-node.js');
  const { warmKernel } = await import('../src/kernel/kernel-warm.js');
  const kernel = await loadKernel(readFileSync(kernelWasmUrl()));
  const rand = prng(31);
  const data = randomBytes(rand, 40000);
  const key = data.subarray(0, 32);
  const ranges = [0, 100, 100, 3000, 5000, 7];
  const g = kernel.fsprg(data.subarray(100, 112));
  const answers = () => ({
    sha: kernel.sha256(data),
    lanes: kernel.hmacSha256Many([1, 2, 3, 4, 5].map((i) => ({ key, parts: [data.subarray(i * 10, data.length - i * 999)] }))),
    sip: kernel.siphash24Many(key.subarray(0, 16), data, ranges),
    jenkins: kernel.jenkinsHash64Many(data, ranges),
    epoch: g.epochKey(41n),
  });
  g.epochKey(40n); // the running state is at epoch 40: the next key is an Evolve, across the warming
  const before = answers();
  g.epochKey(40n);
  warmKernel(kernel, 2);
  assert.deepEqual(answers(), before);
  // and against a kernel that was never warmed
  const fresh = await loadNodeKernel();
  assert.deepEqual(fresh.sha256(data), before.sha);
  assert.equal(fresh.siphash24(key.subarray(0, 16), data.subarray(100, 3100)), BigInt(before.sip[2]!) | (BigInt(before.sip[3]!) << 32n));
});
