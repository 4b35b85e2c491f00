// The 768-bit (24-limb) arithmetic of the kernel against BigInt (fixed seed): Montgomery
// multiply/square at FSPRG's size (montMul, montExp: the epoch keys' squarings mod p and q) and the
// 28-bit-limb Miller-Rabin ladder of mr768.ts (isProbablePrime on 737..768-bit numbers), which FSPRG
// key derivation uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { bignumHooks } from '../src/kernel/bignum-hooks.js';
import { prng, randomBig } from './helpers/random.js';

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n % m;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
/** Miller-Rabin with bases 2, 3, 5, 7 in BigInt (the kernel's test after trial division). */
function mrRef(n: bigint): boolean {
  let d = n - 1n, s = 0;
  while ((d & 1n) === 0n) { d >>= 1n; s++; }
  for (const a of [2n, 3n, 5n, 7n]) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let ok = false;
    for (let i = 1; i < s && !ok; i++) { x = (x * x) % n; if (x === n - 1n) ok = true; }
    if (!ok) return false;
  }
  return true;
}
const SMALL: bigint[] = [];
for (let p = 3; p < 2000; p += 2) { let ok = true; for (let q = 3; q * q <= p; q += 2) if (p % q === 0) { ok = false; break; } if (ok) SMALL.push(BigInt(p)); }
const noSmallFactor = (n: bigint): boolean => SMALL.every((p) => n % p !== 0n);

function modulus768(rnd: () => number): bigint {
  const bits = 737 + Math.floor(rnd() * 32);           // exactly 24 limbs
  return randomBig(rnd, bits) | 1n | (1n << BigInt(bits - 1));
}

test('montMul at 24 limbs equals a*b*R^-1 mod m, including edge operands', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(768);
  const R = 1n << 768n;
  for (let i = 0; i < 400; i++) {
    const m = i < 20 ? (R - 1n) - 2n * BigInt(i) : modulus768(rnd);
    const pick = (): bigint => { const r = rnd(); return r < 0.1 ? m - 1n : r < 0.15 ? 0n : r < 0.2 ? 1n : randomBig(rnd, 768) % m; };
    const a = pick(), b = rnd() < 0.3 ? a : pick();
    assert.equal(h.limbs(m), 24);
    const got = h.montMul(a, b, m);
    assert.ok(got < m);
    assert.equal((got * R) % m, (a * b) % m, `montMul mod ${m}`);
  }
});

test('montExp at 24 limbs equals BigInt', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(769);
  for (let i = 0; i < 60; i++) {
    const m = i === 0 ? (1n << 768n) - 1n : modulus768(rnd);
    const b = i === 1 ? m - 1n : randomBig(rnd, 768) % m;
    const e = randomBig(rnd, 1 + Math.floor(rnd() * 800));
    assert.equal(h.modExp(b, e, m), modPow(b, e, m), `${b}^${e} mod ${m}`);
  }
});

test('isProbablePrime at 737..768 bits (28-bit-limb Miller-Rabin) agrees with BigInt MR', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(770);
  let primes = 0, composites = 0;
  // odd numbers without small factors, so that Miller-Rabin decides (both outcomes)
  while (primes < 6 || composites < 40) {
    let n = modulus768(rnd);
    if (rnd() < 0.5) n |= 3n;                          // FSPRG's candidates are 3 mod 4
    if (!noSmallFactor(n)) continue;
    const want = mrRef(n);
    if (want) { if (primes >= 6) continue; primes++; } else composites++;
    assert.equal(h.isProbablePrime(n), want, `${n}`);
  }
  // products of two primes (composite, every base must be tried before rejecting some of them)
  const prime = (bits: number): bigint => {
    for (;;) { const c = randomBig(rnd, bits) | 1n | (1n << BigInt(bits - 1)); if (noSmallFactor(c) && mrRef(c)) return c; }
  };
  for (let i = 0; i < 4; i++) {
    const n = prime(384) * prime(384);
    if (h.limbs(n) === 24) assert.equal(h.isProbablePrime(n), false);
  }
  assert.equal(h.isProbablePrime((1n << 768n) - 1n), false);
});
