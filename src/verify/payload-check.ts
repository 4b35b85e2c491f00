/**
 * One compressed DATA payload's check, as journal_file_verify's data check makes it: decompressed,
 * hashed as the file hashes (SipHash-2-4 keyed by the file ID, or Jenkins lookup3), compared with the
 * object's hash. Its own module: the seal helper (mac-helper.ts) loads it, and the decoders, only
 * when it is first sent payloads.
 */
import { decompressPayload, prepareZstd } from '../journal/compress.js';
import { ObjectFlag } from '../journal/format.js';
import type { Kernel } from '../kernel/kernel.js';

/** False = it does not decompress, or its hash differs. */
export async function payloadMatches(kernel: Kernel, flags: number, stored: Uint8Array, hash: bigint, keyed: boolean, fileId: Uint8Array): Promise<boolean> {
  let payload: Uint8Array;
  // libzstd, loaded when a payload first needs it (the kernel's decoder confirms journald's frames)
  if (flags & ObjectFlag.COMPRESSED_ZSTD) await prepareZstd();
  try {
    const r = decompressPayload(flags, stored, { maxSize: 0x7fffffff });
    payload = r instanceof Uint8Array ? r : await r;
  } catch {
    return false;
  }
  return (keyed ? kernel.siphash24(fileId, payload) : kernel.jenkinsHash64(payload)) === hash;
}

