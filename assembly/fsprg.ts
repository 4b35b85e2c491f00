// FSPRG, the seekable forward-secure PRG of systemd's fsprg.c (journald's sealing keys), for
// secpar 1536 only (the only value systemd writes). See verify-and-fss.md §3.4.
//
// The per-seed context (FCTX, FCTX_SIZE bytes) holds everything derived from the seed once:
// p, q, n, x0, x0 mod p, x0 mod q, p^-1 mod q and the Montgomery contexts of p and q. The wrapper
// saves/restores it so that several seeds can be in use at the same time.
import { isArena } from "./scan";
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final } from "./sha256";
import {
  MONT_SIZE, bnFromBE, bnToBE, bnCmp, bnAdd, bnSub, bnAddSmall, bnMul, bnMod, bnModSmall,
  montSetup, montExp, montSqr, montMul, montTo, montFrom, millerRabinSmall,
} from "./bignum";

const SECPAR: i32 = 1536;
const HL: i32 = 24;              // limbs of p, q (768 bits)
const NL: i32 = 48;              // limbs of n (1536 bits)
const STATE_SIZE: i32 = 2 + 192 + 192 + 8;
const RND_GEN_P: u32 = 1, RND_GEN_Q: u32 = 2, RND_GEN_X: u32 = 3;

// ---- per-seed context -----------------------------------------------------------------------
const O_P: usize = 0;
const O_Q: usize = O_P + 4 * HL;
const O_N: usize = O_Q + 4 * HL;
const O_X0: usize = O_N + 4 * NL;
const O_XP0: usize = O_X0 + 4 * NL;
const O_XQ0: usize = O_XP0 + 4 * HL;
const O_PINV: usize = O_XQ0 + 4 * HL;
const O_MCP: usize = O_PINV + 4 * HL;
const O_MCQ: usize = O_MCP + MONT_SIZE;
export const FCTX_SIZE: i32 = <i32>(O_MCQ + MONT_SIZE);
export const FCTX: usize = memory.data(FCTX_SIZE, 16);

// ---- scratch ----------------------------------------------------------------------------------
const SHA: usize = memory.data(SHA256_CTX_SIZE, 16);
const RBUF: usize = memory.data(192 + 32, 16);
const CTRBUF: usize = memory.data(8, 8);
const A: usize = memory.data(4 * 100, 16);
const B: usize = memory.data(4 * 100, 16);
const C: usize = memory.data(4 * 100, 16);
const D: usize = memory.data(4 * 50, 16);
const MC_TEST: usize = memory.data(MONT_SIZE, 16);

/** det_randomize: block k = SHA256(seed || BE32(idx) || BE32(k)), concatenated, truncated. */
export function detRandomize(seed: usize, seedLen: usize, idx: u32, out: usize, nbytes: usize): void {
  let k: u32 = 0;
  for (let off: usize = 0; off < nbytes; off += 32) {
    sha256Init(SHA);
    sha256Update(SHA, seed, seedLen);
    store<u32>(CTRBUF, bswap<u32>(idx));
    store<u32>(CTRBUF, bswap<u32>(k), 4);
    sha256Update(SHA, CTRBUF, 8);
    sha256Final(SHA, RBUF + 192);
    memory.copy(out + off, RBUF + 192, min<usize>(32, nbytes - off));
    k++;
  }
}

// ---- prime generation ---------------------------------------------------------------------------
// Odd primes below SIEVE_LIMIT, their residues for the current candidate base and 4^-1 mod each.
const SIEVE_LIMIT: i32 = 1 << 16;
const WINDOW: i32 = 4096;          // candidates base + 4k, k < WINDOW, sieved at once
let nPrimes: i32 = 0;
let PRIMES: usize = 0;
let INV4: usize = 0;
let MARK: usize = 0;

function initPrimes(): void {
  if (nPrimes != 0) return;
  if (isArena()) unreachable(); // an arena's memory past the runtime's heap is the journal's
  const comp = heap.alloc(<usize>SIEVE_LIMIT);
  memory.fill(comp, 0, <usize>SIEVE_LIMIT);
  let count = 0;
  for (let i = 3; i < SIEVE_LIMIT; i += 2) {
    if (load<u8>(comp + <usize>i) != 0) continue;
    count++;
    if (i < 46341) for (let j = i * i; j < SIEVE_LIMIT; j += 2 * i) store<u8>(comp + <usize>j, 1);
  }
  PRIMES = heap.alloc(<usize>count << 2);
  INV4 = heap.alloc(<usize>count << 2);
  MARK = heap.alloc(<usize>WINDOW);
  let k = 0;
  for (let i = 3; i < SIEVE_LIMIT; i += 2) {
    if (load<u8>(comp + <usize>i) != 0) continue;
    const p = <u32>i;
    const inv2 = (p + 1) >> 1;
    store<u32>(PRIMES + (<usize>k << 2), p);
    store<u32>(INV4 + (<usize>k << 2), <u32>((<u64>inv2 * <u64>inv2) % <u64>p));
    k++;
  }
  nPrimes = count;
}

/** Probable-prime test for an odd n of `nl` limbs with no factor below SIEVE_LIMIT: Miller-Rabin
 *  with bases 2, 3, 5, 7 (base 2 first; it rejects practically every composite). */
export function isProbablePrimeSieved(n: usize, nl: i32): bool {
  montSetup(MC_TEST, n, nl);
  if (!millerRabinSmall(MC_TEST, 2)) return false;
  return millerRabinSmall(MC_TEST, 3) && millerRabinSmall(MC_TEST, 5) && millerRabinSmall(MC_TEST, 7);
}

/** General probable-prime test (tests and hooks): small primes by division, then the MR rounds. */
export function isProbablePrime(n: usize, nl: i32): bool {
  initPrimes();
  while (nl > 1 && load<u32>(n + (<usize>(nl - 1) << 2)) == 0) nl--;
  if (nl == 1 && load<u32>(n) < 2) return false;
  if ((load<u32>(n) & 1) == 0) return nl == 1 && load<u32>(n) == 2;
  for (let i = 0; i < nPrimes; i++) {
    const p = load<u32>(PRIMES + (<usize>i << 2));
    if (bnModSmall(n, nl, p) == 0) return nl == 1 && load<u32>(n) == p;
  }
  if (nl == 1 && <u64>load<u32>(n) < <u64>SIEVE_LIMIT * <u64>SIEVE_LIMIT) return true;
  return isProbablePrimeSieved(n, nl);
}

/** genprime3mod4: first prime >= (det_randomize(seed, idx, 96) | top two bits | 3) in steps of 4. */
function genPrime3mod4(seed: usize, idx: u32, out: usize): void {
  initPrimes();
  detRandomize(seed, 12, idx, RBUF, 96);
  store<u8>(RBUF, load<u8>(RBUF) | 0xc0);
  store<u8>(RBUF + 95, load<u8>(RBUF + 95) | 0x03);
  bnFromBE(out, RBUF, 96, HL);
  for (;;) {
    memory.fill(MARK, 0, <usize>WINDOW);
    for (let i = 0; i < nPrimes; i++) {
      const p = load<u32>(PRIMES + (<usize>i << 2));
      const r = bnModSmall(out, HL, p);
      // base + 4k == 0 (mod p)  <=>  k == -r * 4^-1 (mod p)
      let k = <i32>((<u64>(r == 0 ? 0 : p - r) * <u64>load<u32>(INV4 + (<usize>i << 2))) % <u64>p);
      for (; k < WINDOW; k += <i32>p) store<u8>(MARK + <usize>k, 1);
    }
    let prev = 0;
    for (let k = 0; k < WINDOW; k++) {
      if (load<u8>(MARK + <usize>k) != 0) continue;
      bnAddSmall(out, <u32>(4 * (k - prev)), HL);
      prev = k;
      if (isProbablePrimeSieved(out, HL)) return;
    }
    bnAddSmall(out, <u32>(4 * (WINDOW - prev)), HL);
  }
}

// ---- FSPRG -------------------------------------------------------------------------------------
/** Derives p, q, n, x0 and the seek constants for a 12-byte seed into FCTX. */
export function fsprgSetup(seed: usize): void {
  const P = FCTX + O_P, Q = FCTX + O_Q, N = FCTX + O_N, X0 = FCTX + O_X0;
  genPrime3mod4(seed, RND_GEN_P, P);
  genPrime3mod4(seed, RND_GEN_Q, Q);
  bnMul(N, P, HL, Q, HL);
  // gensquare: x = det_randomize(seed, 3, 192) with the top bit cleared (< n); x0 = x^2 mod n
  detRandomize(seed, 12, RND_GEN_X, RBUF, 192);
  store<u8>(RBUF, load<u8>(RBUF) & 0x7f);
  bnFromBE(A, RBUF, 192, NL);
  bnMul(B, A, NL, A, NL);
  bnMod(X0, B, 2 * NL, N, NL);
  bnMod(FCTX + O_XP0, X0, NL, P, HL);
  bnMod(FCTX + O_XQ0, X0, NL, Q, HL);
  montSetup(FCTX + O_MCP, P, HL);
  montSetup(FCTX + O_MCQ, Q, HL);
  // p^-1 mod q = p^(q-2) mod q (q prime)
  bnMod(A, P, HL, Q, HL);
  memory.copy(B, Q, 4 * HL);
  bnSub(B, B, memory.data<u32>([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), HL);
  montExp(FCTX + O_PINV, A, B, HL, FCTX + O_MCQ);
}

/** p (96 B), q (96 B), n (192 B) big-endian to `out`. */
export function fsprgExportPQN(out: usize): void {
  bnToBE(out, FCTX + O_P, HL, 96);
  bnToBE(out + 96, FCTX + O_Q, HL, 96);
  bnToBE(out + 192, FCTX + O_N, NL, 192);
}

/** r = 2^e mod m (m: HL limbs, m > 1), square-and-double over the bits of e, MSB first. */
function twoPowMod(r: usize, e: u64, m: usize): void {
  memory.fill(r, 0, 4 * HL);
  store<u32>(r, 1);
  if (e == 0) return;
  for (let i = 63 - <i32>clz<u64>(e); i >= 0; i--) {
    bnMul(C, r, HL, r, HL);
    bnMod(r, C, 2 * HL, m, HL);
    if (((e >> <u64>i) & 1) != 0) {
      const carry = bnAdd(r, r, r, HL);
      if (carry != 0 || bnCmp(r, m, HL) >= 0) bnSub(r, r, m, HL);
    }
  }
}

function writeState(out: usize, x: usize, epoch: u64): void {
  store<u8>(out, <u8>((SECPAR / 16 - 1) >> 8));
  store<u8>(out + 1, <u8>((SECPAR / 16 - 1) & 0xff));
  bnToBE(out + 2, FCTX + O_N, NL, 192);
  bnToBE(out + 194, x, NL, 192);
  store<u64>(out + 386, bswap<u64>(epoch));
}

/** x0^(2^epoch) mod p into A and mod q into B (ordinary residues): Seek's two halves. */
function seekHalves(epoch: u64): void {
  const P = FCTX + O_P, Q = FCTX + O_Q;
  // kp = 2^e mod (p-1), xp = x0^kp mod p   (D holds p-1 / q-1)
  memory.copy(D, P, 4 * HL);
  store<u32>(D, load<u32>(D) - 1);              // p odd: no borrow
  twoPowMod(A, epoch, D);
  montExp(A, FCTX + O_XP0, A, HL, FCTX + O_MCP);
  memory.copy(D, Q, 4 * HL);
  store<u32>(D, load<u32>(D) - 1);
  twoPowMod(B, epoch, D);
  montExp(B, FCTX + O_XQ0, B, HL, FCTX + O_MCQ);
}

/**
 * x mod n into C (NL limbs) from xp = A and h = B, where h = (xq - xp) * p^-1 mod q: x = p*h + xp.
 * Clobbers A's upper half.
 */
function composeCrt(): void {
  bnMul(C, FCTX + O_P, HL, B, HL);
  memory.fill(A + 4 * HL, 0, 4 * HL);
  bnAdd(C, C, A, NL);
}

/** The state of `epoch` into `out` from its halves (seekHalves: xp in A, xq in B). Clobbers A and B. */
function stateFromHalves(epoch: u64, out: usize): void {
  const Q = FCTX + O_Q;
  // h = (xq - xp) * p^-1 mod q
  bnMod(C, A, HL, Q, HL);
  if (bnSub(B, B, C, HL) != 0) bnAdd(B, B, Q, HL);
  bnMul(C, B, HL, FCTX + O_PINV, HL);
  bnMod(B, C, 2 * HL, Q, HL);
  composeCrt();
  writeState(out, C, epoch);
}

/** FSPRG_Seek: the 394-byte state of `epoch` into `out`, by CRT (cost independent of epoch). */
export function fsprgSeek(epoch: u64, out: usize): void {
  seekHalves(epoch);
  stateFromHalves(epoch, out);
}

/** FSPRG_Evolve in place: x <- x^2 mod n, epoch + 1. Uses only the state itself. */
export function fsprgEvolve(state: usize): void {
  bnFromBE(D, state + 2, 192, NL);       // n
  bnFromBE(A, state + 194, 192, NL);     // x
  bnMul(B, A, NL, A, NL);
  bnMod(A, B, 2 * NL, D, NL);
  bnToBE(state + 194, A, NL, 192);
  store<u64>(state + 386, bswap<u64>(bswap<u64>(load<u64>(state + 386)) + 1));
}

/** FSPRG_GetKey(state, 32, 0): SHA256(state[2..394) || BE32(0) || BE32(0)). */
export function fsprgGetKey(state: usize, out: usize): void {
  detRandomize(state + 2, <usize>(STATE_SIZE - 2), 0, out, 32);
}

// ---- consecutive epochs -------------------------------------------------------------------------
// A verifier walks the tags' epochs mostly one by one, so one running state (CUR) is kept, with its
// x also as x mod p and x mod q in Montgomery form (XPM, XQM). Evolve is then two 768-bit Montgomery
// squarings (bignum.ts's montMul) instead of a 1536-bit square and a long division, and x mod n
// comes back by CRT for the key: the same x, so the same state and key as fsprgEvolve + fsprgGetKey.
// The key's SHA-256 starts from the midstate after n: GetKey hashes state[2..394) and its first
// 192 bytes are n, three whole blocks that are the same for every epoch of the seed.
const CUR: usize = memory.data(STATE_SIZE, 16);
const XPM: usize = memory.data(4 * HL, 16);
const XQM: usize = memory.data(4 * HL, 16);
const PINVM: usize = memory.data(4 * HL, 16);          // p^-1 mod q, Montgomery form
const NMID: usize = memory.data(SHA256_CTX_SIZE, 16);  // SHA-256 context after n

export function fsprgCurPtr(): usize { return CUR; }

/** CUR = Seek(epoch), with its running CRT halves; the seed's context must be loaded (FCTX). */
export function fsprgSeekCur(epoch: u64): void {
  const MCP = FCTX + O_MCP, MCQ = FCTX + O_MCQ;
  seekHalves(epoch);
  montTo(XPM, A, MCP);
  montTo(XQM, B, MCQ);
  stateFromHalves(epoch, CUR);
  montTo(PINVM, FCTX + O_PINV, MCQ);
  sha256Init(NMID);
  sha256Update(NMID, CUR + 2, 192);
}

/**
 * Evolve of CUR (x <- x^2 mod n, epoch + 1), then its key into `out`: one call per consecutive epoch,
 * after fsprgSeekCur with the same seed's context loaded.
 */
export function fsprgNextKey(out: usize): void {
  const Q = FCTX + O_Q, MCP = FCTX + O_MCP, MCQ = FCTX + O_MCQ;
  montSqr(XPM, XPM, MCP);
  montSqr(XQM, XQM, MCQ);
  montFrom(A, XPM, MCP);
  montFrom(B, XQM, MCQ);
  // h = (xq - xp mod q) * p^-1 mod q; p and q have their top two bits set, so xp < p < 2q
  memory.copy(C, A, 4 * HL);
  if (bnCmp(C, Q, HL) >= 0) bnSub(C, C, Q, HL);
  if (bnSub(B, B, C, HL) != 0) bnAdd(B, B, Q, HL);
  montMul(B, B, PINVM, MCQ);
  composeCrt();
  bnToBE(CUR + 194, C, NL, 192);
  store<u64>(CUR + 386, bswap<u64>(bswap<u64>(load<u64>(CUR + 386)) + 1));
  // GetKey: SHA256(n || x || BE64(epoch) || BE32(0) || BE32(0)), n's blocks already in NMID
  memory.copy(SHA, NMID, SHA256_CTX_SIZE);
  sha256Update(SHA, CUR + 194, 200);
  store<u64>(CTRBUF, 0);
  sha256Update(SHA, CTRBUF, 8);
  sha256Final(SHA, out);
}
