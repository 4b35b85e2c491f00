// The kernel's multi-precision primitives with bigint in and out, for property tests against JS
// BigInt. Not used by the verifier (FSPRG runs entirely inside the wasm module).
import { KernelImpl, type Kernel } from './kernel.js';

export interface BignumHooks {
  /** a * b (each up to 64 limbs = 2048 bits). */
  mul(a: bigint, b: bigint): bigint;
  /** a mod m (a up to 98 limbs, m up to 50 limbs, m > 0). */
  mod(a: bigint, m: bigint): bigint;
  /** a * b * R^-1 mod m, R = 2^(32 * limbs(m)); m odd, a, b < m, up to 48 limbs. */
  montMul(a: bigint, b: bigint, m: bigint): bigint;
  /** base^exp mod m; m odd, base < m, up to 48 limbs; exp up to 128 limbs. */
  modExp(base: bigint, exp: bigint, m: bigint): bigint;
  /** The kernel's primality test (small-prime division + Miller-Rabin bases 2, 3, 5, 7). */
  isProbablePrime(n: bigint): boolean;
  /** Number of 32-bit limbs of x (at least 1). */
  limbs(x: bigint): number;
}

const SLOT_LIMBS = 128;

export function bignumHooks(kernel: Kernel): BignumHooks {
  if (!(kernel instanceof KernelImpl)) throw new TypeError('bignumHooks needs a kernel from loadKernel()');
  const k = kernel;
  const raw = k.raw;
  const BN = raw.bnPtr();
  const slot = (i: number): number => BN + i * 4 * SLOT_LIMBS;
  const limbs = (x: bigint): number => {
    let n = 1;
    while (x >> BigInt(32 * n) !== 0n) n++;
    return n;
  };
  const put = (i: number, x: bigint, n: number): number => {
    if (x < 0n || n > SLOT_LIMBS || limbs(x) > n) throw new RangeError('operand too large');
    const v = new DataView(k.mem().buffer);
    for (let j = 0; j < n; j++) v.setUint32(slot(i) + 4 * j, Number((x >> BigInt(32 * j)) & 0xffffffffn), true);
    return slot(i);
  };
  const get = (i: number, n: number): bigint => {
    const v = new DataView(k.mem().buffer);
    let x = 0n;
    for (let j = n - 1; j >= 0; j--) x = (x << 32n) | BigInt(v.getUint32(slot(i) + 4 * j, true));
    return x;
  };
  const mc = raw.montCtxPtr();
  return {
    limbs,
    mul(a, b) {
      const an = limbs(a), bn = limbs(b);
      raw.bnMul(slot(2), put(0, a, an), an, put(1, b, bn), bn);
      return get(2, an + bn);
    },
    mod(a, m) {
      const an = limbs(a), mn = limbs(m);
      if (an > 98 || mn > 50) throw new RangeError('operand too large');
      raw.bnMod(slot(2), put(0, a, an), an, put(1, m, mn), mn);
      return get(2, mn);
    },
    montMul(a, b, m) {
      const n = limbs(m);
      if (n > 48) throw new RangeError('modulus too large');
      raw.montSetup(mc, put(1, m, n), n);
      raw.montMul(slot(2), put(0, a, n), put(3, b, n), mc);
      return get(2, n);
    },
    modExp(base, exp, m) {
      const n = limbs(m), en = limbs(exp);
      if (n > 48) throw new RangeError('modulus too large');
      raw.montSetup(mc, put(1, m, n), n);
      raw.montExp(slot(2), put(0, base, n), put(3, exp, en), en, mc);
      return get(2, n);
    },
    isProbablePrime(x) {
      const n = limbs(x);
      if (n > 48) throw new RangeError('operand too large');
      return raw.isProbablePrime(put(0, x, n), n) !== 0;
    },
  };
}
