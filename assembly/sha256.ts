// SHA-256 (FIPS 180-4), streaming, over raw wasm memory.
//
// Context layout (SHA256_CTX_SIZE bytes, caller-provided so that any number of contexts can live in
// memory; the wrapper swaps contexts in and out of a single slot):
//   0  u32[8]  chaining state h0..h7
//   32 u64     total bytes absorbed
//   40 u32     bytes waiting in the block buffer (0..63)
//   48 u8[64]  block buffer
export const SHA256_CTX_SIZE: i32 = 112;

import { sha256Compress } from "./sha256-compress";

/** Compresses `nblocks` consecutive 64-byte blocks at `p` into the state at `st` (unrolled, generated). */
export function sha256Blocks(st: usize, p: usize, nblocks: usize): void {
  sha256Compress(st, p, nblocks);
}

export function sha256Init(ctx: usize): void {
  store<u32>(ctx, 0x6a09e667, 0); store<u32>(ctx, 0xbb67ae85, 4);
  store<u32>(ctx, 0x3c6ef372, 8); store<u32>(ctx, 0xa54ff53a, 12);
  store<u32>(ctx, 0x510e527f, 16); store<u32>(ctx, 0x9b05688c, 20);
  store<u32>(ctx, 0x1f83d9ab, 24); store<u32>(ctx, 0x5be0cd19, 28);
  store<u64>(ctx, 0, 32);
  store<u32>(ctx, 0, 40);
}

export function sha256Update(ctx: usize, p: usize, len: usize): void {
  if (len == 0) return;
  store<u64>(ctx, load<u64>(ctx, 32) + <u64>len, 32);
  let fill = <usize>load<u32>(ctx, 40);
  const buf = ctx + 48;
  if (fill != 0) {
    const take = min<usize>(64 - fill, len);
    memory.copy(buf + fill, p, take);
    fill += take; p += take; len -= take;
    if (fill < 64) { store<u32>(ctx, <u32>fill, 40); return; }
    sha256Blocks(ctx, buf, 1);
    fill = 0;
  }
  const nb = len >> 6;
  if (nb != 0) { sha256Blocks(ctx, p, nb); p += nb << 6; len -= nb << 6; }
  if (len != 0) memory.copy(buf, p, len);
  store<u32>(ctx, <u32>len, 40);
}

/** Writes the 32-byte digest to `out`; the context must be re-initialised before reuse. */
export function sha256Final(ctx: usize, out: usize): void {
  const buf = ctx + 48;
  let fill = <usize>load<u32>(ctx, 40);
  const bits = load<u64>(ctx, 32) << 3;
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > 56) {
    memory.fill(buf + fill, 0, 64 - fill);
    sha256Blocks(ctx, buf, 1);
    fill = 0;
  }
  memory.fill(buf + fill, 0, 56 - fill);
  store<u64>(buf, bswap<u64>(bits), 56);
  sha256Blocks(ctx, buf, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(ctx + i)));
}

/** One-shot SHA-256 of `len` bytes at `p` into `out`, using the caller's scratch context. */
export function sha256Once(ctx: usize, p: usize, len: usize, out: usize): void {
  sha256Init(ctx);
  sha256Update(ctx, p, len);
  sha256Final(ctx, out);
}
