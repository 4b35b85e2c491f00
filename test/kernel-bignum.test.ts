// The kernel's multi-precision arithmetic against JS BigInt on random operands (fixed seed).
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

test('bnMul equals BigInt multiplication', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(21);
  for (let i = 0; i < 300; i++) {
    const a = randomBig(rnd, 1 + Math.floor(rnd() * 1600));
    const b = randomBig(rnd, 1 + Math.floor(rnd() * 1600));
    assert.equal(h.mul(a, b), a * b, `${a} * ${b}`);
  }
});

test('bnMod (Knuth D) equals BigInt %', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(22);
  let cases = 0;
  while (cases < 600) {
    const mBits = 1 + Math.floor(rnd() * 1590);
    const m = randomBig(rnd, mBits);
    if (m === 0n) continue;
    const a = randomBig(rnd, 1 + Math.floor(rnd() * 3100));
    assert.equal(h.mod(a, m), a % m, `${a} mod ${m}`);
    cases++;
  }
  // add-back step of algorithm D: divisors with a top limb of 0x80000000 and dividends near B^k
  for (let i = 0; i < 200; i++) {
    const n = 2 + Math.floor(rnd() * 46);
    const m = (1n << BigInt(32 * n - 1)) + randomBig(rnd, 32 * (n - 1));
    const a = ((1n << BigInt(32 * (n + 2))) - 1n) - randomBig(rnd, 40);
    assert.equal(h.mod(a, m), a % m);
  }
});

test('montMul equals a*b*R^-1 mod m', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(23);
  for (let i = 0; i < 300; i++) {
    const bits = 2 + Math.floor(rnd() * 1534);
    const m = randomBig(rnd, bits) | 1n | (1n << BigInt(bits - 1));
    const a = randomBig(rnd, bits) % m, b = randomBig(rnd, bits) % m;
    const R = 1n << BigInt(32 * h.limbs(m));
    const got = h.montMul(a, b, m);
    assert.ok(got < m);
    assert.equal((got * R) % m, (a * b) % m, `montMul mod ${m}`);
  }
});

test('montExp equals BigInt modular exponentiation', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const rnd = prng(24);
  for (let i = 0; i < 120; i++) {
    const bits = 2 + Math.floor(rnd() * 1534);
    const m = randomBig(rnd, bits) | 1n | (1n << BigInt(bits - 1));
    const b = randomBig(rnd, bits) % m;
    const e = randomBig(rnd, 1 + Math.floor(rnd() * 800));
    assert.equal(h.modExp(b, e, m), modPow(b, e, m), `${b}^${e} mod ${m}`);
  }
  assert.equal(h.modExp(5n, 0n, 7n), 1n);
});

test('isProbablePrime: primes, composites, Carmichael numbers, strong pseudoprimes to base 2', async () => {
  const h = bignumHooks(await loadNodeKernel());
  const primes = [2n, 3n, 5n, 65521n, 65537n, 65539n, 262153n, 4294967291n, (1n << 61n) - 1n, (1n << 127n) - 1n,
    (1n << 521n) - 1n, (1n << 607n) - 1n, (1n << 1279n) - 1n];
  for (const p of primes) assert.equal(h.isProbablePrime(p), true, `${p}`);
  const composites = [0n, 1n, 4n, 9n, 65521n * 65537n, 561n, 41041n, 825265n, 2047n, 3215031751n,
    // strong pseudoprimes to base 2 whose factors (65539 * 262153, 65579 * 262313) are above the
    // trial-division bound: only the base-3/5/7 rounds reject them
    17181245467n, 17202224227n,
    (1n << 67n) - 1n, ((1n << 127n) - 1n) * ((1n << 89n) - 1n), ((1n << 521n) - 1n) * 3n, (1n << 1279n) - 3n];
  for (const c of composites) assert.equal(h.isProbablePrime(c), false, `${c}`);
});
