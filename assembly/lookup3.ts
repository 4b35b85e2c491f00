// Bob Jenkins' lookup3 hashlittle2 with initvals 0/0, as systemd's jenkins_hash64():
// result = (c << 32) | b. Used for DATA/FIELD hashes of files without KEYED_HASH.
// The initial state depends on the total length, and the last 1..12 bytes get the "final" mix
// instead of "mix", so the streaming form keeps up to 12 bytes back until more input arrives.
let a: u32 = 0, b: u32 = 0, c: u32 = 0;
let pendLen: u32 = 0;
const PEND: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function mixBlock(x: u32, y: u32, z: u32): void {
  let A = a + x, B = b + y, C = c + z;
  A -= C; A ^= rotl<u32>(C, 4);  C += B;
  B -= A; B ^= rotl<u32>(A, 6);  A += C;
  C -= B; C ^= rotl<u32>(B, 8);  B += A;
  A -= C; A ^= rotl<u32>(C, 16); C += B;
  B -= A; B ^= rotl<u32>(A, 19); A += C;
  C -= B; C ^= rotl<u32>(B, 4);  B += A;
  a = A; b = B; c = C;
}

export function lookup3Init(totalLen: u32): void {
  a = b = c = 0xdeadbeef + totalLen;
  pendLen = 0;
}

export function lookup3Update(p: usize, len: usize): void {
  // Top up the pending block; it may only be mixed once we know more bytes follow.
  while (len != 0) {
    if (pendLen == 12) {
      mixBlock(load<u32>(PEND), load<u32>(PEND, 4), load<u32>(PEND, 8));
      pendLen = 0;
    }
    if (pendLen == 0) {
      while (len > 12) {
        mixBlock(load<u32>(p), load<u32>(p, 4), load<u32>(p, 8));
        p += 12; len -= 12;
      }
    }
    const take = min<usize>(12 - <usize>pendLen, len);
    memory.copy(PEND + <usize>pendLen, p, take);
    pendLen += <u32>take; p += take; len -= take;
  }
}

export function lookup3Final(): u64 {
  if (pendLen == 0) return (<u64>c << 32) | <u64>b;   // only for empty input
  memory.fill(PEND + <usize>pendLen, 0, 12 - <usize>pendLen);
  let A = a + load<u32>(PEND), B = b + load<u32>(PEND, 4), C = c + load<u32>(PEND, 8);
  C ^= B; C -= rotl<u32>(B, 14);
  A ^= C; A -= rotl<u32>(C, 11);
  B ^= A; B -= rotl<u32>(A, 25);
  C ^= B; C -= rotl<u32>(B, 16);
  A ^= C; A -= rotl<u32>(C, 4);
  B ^= A; B -= rotl<u32>(A, 14);
  C ^= B; C -= rotl<u32>(B, 24);
  return (<u64>C << 32) | <u64>B;
}

export function jenkinsHash64(p: usize, len: usize): u64 {
  lookup3Init(<u32>len);
  lookup3Update(p, len);
  return lookup3Final();
}
