// Many DATA/FIELD hashes in one call: the wrapper copies a window of the file into HASH_WIN once and
// lists (offset, length) u32 pairs relative to it; each range is hashed on its own (same functions as
// the single versions) and its u64 written to out[i]. Saves a JS→wasm call and a copy per object.
import { siphash24 } from "./siphash";
import { jenkinsHash64 } from "./lookup3";

export function siphash24Many(key: usize, base: usize, ranges: usize, n: u32, out: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const r = ranges + (<usize>i << 3);
    store<u64>(out + (<usize>i << 3), siphash24(key, base + <usize>load<u32>(r), <usize>load<u32>(r, 4)));
  }
}

export function jenkinsHash64Many(base: usize, ranges: usize, n: u32, out: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const r = ranges + (<usize>i << 3);
    store<u64>(out + (<usize>i << 3), jenkinsHash64(base + <usize>load<u32>(r), <usize>load<u32>(r, 4)));
  }
}
