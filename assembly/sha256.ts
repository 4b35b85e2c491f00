// SHA-256 (FIPS 180-4), streaming, over raw wasm memory.
//
// Context layout (SHA256_CTX_SIZE bytes, caller-provided so that any number of contexts can live in
// memory; the wrapper swaps contexts in and out of a single slot):
//   0  u32[8]  chaining state h0..h7
//   32 u64     total bytes absorbed
//   40 u32     bytes waiting in the block buffer (0..63)
//   48 u8[64]  block buffer
export const SHA256_CTX_SIZE: i32 = 112;

const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// Message schedule scratch (64 words). Single-threaded module, so one is enough.
const W: usize = memory.data(256, 16);

/** Compresses `nblocks` consecutive 64-byte blocks at `p` into the state at `st`. */
export function sha256Blocks(st: usize, p: usize, nblocks: usize): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  let e = load<u32>(st, 16), f = load<u32>(st, 20), g = load<u32>(st, 24), h = load<u32>(st, 28);
  const end = p + (nblocks << 6);
  while (p < end) {
    for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bswap<u32>(load<u32>(p + i)));
    for (let i: usize = 64; i < 256; i += 4) {
      const w15 = load<u32>(W + i - 60), w2 = load<u32>(W + i - 8);
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      store<u32>(W + i, load<u32>(W + i - 64) + s0 + load<u32>(W + i - 28) + s1);
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    // Eight rounds per iteration with the working variables renamed instead of shifted.
    for (let i: usize = 0; i < 256; i += 32) {
      let t: u32;
      t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + load<u32>(K + i) + load<u32>(W + i);
      d += t; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + ((d & e) ^ (~d & f)) + load<u32>(K + i, 4) + load<u32>(W + i, 4);
      c += t; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + ((h & a) ^ (h & b) ^ (a & b));
      t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + ((c & d) ^ (~c & e)) + load<u32>(K + i, 8) + load<u32>(W + i, 8);
      b += t; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + ((g & h) ^ (g & a) ^ (h & a));
      t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + ((b & c) ^ (~b & d)) + load<u32>(K + i, 12) + load<u32>(W + i, 12);
      a += t; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + ((f & g) ^ (f & h) ^ (g & h));
      t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + ((a & b) ^ (~a & c)) + load<u32>(K + i, 16) + load<u32>(W + i, 16);
      h += t; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + ((e & f) ^ (e & g) ^ (f & g));
      t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + ((h & a) ^ (~h & b)) + load<u32>(K + i, 20) + load<u32>(W + i, 20);
      g += t; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + ((d & e) ^ (d & f) ^ (e & f));
      t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + ((g & h) ^ (~g & a)) + load<u32>(K + i, 24) + load<u32>(W + i, 24);
      f += t; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + ((c & d) ^ (c & e) ^ (d & e));
      t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + ((f & g) ^ (~f & h)) + load<u32>(K + i, 28) + load<u32>(W + i, 28);
      e += t; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + ((b & c) ^ (b & d) ^ (c & d));
    }
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
    p += 64;
  }
  store<u32>(st, a, 0); store<u32>(st, b, 4); store<u32>(st, c, 8); store<u32>(st, d, 12);
  store<u32>(st, e, 16); store<u32>(st, f, 20); store<u32>(st, g, 24); store<u32>(st, h, 28);
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
