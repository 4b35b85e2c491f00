/**
 * Warming the kernel's hashing functions before a file arrives (the page's spare seal helper, while
 * it waits: seal-helper.worker.ts), as zstd-warm.ts does for the zstd decoder.
 *
 * V8 runs wasm first as its baseline compiler made it and recompiles a function with its optimizing
 * compiler once the function is hot. For a big sealed file that meant the SHA-256 compressions (the
 * 4-lane one and the scalar one the HMACs' ends and outer hashes use) and the hashes of payloads were
 * optimized during the verification: ~30 ms of a core taken from it (Chromium,
 * `--trace-wasm-compilation-times`), while the first tags hashed at baseline speed. A page has time
 * before the user drops a file. V8 shares a module compiled from the same bytes between the workers
 * of a process, so one worker's warming serves the others and the seal helpers.
 */
import type { Kernel } from './kernel.js';

/** Hashes synthetic data, `rounds` × ~1 MiB (3 rounds make those functions hot); never throws. */
export function warmKernel(kernel: Kernel, rounds = 3): void {
  try {
    const data = new Uint8Array(64 << 10);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const key = data.subarray(0, 32);
    // eight messages: two rounds of the four lanes, of unequal lengths as tag segments are
    const jobs = Array.from({ length: 8 }, (_, i) => ({ key, parts: [data.subarray(i * 512, data.length - i * 4096)] }));
    // journal payloads of ~100 bytes, and 96-byte outer HMAC blocks
    const ranges: number[] = [];
    for (let at = 0; at + 160 <= data.length; at += 160) ranges.push(at, 64 + (at % 97));
    const outer = data.subarray(0, 96);
    for (let r = 0; r < rounds; r++) {
      kernel.hmacSha256Many(jobs);
      kernel.siphash24Many(key.subarray(0, 16), data, ranges);
      kernel.jenkinsHash64Many(data, ranges);
      for (let i = 0; i < 256; i++) kernel.sha256(outer);
    }
  } catch {
    // warming only saves time
  }
}
