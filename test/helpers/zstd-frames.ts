/** test/fixtures/zstd/*.bin (make-frames.py): zstd frames, each after its length as a little-endian u32. */
import { readFileSync } from 'node:fs';

export function zstdFramesFile(path: string): Uint8Array[] {
  const b = new Uint8Array(readFileSync(path));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Uint8Array[] = [];
  for (let p = 0; p + 4 <= b.length; ) {
    const n = v.getUint32(p, true);
    out.push(b.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  return out;
}
