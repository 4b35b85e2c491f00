// kernel.wasm entry point: raw exports over linear memory, no bindings, no GC. Every buffer is
// allocated once here; src/kernel/kernel.ts copies inputs into the staging areas in chunks.
export { sha256Init, sha256Update, sha256Final, sha256Once, sha256Blocks } from "./sha256";
export { hmacInit, hmacFinal, hmacX4Blocks, gatherRanges } from "./hmac";
export { siphashInit, siphashUpdate, siphashFinal, siphash24 } from "./siphash";
export { lookup3Init, lookup3Update, lookup3Final, jenkinsHash64 } from "./lookup3";
export { siphash24Many, jenkinsHash64Many } from "./hashmany";
export {
  zstdDecode, zstdCheckBatch, zstdCheckObjects, zstdPack, zstdInPtr, zstdInSize, zstdKeyPtr, zstdOutPtr, zstdMax, zstdEndsPtr, zstdFlagsPtr, zstdHashesPtr,
} from "./zstd";
export { bnMul, bnMod, montSetup, montMul, montExp } from "./bignum";
export {
  fsprgSetup, fsprgExportPQN, fsprgSeek, fsprgEvolve, fsprgGetKey, fsprgCurPtr, fsprgSeekCur, fsprgNextKey, isProbablePrime,
} from "./fsprg";
import { HMAC_CTX_SIZE } from "./hmac";
import { SHA256_CTX_SIZE } from "./sha256";
import { MONT_SIZE } from "./bignum";
import { FCTX, FCTX_SIZE } from "./fsprg";

/** Streaming staging buffer (HMAC/SHA-256 contexts the wrapper swaps in and out). */
const STAGE_SIZE: usize = 256 << 10;
/** One-shot staging buffer (sha256, siphash, lookup3), separate so one-shots never flush streams. */
const SCRATCH_SIZE: usize = 64 << 10;
const STAGE = heap.alloc(STAGE_SIZE);
const SCRATCH = heap.alloc(SCRATCH_SIZE);
const STREAM_CTX = heap.alloc(<usize>HMAC_CTX_SIZE);
const ONESHOT_CTX = heap.alloc(<usize>HMAC_CTX_SIZE);
const IO = heap.alloc(1024);            // keys, digests, 394-byte states, p/q/n exports
const BN = heap.alloc(4 * 4 * 128);     // 4 bignum operands of up to 128 limbs (test hooks)
const MC = heap.alloc(<usize>MONT_SIZE);
/** Multi-buffer HMAC: 4 lane contexts + 1 dummy context for idle lanes, 4 lane staging buffers. */
const LANE_BUF_SIZE: usize = 64 << 10;
const LANE_CTX = heap.alloc(5 * <usize>HMAC_CTX_SIZE);
const LANE_BUF = heap.alloc(4 * LANE_BUF_SIZE);
/** hmacSha256Ranges: per lane, a copy of the job's span of the file and its (offset, length) list. */
const LANE_WIN_SIZE: usize = 256 << 10;
const LANE_RANGES_SIZE: usize = 64 << 10;
const LANE_WIN = heap.alloc(4 * LANE_WIN_SIZE);
const LANE_RANGES = heap.alloc(4 * LANE_RANGES_SIZE);
const LANE_GATHER = heap.alloc(4 * 8);
/** siphash24Many / jenkinsHash64Many: a window of the file, its (offset, length) list, the u64 results. */
const HASH_WIN_SIZE: usize = 1 << 20;
const HASH_MAX: usize = 8192;
const HASH_WIN = heap.alloc(HASH_WIN_SIZE);
const HASH_RANGES = heap.alloc(HASH_MAX * 8);
const HASH_OUT = heap.alloc(HASH_MAX * 8);

export function stagePtr(): usize { return STAGE; }
export function stageSize(): usize { return STAGE_SIZE; }
export function scratchPtr(): usize { return SCRATCH; }
export function scratchSize(): usize { return SCRATCH_SIZE; }
export function streamCtxPtr(): usize { return STREAM_CTX; }
export function oneshotCtxPtr(): usize { return ONESHOT_CTX; }
export function hmacCtxSize(): i32 { return HMAC_CTX_SIZE; }
export function sha256CtxSize(): i32 { return SHA256_CTX_SIZE; }
export function ioPtr(): usize { return IO; }
export function bnPtr(): usize { return BN; }
export function montCtxPtr(): usize { return MC; }
export function fsprgCtxPtr(): usize { return FCTX; }
export function fsprgCtxSize(): i32 { return FCTX_SIZE; }
export function laneCtxPtr(): usize { return LANE_CTX; }
export function laneBufPtr(): usize { return LANE_BUF; }
export function laneBufSize(): usize { return LANE_BUF_SIZE; }
export function laneWinPtr(): usize { return LANE_WIN; }
export function laneWinSize(): usize { return LANE_WIN_SIZE; }
export function laneRangesPtr(): usize { return LANE_RANGES; }
export function laneRangesSize(): usize { return LANE_RANGES_SIZE; }
export function laneGatherPtr(): usize { return LANE_GATHER; }
export function hashWinPtr(): usize { return HASH_WIN; }
export function hashWinSize(): usize { return HASH_WIN_SIZE; }
export function hashRangesPtr(): usize { return HASH_RANGES; }
export function hashOutPtr(): usize { return HASH_OUT; }
export function hashMax(): usize { return HASH_MAX; }
export {
  arenaReserve, fileAlloc, scanAlloc, scanInit, scanRun, scanOutPtr, scanTagsPtr, scanCompressedPtr, segmentStart, segmentGather,
  scanPosition, winBase, winShift,
  scanTagCount, scanCompressedCount, scanAvail, scanStagePtr, scanStageSize,
} from "./scan";
