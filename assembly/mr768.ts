// Miller-Rabin with a small base for 768-bit (24-limb) odd candidates, the hot loop of FSPRG key
// derivation. The ladder runs in a 28-bit-limb Montgomery representation (mont28.ts, R = 2^784)
// with lazy reduction; set-up and the final comparisons reuse the 32-bit context of bignum.ts.
import { montSqr28 } from "./mont28";
import { bnSub, montAdd } from "./bignum";

const L: usize = 28;
const MASK: u64 = 0xfffffff;
const M28: usize = memory.data(8 * 28, 16);
const X28: usize = memory.data(8 * 28, 16);
const ONE28: usize = memory.data(8 * 28, 16);
const NEG28: usize = memory.data(8 * 28, 16);
const PAD: usize = memory.data(4 * 28, 16);     // 24 limbs + zero padding for the bit extraction
const T32: usize = memory.data(4 * 24, 16);
const U32: usize = memory.data(4 * 24, 16);

/** 24 u32 limbs -> 28 limbs of 28 bits. */
function to28(dst: usize, src: usize): void {
  memory.copy(PAD, src, 4 * 24);
  memory.fill(PAD + 4 * 24, 0, 16);
  for (let j: usize = 0; j < L; j++) {
    const bit = j * 28;
    store<u64>(dst + (j << 3), (load<u64>(PAD + ((bit >> 5) << 2)) >> <u64>(bit & 31)) & MASK);
  }
}

function cmp28(a: usize, b: usize): i32 {
  for (let i = <isize>L - 1; i >= 0; i--) {
    const x = load<u64>(a + (<usize>i << 3)), y = load<u64>(b + (<usize>i << 3));
    if (x != y) return x > y ? 1 : -1;
  }
  return 0;
}

/** x mod m for x < 16m (normalised limbs), in place. */
function canon28(x: usize): void {
  while (cmp28(x, M28) >= 0) {
    let br: i64 = 0;
    for (let i: usize = 0; i < L << 3; i += 8) {
      br += <i64>load<u64>(x + i) - <i64>load<u64>(M28 + i);
      store<u64>(x + i, <u64>br & MASK);
      br >>= 28;
    }
  }
}

/** x *= k (small), limbs renormalised; no reduction (the value stays < 2^8 m). */
function mulSmall28(x: usize, k: u64): void {
  let c: u64 = 0;
  for (let i: usize = 0; i < L << 3; i += 8) {
    c += load<u64>(x + i) * k;
    store<u64>(x + i, c & MASK);
    c >>= 28;
  }
}

/**
 * One Miller-Rabin round, base 2..15, for the 24-limb modulus of the 32-bit Montgomery context mc
 * (bignum.ts layout); d = (m - 1) >> s is given as `d` (24 limbs) with its top bit index `top`.
 */
export function millerRabin768(mc: usize, base: u32, d: usize, top: i32, s: i32): bool {
  const m = mc + 8;
  const minv = <u64>(load<u32>(mc, 4)) & MASK;
  to28(M28, m);
  // R28 mod m = 2^784 mod m = (2^768 mod m) * 2^16, by doubling in the 32-bit context
  memory.copy(T32, mc + 8 + 8 * 48, 4 * 24);
  for (let i = 0; i < 16; i++) montAdd(T32, T32, T32, mc);
  to28(ONE28, T32);
  bnSub(U32, m, T32, 24);
  to28(NEG28, U32);
  // x = base * R mod m (canonical), then the ladder from the top bit of d
  memory.copy(X28, ONE28, L << 3);
  mulSmall28(X28, <u64>base);
  canon28(X28);
  for (let i = top - 1; i >= 0; i--) {
    montSqr28(X28, X28, M28, minv);
    if (((load<u32>(d + (<usize>(i >> 5) << 2)) >>> <u32>(i & 31)) & 1) != 0) mulSmall28(X28, <u64>base);
  }
  canon28(X28);
  if (cmp28(X28, ONE28) == 0 || cmp28(X28, NEG28) == 0) return true;
  for (let k = 1; k < s; k++) {
    montSqr28(X28, X28, M28, minv);
    canon28(X28);
    if (cmp28(X28, NEG28) == 0) return true;
    if (cmp28(X28, ONE28) == 0) return false;
  }
  return false;
}
