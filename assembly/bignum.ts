// Multi-precision unsigned integers for FSPRG: little-endian arrays of u32 limbs in wasm memory,
// products in u64 (wasm has no 64x64->128 multiply). Sizes are in limbs; MAXL bounds every operand
// that Montgomery arithmetic sees (1536 bits), Knuth division accepts up to 2*MAXL+2 limbs.
export const MAXL: i32 = 48;
import { millerRabin768 } from "./mr768";

// Scratch for division and Montgomery products (single-threaded module).
const UN: usize = memory.data(4 * (2 * 48 + 8), 16);
const VN: usize = memory.data(4 * (48 + 4), 16);
const T: usize = memory.data(4 * (48 + 4), 16);
const TBL: usize = memory.data(4 * 48 * 16, 16);
const XA: usize = memory.data(4 * 48, 16);
const XB: usize = memory.data(4 * 48, 16);
const XC: usize = memory.data(4 * 48, 16);
const WIDE: usize = memory.data(4 * (2 * 48 + 4), 16);

// ---- basic operations ----------------------------------------------------------------------

/** Big-endian bytes -> limbs. `nbytes` bytes at `src`, zero-extended to `nl` limbs. */
export function bnFromBE(dst: usize, src: usize, nbytes: i32, nl: i32): void {
  memory.fill(dst, 0, <usize>nl << 2);
  for (let i = 0; i < nbytes; i++) {
    const byte = <u32>load<u8>(src + <usize>(nbytes - 1 - i));
    const w = dst + (<usize>(i >> 2) << 2);
    store<u32>(w, load<u32>(w) | (byte << (<u32>(i & 3) << 3)));
  }
}

/** Limbs -> big-endian bytes, `nbytes` wide (higher limbs beyond nbytes are dropped). */
export function bnToBE(dst: usize, src: usize, nl: i32, nbytes: i32): void {
  for (let i = 0; i < nbytes; i++) {
    let byte: u32 = 0;
    if ((i >> 2) < nl) byte = (load<u32>(src + (<usize>(i >> 2) << 2)) >>> (<u32>(i & 3) << 3)) & 0xff;
    store<u8>(dst + <usize>(nbytes - 1 - i), <u8>byte);
  }
}

export function bnCmp(a: usize, b: usize, n: i32): i32 {
  for (let i = n - 1; i >= 0; i--) {
    const x = load<u32>(a + (<usize>i << 2)), y = load<u32>(b + (<usize>i << 2));
    if (x != y) return x > y ? 1 : -1;
  }
  return 0;
}

export function bnIsZero(a: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<u32>(a + (<usize>i << 2)) != 0) return false;
  return true;
}

/** r = a + b (n limbs), returns the carry. r may alias a or b. */
export function bnAdd(r: usize, a: usize, b: usize, n: i32): u32 {
  let c: u64 = 0;
  for (let i: usize = 0; i < <usize>n << 2; i += 4) {
    c += <u64>load<u32>(a + i) + <u64>load<u32>(b + i);
    store<u32>(r + i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** r = a - b (n limbs), returns the borrow. r may alias a or b. */
export function bnSub(r: usize, a: usize, b: usize, n: i32): u32 {
  let br: i64 = 0;
  for (let i: usize = 0; i < <usize>n << 2; i += 4) {
    br += <i64>load<u32>(a + i) - <i64>load<u32>(b + i);
    store<u32>(r + i, <u32>br);
    br >>= 32;   // arithmetic: 0 or -1
  }
  return <u32>(-br);
}

/** r += small (n limbs), returns the carry. */
export function bnAddSmall(r: usize, small: u32, n: i32): u32 {
  let c: u64 = <u64>small;
  for (let i: usize = 0; i < <usize>n << 2 && c != 0; i += 4) {
    c += <u64>load<u32>(r + i);
    store<u32>(r + i, <u32>c);
    c >>= 32;
  }
  return <u32>c;
}

/** r = a * b, r has an + bn limbs and must not alias a or b. */
export function bnMul(r: usize, a: usize, an: i32, b: usize, bn: i32): void {
  memory.fill(r, 0, <usize>(an + bn) << 2);
  for (let i = 0; i < bn; i++) {
    const bi = <u64>load<u32>(b + (<usize>i << 2));
    if (bi == 0) continue;
    let c: u64 = 0;
    const ri = r + (<usize>i << 2);
    for (let j: usize = 0; j < <usize>an << 2; j += 4) {
      c += <u64>load<u32>(a + j) * bi + <u64>load<u32>(ri + j);
      store<u32>(ri + j, <u32>c);
      c >>= 32;
    }
    store<u32>(ri + (<usize>an << 2), <u32>c);
  }
}

/** a mod d for a single-limb divisor. */
export function bnModSmall(a: usize, n: i32, d: u32): u32 {
  let r: u64 = 0;
  for (let i = n - 1; i >= 0; i--) r = ((r << 32) | <u64>load<u32>(a + (<usize>i << 2))) % <u64>d;
  return <u32>r;
}

// @ts-ignore: decorator
@inline function limb(p: usize, i: i32): u64 { return <u64>load<u32>(p + (<usize>i << 2)); }

/**
 * r = a mod m (Knuth, TAOCP vol. 2, 4.3.1, algorithm D). a: an limbs (an <= 2*MAXL+2),
 * m: mn limbs (mn <= MAXL+2), r: mn limbs. High zero limbs of m are allowed; m must be non-zero.
 * r may alias a.
 */
export function bnMod(r: usize, a: usize, an: i32, m: usize, mn: i32): void {
  const outN = mn;
  while (mn > 0 && load<u32>(m + (<usize>(mn - 1) << 2)) == 0) mn--;
  while (an > 0 && load<u32>(a + (<usize>(an - 1) << 2)) == 0) an--;
  if (mn == 1) {
    const rem = bnModSmall(a, an, load<u32>(m));
    memory.fill(r, 0, <usize>outN << 2);
    store<u32>(r, rem);
    return;
  }
  if (an < mn || (an == mn && bnCmp(a, m, mn) < 0)) {
    memory.copy(r, a, <usize>an << 2);
    memory.fill(r + (<usize>an << 2), 0, <usize>(outN - an) << 2);
    return;
  }
  // Normalise so that the divisor's top limb has its top bit set.
  const s = <u64>clz<u32>(load<u32>(m + (<usize>(mn - 1) << 2)));
  for (let i = mn - 1; i > 0; i--) {
    const w = s == 0 ? limb(m, i) : ((limb(m, i) << s) | (limb(m, i - 1) >> (32 - s))) & 0xffffffff;
    store<u32>(VN + (<usize>i << 2), <u32>w);
  }
  store<u32>(VN, <u32>(limb(m, 0) << s));
  store<u32>(UN + (<usize>an << 2), s == 0 ? 0 : <u32>(limb(a, an - 1) >> (32 - s)));
  for (let i = an - 1; i > 0; i--) {
    const w = s == 0 ? limb(a, i) : ((limb(a, i) << s) | (limb(a, i - 1) >> (32 - s))) & 0xffffffff;
    store<u32>(UN + (<usize>i << 2), <u32>w);
  }
  store<u32>(UN, <u32>(limb(a, 0) << s));

  const B: u64 = 0x100000000;
  const vTop = limb(VN, mn - 1), vNext = limb(VN, mn - 2);
  for (let j = an - mn; j >= 0; j--) {
    const num = (limb(UN, j + mn) << 32) | limb(UN, j + mn - 1);
    let qhat = num / vTop;
    let rhat = num - qhat * vTop;
    while (qhat >= B || qhat * vNext > ((rhat << 32) | limb(UN, j + mn - 2))) {
      qhat--;
      rhat += vTop;
      if (rhat >= B) break;
    }
    // Multiply and subtract.
    let borrow: i64 = 0;
    let carry: u64 = 0;
    for (let i = 0; i < mn; i++) {
      const p = qhat * limb(VN, i) + carry;
      carry = p >> 32;
      const t = <i64>limb(UN, i + j) - borrow - <i64>(p & 0xffffffff);
      store<u32>(UN + (<usize>(i + j) << 2), <u32>t);
      borrow = t < 0 ? 1 : 0;
    }
    const t = <i64>limb(UN, j + mn) - borrow - <i64>carry;
    store<u32>(UN + (<usize>(j + mn) << 2), <u32>t);
    if (t < 0) {
      // qhat was one too large: add the divisor back.
      let c: u64 = 0;
      for (let i = 0; i < mn; i++) {
        c += limb(UN, i + j) + limb(VN, i);
        store<u32>(UN + (<usize>(i + j) << 2), <u32>c);
        c >>= 32;
      }
      store<u32>(UN + (<usize>(j + mn) << 2), <u32>(limb(UN, j + mn) + c));
    }
  }
  // Remainder = UN[0..mn) >> s.
  for (let i = 0; i < mn; i++) {
    const w = s == 0 ? limb(UN, i) : ((limb(UN, i) >> s) | (limb(UN, i + 1) << (32 - s))) & 0xffffffff;
    store<u32>(r + (<usize>i << 2), <u32>w);
  }
  memory.fill(r + (<usize>mn << 2), 0, <usize>(outN - mn) << 2);
}

// ---- Montgomery arithmetic -------------------------------------------------------------------
// Context layout (MONT_SIZE bytes): 0 u32 n (limbs), 4 u32 -m^-1 mod 2^32, 8 m[MAXL],
// 8+4*MAXL R^2 mod m, 8+8*MAXL R mod m (Montgomery 1), with R = 2^(32n). m odd.
export const MONT_SIZE: i32 = 8 + 12 * 48;
// @ts-ignore: decorator
@inline function montM(mc: usize): usize { return mc + 8; }
// @ts-ignore: decorator
@inline function montR2(mc: usize): usize { return mc + 8 + 4 * 48; }
// @ts-ignore: decorator
@inline function montOne(mc: usize): usize { return mc + 8 + 8 * 48; }

export function montSetup(mc: usize, m: usize, n: i32): void {
  store<u32>(mc, <u32>n);
  memory.fill(mc + 8, 0, 12 * 48);
  memory.copy(montM(mc), m, <usize>n << 2);
  const m0 = load<u32>(m);
  let inv: u32 = m0;                          // correct to 3 bits for odd m0
  for (let i = 0; i < 4; i++) inv *= 2 - m0 * inv;
  store<u32>(mc, 0 - inv, 4);
  // R mod m and R^2 mod m by division.
  memory.fill(WIDE, 0, <usize>(2 * n + 1) << 2);
  store<u32>(WIDE + (<usize>n << 2), 1);
  bnMod(montOne(mc), WIDE, n + 1, m, n);
  store<u32>(WIDE + (<usize>n << 2), 0);
  store<u32>(WIDE + (<usize>(2 * n) << 2), 1);
  bnMod(montR2(mc), WIDE, 2 * n + 1, m, n);
}

/** r = a * b * R^-1 mod m (a, b < m), fused CIOS. r may alias a or b. */
export function montMul(r: usize, a: usize, b: usize, mc: usize): void {
  const n = <usize>load<u32>(mc);
  const minv = load<u32>(mc, 4);
  const m = montM(mc);
  const nb = n << 2;
  memory.fill(T, 0, nb + 8);
  for (let i: usize = 0; i < nb; i += 4) {
    const bi = <u64>load<u32>(b + i);
    let s = <u64>load<u32>(T) + <u64>load<u32>(a) * bi;
    let c1 = s >> 32;
    const q32: u32 = <u32>s * minv;
    const q = <u64>q32;
    let s2 = (s & 0xffffffff) + q * <u64>load<u32>(m);
    let c2 = s2 >> 32;
    for (let j: usize = 4; j < nb; j += 4) {
      s = <u64>load<u32>(T + j) + <u64>load<u32>(a + j) * bi + c1;
      c1 = s >> 32;
      s2 = (s & 0xffffffff) + q * <u64>load<u32>(m + j) + c2;
      c2 = s2 >> 32;
      store<u32>(T + j - 4, <u32>s2);
    }
    s = <u64>load<u32>(T + nb) + c1 + c2;
    store<u32>(T + nb - 4, <u32>s);
    store<u32>(T + nb, <u32>(s >> 32));
  }
  if (load<u32>(T + nb) != 0 || bnCmp(T, m, <i32>n) >= 0) bnSub(r, T, m, <i32>n);
  else memory.copy(r, T, nb);
}

/** r = a^2 * R^-1 mod m (a < m). r may alias a. */
export function montSqr(r: usize, a: usize, mc: usize): void {
  montMul(r, a, a, mc);
}

/** r = (a + b) mod m for a, b < m (n limbs of the context). */
export function montAdd(r: usize, a: usize, b: usize, mc: usize): void {
  const n = <i32>load<u32>(mc);
  const c = bnAdd(r, a, b, n);
  if (c != 0 || bnCmp(r, montM(mc), n) >= 0) bnSub(r, r, montM(mc), n);
}

/** r = a mod m into Montgomery form: a*R mod m. `a` has n limbs and is < m. */
export function montTo(r: usize, a: usize, mc: usize): void { montMul(r, a, montR2(mc), mc); }

/**
 * Montgomery form -> ordinary residue: a * R^-1 mod m (a < m), the reduction half of montMul alone
 * (montMul by 1 spent as much again multiplying by the zero limbs of 1). r may alias a.
 */
export function montFrom(r: usize, a: usize, mc: usize): void {
  const n = <usize>load<u32>(mc);
  const minv = load<u32>(mc, 4);
  const m = montM(mc);
  const nb = n << 2;
  memory.copy(T, a, nb);
  store<u32>(T + nb, 0);
  for (let i: usize = 0; i < nb; i += 4) {
    const q32: u32 = load<u32>(T) * minv; // (mod 2^32: a u64 context would widen the product)
    const q = <u64>q32;
    let s = <u64>load<u32>(T) + q * <u64>load<u32>(m); // low limb 0 by the choice of q
    let c = s >> 32;
    for (let j: usize = 4; j < nb; j += 4) {
      s = <u64>load<u32>(T + j) + q * <u64>load<u32>(m + j) + c;
      c = s >> 32;
      store<u32>(T + j - 4, <u32>s);
    }
    s = <u64>load<u32>(T + nb) + c;
    store<u32>(T + nb - 4, <u32>s);
    store<u32>(T + nb, <u32>(s >> 32));
  }
  if (load<u32>(T + nb) != 0 || bnCmp(T, m, <i32>n) >= 0) bnSub(r, T, m, <i32>n);
  else memory.copy(r, T, nb);
}

/** r = base^exp mod m; base < m (n limbs), exp has en limbs. 4-bit fixed window. r may alias base. */
export function montExp(r: usize, base: usize, exp: usize, en: i32, mc: usize): void {
  const n = <usize>load<u32>(mc);
  const nb = n << 2;
  const stride: usize = 4 * 48;
  memory.copy(TBL, montOne(mc), nb);
  montTo(TBL + stride, base, mc);
  for (let i: usize = 2; i < 16; i++) montMul(TBL + i * stride, TBL + (i - 1) * stride, TBL + stride, mc);
  memory.copy(XA, montOne(mc), nb);
  let started = false;
  for (let i = en * 8 - 1; i >= 0; i--) {
    const nib = (load<u32>(exp + (<usize>(i >> 3) << 2)) >>> (<u32>(i & 7) << 2)) & 15;
    if (started) {
      montSqr(XA, XA, mc); montSqr(XA, XA, mc);
      montSqr(XA, XA, mc); montSqr(XA, XA, mc);
    }
    if (nib != 0) {
      montMul(XA, XA, TBL + <usize>nib * stride, mc);
      started = true;
    }
  }
  montFrom(r, XA, mc);
}

/**
 * One Miller-Rabin round with a small base (2 <= base < m), m odd > 3, using the context's modulus.
 * Computes base^d by square-and-multiply where "multiply" is a handful of modular additions.
 */
export function millerRabinSmall(mc: usize, base: u32): bool {
  const n = <i32>load<u32>(mc);
  const nb = <usize>n << 2;
  const m = montM(mc);
  // d = (m - 1) >> s
  memory.copy(XB, m, nb);
  store<u32>(XB, load<u32>(XB) & ~1);
  let s = 0;
  while ((load<u32>(XB) & 1) == 0) {
    // shift right by one bit (m - 1 is non-zero)
    for (let i = 0; i < n; i++) {
      const hi: u32 = i + 1 < n ? load<u32>(XB + (<usize>(i + 1) << 2)) : 0;
      store<u32>(XB + (<usize>i << 2), (load<u32>(XB + (<usize>i << 2)) >>> 1) | (hi << 31));
    }
    s++;
  }
  let top = n * 32 - 1;
  while (top > 0 && ((load<u32>(XB + (<usize>(top >> 5) << 2)) >>> <u32>(top & 31)) & 1) == 0) top--;
  if (n == 24 && base < 16) return millerRabin768(mc, base, XB, top, s);   // 28-bit-limb ladder
  // x = base in Montgomery form = base * one (by additions), then the ladder from the top bit.
  mulSmallInto(XA, montOne(mc), base, mc);
  for (let i = top - 1; i >= 0; i--) {
    montSqr(XA, XA, mc);
    if (((load<u32>(XB + (<usize>(i >> 5) << 2)) >>> <u32>(i & 31)) & 1) != 0) {
      if (base == 2) montAdd(XA, XA, XA, mc);
      else mulSmallInto(XA, XA, base, mc);
    }
  }
  // minus one = m - one
  const minus1 = TBL;
  bnSub(minus1, m, montOne(mc), n);
  if (bnCmp(XA, montOne(mc), n) == 0 || bnCmp(XA, minus1, n) == 0) return true;
  for (let k = 1; k < s; k++) {
    montSqr(XA, XA, mc);
    if (bnCmp(XA, minus1, n) == 0) return true;
    if (bnCmp(XA, montOne(mc), n) == 0) return false;
  }
  return false;
}

/** r = x * k mod m for a small k >= 1 (double-and-add with modular additions). r may alias x. */
function mulSmallInto(r: usize, x: usize, k: u32, mc: usize): void {
  const n = <usize>load<u32>(mc);
  const acc = TBL + 4 * 48;
  memory.copy(acc, x, n << 2);
  const hb = 31 - <i32>clz<u32>(k);
  for (let i = hb - 1; i >= 0; i--) {
    montAdd(acc, acc, acc, mc);
    if (((k >>> <u32>i) & 1) != 0) montAdd(acc, acc, x, mc);
  }
  memory.copy(r, acc, n << 2);
}
