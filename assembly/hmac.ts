// HMAC-SHA256 (RFC 2104) on top of sha256.ts.
//
// Context layout (HMAC_CTX_SIZE bytes): inner SHA-256 context at 0, outer context at 112, the outer
// one already holding (key ^ opad) so that the final step is one more block. Callers stream message
// bytes into the inner context with sha256Update(ctx, ...).
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final, sha256Once } from "./sha256";

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
