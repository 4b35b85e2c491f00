/**
 * DATA payload decoders, with systemd's error behaviour (decompress_blob_* in compress.c; spec §5).
 * LZ4 (our own raw block decoder, below) is synchronous; ZSTD is synchronous once prepareZstd() has loaded
 * libzstd (zstddec, WebAssembly), and otherwise (or for a frame over WASM_ZSTD_MAX) asynchronous the
 * first time, while its fallback fzstd loads; XZ (xz-decompress, WebAssembly) is loaded with a
 * dynamic import the first time an XZ object is met. The decoders load only when a file needs them.
 *
 * Memory: output is bounded by `maxSize`, default `defaultMaxSize(algorithm, stored.length)`: the
 * smallest of systemd's DATA_SIZE_MAX (768 MiB, used by --verify since 255) and what the format can
 * physically produce from `stored.length` input bytes (LZ4: 255 output bytes per input byte; ZSTD: one
 * 128 KiB RLE block per 4 input bytes; XZ: LZMA2 cannot exceed ~7000:1, we allow 2^13:1). A hostile
 * size field therefore can never make us allocate more than that bound, and a legitimate payload is
 * never refused.
 */
import type { ZSTDDecoder } from 'zstddec';
import type { Errno } from '../errors.js';
import { ObjectFlag } from './format.js';

export type Algorithm = 'XZ' | 'LZ4' | 'ZSTD';

export class DecompressError extends Error {
  constructor(
    readonly algorithm: Algorithm,
    readonly errno: Errno,
    message: string,
  ) {
    super(message);
    this.name = 'DecompressError';
  }
}

export interface DecompressOptions {
  /** Largest output accepted (bytes); larger → DecompressError. Default: defaultMaxSize(). */
  maxSize?: number;
}

/** systemd's DATA_SIZE_MAX (≥ 255). */
export const DATA_SIZE_MAX = 768 * 1024 * 1024;

const RATIO: Record<Algorithm, number> = { LZ4: 255, ZSTD: 32768, XZ: 8192 };

export function defaultMaxSize(algorithm: Algorithm, storedLength: number): number {
  return Math.min(DATA_SIZE_MAX, storedLength * RATIO[algorithm] + 1024);
}

/** The algorithm named by a DATA object's flags; undefined for none; 'invalid' when several are set. */
export function compressionOf(objectFlags: number): Algorithm | undefined | 'invalid' {
  const c = objectFlags & (ObjectFlag.COMPRESSED_XZ | ObjectFlag.COMPRESSED_LZ4 | ObjectFlag.COMPRESSED_ZSTD);
  switch (c) {
    case 0:
      return undefined;
    case ObjectFlag.COMPRESSED_XZ:
      return 'XZ';
    case ObjectFlag.COMPRESSED_LZ4:
      return 'LZ4';
    case ObjectFlag.COMPRESSED_ZSTD:
      return 'ZSTD';
    default:
      return 'invalid';
  }
}

/**
 * Decode a stored DATA payload. Returns the input itself (no copy) when uncompressed, a new array for
 * LZ4/ZSTD, and a Promise for XZ and while a decoder loads (see above). Several compression flags at once → DecompressError EPROTONOSUPPORT
 * (systemd: "invalid compression").
 */
export function decompressPayload(
  objectFlags: number,
  stored: Uint8Array,
  opts: DecompressOptions = {},
): Uint8Array | Promise<Uint8Array> {
  const alg = compressionOf(objectFlags);
  if (alg === undefined) return stored;
  if (alg === 'invalid') {
    throw new DecompressError('XZ', 'EPROTONOSUPPORT', `object has several compression flags set (0x${(objectFlags & 7).toString(16)})`);
  }
  const max = opts.maxSize ?? defaultMaxSize(alg, stored.length);
  switch (alg) {
    case 'LZ4':
      return decompressLz4(stored, max);
    case 'ZSTD':
      return decompressZstd(stored, max);
    case 'XZ':
      return decompressXz(stored, max);
  }
}

// ---------------------------------------------------------------- LZ4

function decompressLz4(src: Uint8Array, max: number): Uint8Array {
  // systemd: le64 uncompressed size, then one raw LZ4 block.
  if (src.length <= 8) throw new DecompressError('LZ4', 'EBADMSG', `LZ4 payload of ${src.length} bytes is too short`);
  const lo = src[0]! | (src[1]! << 8) | (src[2]! << 16) | (src[3]! << 24);
  const hi = src[4]! | (src[5]! << 8) | (src[6]! << 16) | (src[7]! << 24);
  // systemd stores the size in an int: anything that does not survive that → EFBIG.
  if (hi !== 0 || lo < 0) throw new DecompressError('LZ4', 'EFBIG', 'LZ4 uncompressed size does not fit a 32-bit int');
  const size = lo;
  if (size > max) {
    throw new DecompressError('LZ4', 'EBADMSG', `LZ4 uncompressed size ${size} exceeds what ${src.length} stored bytes can produce (limit ${max})`);
  }
  const dst = new Uint8Array(size);
  const end = decodeLz4Block(src, 8, src.length, dst);
  if (end !== size) throw new DecompressError('LZ4', 'EBADMSG', `LZ4 block decoded to ${end} bytes, expected ${size}`);
  return dst;
}

/**
 * One raw LZ4 block, src[s, end) into dst; returns the bytes written. With LZ4_decompress_safe's
 * guarantees, each checked before anything is written: literals and matches inside the input and
 * the output, match offsets inside the output written so far. (Our own decoder: the block format is
 * a few lines, and a decoder without these checks would have needed a separate walk first.)
 */
function decodeLz4Block(src: Uint8Array, s: number, end: number, dst: Uint8Array): number {
  const bad = (why: string): never => {
    throw new DecompressError('LZ4', 'EBADMSG', `corrupt LZ4 block: ${why}`);
  };
  const outSize = dst.length;
  let out = 0;
  while (s < end) {
    const token = src[s++]!;
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) bad('literal length runs past the input');
        b = src[s++]!;
        lit += b;
      } while (b === 255);
    }
    if (s + lit > end) bad('literals run past the input');
    if (out + lit > outSize) bad('output exceeds the declared size');
    dst.set(src.subarray(s, s + lit), out);
    s += lit;
    out += lit;
    if (s >= end) break; // last sequence: literals only
    if (s + 2 > end) bad('truncated match offset');
    const off = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (off === 0 || off > out) bad(`match offset ${off} outside the output`);
    let ml = token & 15;
    if (ml === 15) {
      let b: number;
      do {
        if (s >= end) bad('match length runs past the input');
        b = src[s++]!;
        ml += b;
      } while (b === 255);
    }
    ml += 4;
    if (out + ml > outSize) bad('output exceeds the declared size');
    if (off >= ml) {
      dst.copyWithin(out, out - off, out - off + ml);
      out += ml;
    } else {
      // overlapping: the match repeats bytes it is itself writing
      for (const stop = out + ml; out < stop; out++) dst[out] = dst[out - off]!;
    }
  }
  return out;
}

// ---------------------------------------------------------------- ZSTD

/** Bytes of the dictionary ID and of the content size field, by their header flags (RFC 8878 §3.1.1.1.1). */
const DID_SIZE = [0, 1, 2, 4] as const;
const FCS_SIZE = [1, 2, 4, 8] as const;

/**
 * ZSTD_getFrameContentSize: the content size from the first frame's header; undefined = unknown/error.
 * (Called for every compressed payload: numbers, not BigInts, where they suffice.)
 */
function zstdFrameContentSize(src: Uint8Array): number | bigint | undefined {
  if (src.length < 5) return undefined;
  const magic = (src[0]! | (src[1]! << 8) | (src[2]! << 16) | (src[3]! << 24)) >>> 0;
  if ((magic & 0xfffffff0) === 0x184d2a50) return 0; // skippable frame: content size 0
  if (magic !== 0xfd2fb528) return undefined;
  const fhd = src[4]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const fcsSize = fcsFlag === 0 ? single : FCS_SIZE[fcsFlag]!;
  if (fhd & 0x08) return undefined; // reserved bit
  const p = 5 + (single ? 0 : 1) + DID_SIZE[fhd & 3]!;
  if (fcsSize === 0) return undefined; // unknown
  if (p + fcsSize > src.length) return undefined;
  if (fcsSize === 1) return src[p]!;
  if (fcsSize === 2) return (src[p]! | (src[p + 1]! << 8)) + 256;
  const lo = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
  if (fcsSize === 4) return lo;
  const hi = (src[p + 4]! | (src[p + 5]! << 8) | (src[p + 6]! << 16) | (src[p + 7]! << 24)) >>> 0;
  return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Length of the zstd frame at the start of `b` (RFC 8878 §3.1.1: header, blocks up to the last one,
 * optional checksum), or undefined when it is not a complete zstd frame.
 */
export function zstdFrameLength(b: Uint8Array): number | undefined {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return undefined;
  const fhd = b[4]!;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const didFlag = fhd & 3;
  let p = 5 + (single ? 0 : 1) + DID_SIZE[didFlag]! + (fcsFlag === 0 ? single : FCS_SIZE[fcsFlag]!);
  for (;;) {
    if (p + 3 > b.length) return undefined;
    const h = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    p += 3 + (type === 1 ? 1 : type === 3 ? 0 : size);
    if (type === 3) return undefined;
    if (last) break;
  }
  if (checksum) p += 4;
  return p <= b.length ? p : undefined;
}

/**
 * libzstd compiled to WebAssembly (zstddec), ~6× faster than fzstd on journal payloads. Optional: used
 * once prepareZstd() has resolved, for outputs up to WASM_ZSTD_MAX; whenever it does not produce
 * exactly the frame's content size, fzstd decides (so its error behaviour stays the reference).
 */
let wasmZstd: ZSTDDecoder | null = null;
let wasmZstdInit: Promise<void> | undefined;
const WASM_ZSTD_MAX = 64 << 20;

/**
 * zstddec loads its wasm with fetch() of a data: URL when fetch exists, else from Buffer. Under Node
 * (which has both) the first fetch() loads Node's whole HTTP client: ~30 ms of start-up, per thread,
 * for nothing. So where Buffer exists, fetch is hidden for the one synchronous call that decides.
 */
function initWithoutFetch(d: ZSTDDecoder): Promise<void> {
  const g = globalThis as { fetch?: unknown; Buffer?: unknown };
  const saved = Object.getOwnPropertyDescriptor(g, 'fetch');
  if (typeof g.Buffer !== 'function' || !saved?.configurable) return d.init();
  Object.defineProperty(g, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return d.init();
  } finally {
    Object.defineProperty(g, 'fetch', saved);
  }
}

/**
 * Loads the WebAssembly zstd decoder (once; its module too: a file without ZSTD objects never pays
 * for it); never rejects — without it fzstd does the work.
 */
export function prepareZstd(): Promise<void> {
  wasmZstdInit ??= (async () => {
    try {
      const { ZSTDDecoder } = await import('zstddec');
      const d = new ZSTDDecoder();
      await initWithoutFetch(d);
      wasmZstd = d;
    } catch {
      wasmZstd = null;
    }
  })();
  return wasmZstdInit;
}

function decompressZstd(stored: Uint8Array, max: number): Uint8Array | Promise<Uint8Array> {
  // systemd decodes one zstd frame and ignores whatever follows it (ZSTD_decompressStream stops at the
  // frame end): hand the decoder only that frame.
  const src = stored.subarray(0, zstdFrameLength(stored) ?? stored.length);
  const size = zstdFrameContentSize(src);
  if (size === undefined) throw new DecompressError('ZSTD', 'EBADMSG', 'ZSTD frame has no valid content size');
  if (typeof size === 'bigint' || size > max) {
    throw new DecompressError('ZSTD', 'EBADMSG', `ZSTD content size ${size} exceeds what ${src.length} stored bytes can produce (limit ${max})`);
  }
  if (size === 0) return new Uint8Array(0);
  // libzstd (like systemd's) fails a frame whose decoded length differs from its declared content size;
  // so do we, whichever decoder runs.
  if (wasmZstd && size <= WASM_ZSTD_MAX) {
    let out: Uint8Array;
    try {
      out = wasmZstd.decode(src, size);
    } catch (e) {
      throw new DecompressError('ZSTD', 'EBADMSG', `ZSTD decoder failed: ${(e as Error).message}`);
    }
    // ZSTD_decompress returns an error code in place of a length: any other length is an error.
    if (out.length !== size) throw new DecompressError('ZSTD', 'EBADMSG', `ZSTD frame did not decode to its declared ${size} bytes`);
    return out;
  }
  // fzstd fallback (the wasm decoder is not loaded, or the frame is huge), loaded when first needed
  return fzstd ? decompressZstdStream(fzstd, src, size) : loadFzstd().then((m) => decompressZstdStream(m, src, size));
}

type Fzstd = typeof import('fzstd');
let fzstd: Fzstd | undefined;
let fzstdLoad: Promise<Fzstd> | undefined;

function loadFzstd(): Promise<Fzstd> {
  fzstdLoad ??= import('fzstd').then((m) => (fzstd = m));
  return fzstdLoad;
}

/** fzstd, streamed: a frame that decodes to more than it declares is stopped at the declared size instead of growing without bound. */
function decompressZstdStream({ Decompress: ZstdStream }: Fzstd, src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let n = 0;
  const overflow = new Error('more than the declared content size');
  try {
    const stream = new ZstdStream((chunk: Uint8Array) => {
      if (n + chunk.length > size) throw overflow;
      out.set(chunk, n);
      n += chunk.length;
    });
    stream.push(src, true);
  } catch (e) {
    throw new DecompressError('ZSTD', 'EBADMSG', `ZSTD decoder failed: ${(e as Error).message}`);
  }
  if (n !== size) throw new DecompressError('ZSTD', 'EBADMSG', `ZSTD frame decoded to ${n} bytes, expected ${size}`);
  return out;
}

// ---------------------------------------------------------------- XZ

interface MinimalReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
interface MinimalStream {
  getReader(): MinimalReader;
}
type StreamCtor = new (src: unknown) => MinimalStream;
type XzCtor = new (compressed: MinimalStream) => MinimalStream;

let xzModule: Promise<XzCtor> | undefined;

function loadXz(): Promise<XzCtor> {
  xzModule ??= import('xz-decompress').then((m: Record<string, unknown>) => {
    const ctor = (m['XzReadableStream'] ?? (m['default'] as Record<string, unknown> | undefined)?.['XzReadableStream']) as XzCtor | undefined;
    if (!ctor) throw new Error('xz-decompress has no XzReadableStream');
    return ctor;
  });
  return xzModule;
}

/** One XZ stream. systemd maps every liblzma failure to ENOMEM; we do the same. */
async function decompressXz(src: Uint8Array, max: number): Promise<Uint8Array> {
  let Xz: XzCtor;
  try {
    Xz = await loadXz();
  } catch (e) {
    throw new DecompressError('XZ', 'ENOMEM', `XZ decoder unavailable: ${(e as Error).message}`);
  }
  const RS = (globalThis as unknown as { ReadableStream: StreamCtor }).ReadableStream;
  const input = new RS({
    start(c: { enqueue(b: Uint8Array): void; close(): void }) {
      // systemd decodes one stream (no LZMA_CONCATENATED) and ignores what follows it; xz-decompress
      // would go on and decode (or fail on) trailing bytes, so hand it the first stream only.
      c.enqueue(src.slice(0, xzFirstStreamLength(src) ?? src.length)); // own copy: the decoder may keep it
      c.close();
    },
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = new Xz(input).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!value) continue;
      total += value.length;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        throw new DecompressError('XZ', 'ENOMEM', `XZ output exceeds ${max} bytes`);
      }
      chunks.push(value.slice());
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError('XZ', 'ENOMEM', `XZ decoder failed: ${(e as Error)?.message ?? String(e)}`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

const XZ_CHECK_SIZE = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

/**
 * Length of the first .xz stream in `src` from its framing (stream header, block headers with
 * compressed sizes, index, footer), or undefined when it cannot be told without decoding (then the
 * whole input is given to the decoder, which reports any problem).
 */
export function xzFirstStreamLength(src: Uint8Array): number | undefined {
  const n = src.length;
  const magic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (n < 24) return undefined;
  for (let i = 0; i < 6; i++) if (src[i] !== magic[i]) return undefined;
  const checkSize = XZ_CHECK_SIZE[src[7]! & 0x0f]!;
  let p = 12;
  const varint = (): number | undefined => {
    let v = 0;
    for (let i = 0, mul = 1; i < 9; i++, mul *= 128) {
      if (p >= n) return undefined;
      const b = src[p++]!;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
    }
    return undefined;
  };
  // Blocks, until the index indicator (a zero byte where a block header would start).
  for (;;) {
    if (p >= n) return xzFooterScan(src);
    const hs = src[p]!;
    if (hs === 0) break;
    const headerSize = (hs + 1) * 4;
    const flags = src[p + 1];
    if (flags === undefined || (flags & 0x40) === 0) return xzFooterScan(src); // no compressed size stored
    const save = p;
    p += 2;
    const compressed = varint();
    if (compressed === undefined) return undefined;
    p = save + headerSize + Math.ceil(compressed / 4) * 4 + checkSize;
  }
  // Index: indicator, record count, records (unpadded, uncompressed size), padding, CRC32.
  p += 1;
  const records = varint();
  if (records === undefined || records > n) return undefined;
  for (let i = 0; i < records * 2; i++) if (varint() === undefined) return undefined;
  p = Math.ceil(p / 4) * 4 + 4;
  const end = p + 12; // stream footer
  return end <= n ? end : undefined;
}

/**
 * First position where a plausible stream footer ends: 4-aligned, "YZ" magic, the same stream flags as
 * the header, and a backward size that lands on an index indicator.
 */
function xzFooterScan(src: Uint8Array): number | undefined {
  for (let e = 24; e <= src.length; e += 4) {
    if (src[e - 2] !== 0x59 || src[e - 1] !== 0x5a) continue;
    if (src[e - 4] !== src[6] || src[e - 3] !== src[7]) continue;
    const b = e - 8;
    const backward = ((src[b]! | (src[b + 1]! << 8) | (src[b + 2]! << 16) | (src[b + 3]! << 24)) >>> 0) + 1;
    const indexStart = e - 12 - backward * 4;
    if (indexStart >= 12 && src[indexStart] === 0) return e;
  }
  return undefined;
}
