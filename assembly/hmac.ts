// HMAC-SHA256 (RFC 2104) on top of sha256.ts.
//
// Context layout (HMAC_CTX_SIZE bytes): inner SHA-256 context at 0, outer context at 112, the outer
// one already holding (key ^ opad) so that the final step is one more block. Callers stream message
// bytes into the inner context with sha256Update(ctx, ...).
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final, sha256Once } from "./sha256";
import { sha256Compress4 } from "./sha256-compress";

export const HMAC_CTX_SIZE: i32 = 2 * SHA256_CTX_SIZE;

const PAD: usize = memory.data(64, 16);
const KEYHASH: usize = memory.data(32, 16);
const INNER: usize = memory.data(32, 16);
const TMP_CTX: usize = memory.data(SHA256_CTX_SIZE, 16);

export function hmacInit(ctx: usize, key: usize, keyLen: usize): void {
  if (keyLen > 64) {
    sha256Once(TMP_CTX, key, keyLen, KEYHASH);
    key = KEYHASH;
    keyLen = 32;
  }
  memory.fill(PAD, 0, 64);
  memory.copy(PAD, key, keyLen);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x3636363636363636);
  sha256Init(ctx);
  sha256Update(ctx, PAD, 64);
  // ipad ^ opad = 0x36 ^ 0x5c = 0x6a
  for (let i: usize = 0; i < 64; i += 8) store<u64>(PAD + i, load<u64>(PAD + i) ^ 0x6a6a6a6a6a6a6a6a);
  const outer = ctx + <usize>SHA256_CTX_SIZE;
  sha256Init(outer);
  sha256Update(outer, PAD, 64);
  memory.fill(PAD, 0, 64);
}

export function hmacFinal(ctx: usize, out: usize): void {
  sha256Final(ctx, INNER);
  const outer = ctx + <usize>SHA256_CTX_SIZE;
  sha256Update(outer, INNER, 32);
  sha256Final(outer, out);
}

// ---- 4-lane multi-buffer HMAC ----------------------------------------------------------------
// The wrapper keeps up to four independent HMACs (tag segments) in lane contexts and gathers each
// one's message bytes into its own lane buffer; hmacX4Blocks then hashes whole blocks of all four
// at once with the i32x4 compression. Lane contexts keep an empty block buffer while in x4 mode
// (only whole blocks are compressed here), so the scalar sha256Update/hmacFinal can take over at
// any time for the tail.
/** Compresses `nb` blocks from each of p0..p3 into the inner SHA-256 contexts c0..c3 (HMAC or
 *  plain SHA-256 contexts; an idle lane may point at a dummy context). */
export function hmacX4Blocks(c0: usize, c1: usize, c2: usize, c3: usize,
                             p0: usize, p1: usize, p2: usize, p3: usize, nb: usize): void {
  sha256Compress4(c0, c1, c2, c3, p0, p1, p2, p3, nb);
  const n = <u64>(nb << 6);
  store<u64>(c0, load<u64>(c0, 32) + n, 32);
  if (c1 != c0) store<u64>(c1, load<u64>(c1, 32) + n, 32);
  if (c2 != c0 && c2 != c1) store<u64>(c2, load<u64>(c2, 32) + n, 32);
  if (c3 != c0 && c3 != c1 && c3 != c2) store<u64>(c3, load<u64>(c3, 32) + n, 32);
}

/** memory.copy for the short, non-overlapping pieces of a journal object (V8 calls out of wasm
 *  for memory.copy of a variable length, which costs more than copying ~100 bytes inline). */
// @ts-ignore: decorator
@inline function copySmall(d: usize, s: usize, n: usize): void {
  if (n >= 16) {
    if (n > 512) { memory.copy(d, s, n); return; }
    const last = n - 16;
    for (let i: usize = 0; i < last; i += 16) v128.store(d + i, v128.load(s + i));
    v128.store(d + last, v128.load(s + last));     // overlapping tail
  } else {
    let i: usize = 0;
    if (n >= 8) { store<u64>(d, load<u64>(s)); store<u64>(d + n - 8, load<u64>(s + n - 8)); return; }
    for (; i < n; i++) store<u8>(d + i, load<u8>(s + i));
  }
}

/**
 * Copies up to `cap` message bytes to `dst` from `count` (offset, length) u32 pairs at `ranges`
 * over the window `win`, resuming at the position (range index, offset in it) saved at `state`
 * (u32[2], updated). Returns the number of bytes written.
 */
export function gatherRanges(win: usize, ranges: usize, count: u32, state: usize, dst: usize, cap: u32): u32 {
  let idx = load<u32>(state), off = load<u32>(state, 4), n: u32 = 0;
  while (idx < count && n < cap) {
    const rp = ranges + (<usize>idx << 3);
    const ro = load<u32>(rp), rl = load<u32>(rp, 4);
    const take = min<u32>(rl - off, cap - n);
    const s = win + <usize>ro + <usize>off, d = dst + <usize>n;
    copySmall(d, s, <usize>take);
    n += take; off += take;
    if (off == rl) { idx++; off = 0; }
  }
  store<u32>(state, idx);
  store<u32>(state, off, 4);
  return n;
}
