// SipHash-2-4 (Aumasson & Bernstein), 64-bit output: the journal's KEYED_HASH, keyed with the
// file's 16-byte file_id. Streaming so that large payloads pass through a small staging buffer.
let v0: u64 = 0, v1: u64 = 0, v2: u64 = 0, v3: u64 = 0;
let tail: u64 = 0;     // pending bytes (little-endian) of an incomplete 8-byte word
let tailLen: u32 = 0;
let total: u64 = 0;

// @ts-ignore: decorator
@inline function round(): void {
  v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
  v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
}

// @ts-ignore: decorator
@inline function absorb(m: u64): void {
  v3 ^= m;
  round(); round();
  v0 ^= m;
}

export function siphashInit(key: usize): void {
  const k0 = load<u64>(key), k1 = load<u64>(key, 8);
  v0 = 0x736f6d6570736575 ^ k0;
  v1 = 0x646f72616e646f6d ^ k1;
  v2 = 0x6c7967656e657261 ^ k0;
  v3 = 0x7465646279746573 ^ k1;
  tail = 0; tailLen = 0; total = 0;
}

export function siphashUpdate(p: usize, len: usize): void {
  total += <u64>len;
  while (tailLen != 0 && len != 0) {
    tail |= (<u64>load<u8>(p)) << (<u64>(tailLen << 3));
    p++; len--; tailLen++;
    if (tailLen == 8) { absorb(tail); tail = 0; tailLen = 0; }
  }
  // Locals instead of globals in the hot loop.
  let a = v0, b = v1, c = v2, d = v3;
  const end = p + (len & ~7);
  while (p < end) {
    const m = load<u64>(p);
    d ^= m;
    a += b; b = rotl<u64>(b, 13); b ^= a; a = rotl<u64>(a, 32);
    c += d; d = rotl<u64>(d, 16); d ^= c;
    a += d; d = rotl<u64>(d, 21); d ^= a;
    c += b; b = rotl<u64>(b, 17); b ^= c; c = rotl<u64>(c, 32);
    a += b; b = rotl<u64>(b, 13); b ^= a; a = rotl<u64>(a, 32);
    c += d; d = rotl<u64>(d, 16); d ^= c;
    a += d; d = rotl<u64>(d, 21); d ^= a;
    c += b; b = rotl<u64>(b, 17); b ^= c; c = rotl<u64>(c, 32);
    a ^= m;
    p += 8;
  }
  v0 = a; v1 = b; v2 = c; v3 = d;
  len &= 7;
  while (len != 0) {
    tail |= (<u64>load<u8>(p)) << (<u64>(tailLen << 3));
    p++; len--; tailLen++;
  }
}

export function siphashFinal(): u64 {
  const b = tail | ((total & 0xff) << 56);
  absorb(b);
  v2 ^= 0xff;
  round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

export function siphash24(key: usize, p: usize, len: usize): u64 {
  siphashInit(key);
  siphashUpdate(p, len);
  return siphashFinal();
}
