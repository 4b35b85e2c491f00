/** Seeded randomness for tests, so every failure reproduces: mulberry32 and what is built on it. */

/** A generator of numbers in [0, 1) fixed by `seed`. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rnd: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** A random integer of at most `bits` bits, biased towards edge limbs (0 and 0xffffffff). */
export function randomBig(rnd: () => number, bits: number): bigint {
  let x = 0n;
  for (let i = 0; i < Math.ceil(bits / 32); i++) {
    const r = rnd();
    const limb = r < 0.1 ? 0 : r < 0.2 ? 0xffffffff : Math.floor(rnd() * 4294967296);
    x = (x << 32n) | BigInt(limb);
  }
  return x & ((1n << BigInt(bits)) - 1n);
}
