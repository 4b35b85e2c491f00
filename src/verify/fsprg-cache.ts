/**
 * FSPRG generators by kernel and seed: generating the two 768-bit primes is the expensive part of a key,
 * so verifying several files (or the same file twice) with one key derives them once. The seal checks
 * (seal.ts) and the seal helper (mac-helper.ts) share it.
 */
import type { Fsprg, Kernel } from '../kernel/kernel.js';

const fsprgCache = new WeakMap<Kernel, Map<string, Fsprg>>();

/** The kernel's generator for `seed` (Kernel.fsprg throws for a seed of the wrong size). */
export function fsprgFor(kernel: Kernel, seed: Uint8Array): Fsprg {
  let m = fsprgCache.get(kernel);
  if (!m) fsprgCache.set(kernel, (m = new Map()));
  const id = Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join('');
  let g = m.get(id);
  if (!g) {
    if (m.size >= 4) m.delete(m.keys().next().value as string);
    g = kernel.fsprg(seed);
    m.set(id, g);
  }
  return g;
}
