/**
 * The page's seal helper (src/verify/mac-helper.ts), started by a verify worker ahead of time: its
 * thread is up and its kernel loaded before a file comes (`SealHelperBoot`). A big file verified
 * alone then takes it (`SealHelperStart`): it derives the key's FSPRG at once, then takes the tag
 * HMACs and the compressed payloads the verify worker sends as the file streams through its window.
 * The kernel comes as the module the page compiled; the key's text may be absent (a remembered key:
 * then the first request's seed is derived when it comes). One helper serves one verification.
 *
 * A key typed before the file comes (`SealHelperPrime`) has its FSPRG derived while the helper
 * waits: the two 768-bit primes, ~40–60 ms of a core, otherwise fall in the first ~150 ms of the
 * verification, where the page's thread, the verify worker and the browser already want both cores
 * (a trace of the 120 MiB sealed journal: ~220 ms of CPU asked for in one 100 ms stretch).
 */
import { loadKernel, type Kernel } from '../../src/kernel/kernel.js';
import { warmKernel } from '../../src/kernel/kernel-warm.js';
import { warmZstd } from '../../src/kernel/zstd-warm.js';
import { KEY_PRIMED_MARK, serveMacHelper } from '../../src/verify/mac-helper.js';
import { fsprgFor } from '../../src/verify/fsprg-cache.js';
import { parseVerificationKey } from '../../src/verify/key.js';

export interface SealHelperBoot {
  module: WebAssembly.Module;
}

export interface SealHelperStart {
  port: MessagePort;
  key: string | null;
}

/** A key the user typed, not yet used: derive its FSPRG now (kept in fsprg-cache.ts for the start). */
export interface SealHelperPrime {
  prime: string;
}

let kernel: ReturnType<typeof loadKernel> | undefined;
/** A file came: warming stops. */
let started = false;

/** Slices of warming (each ~10–40 ms at baseline speed, less once optimized), a task each. */
const WARM_SLICES = 4;

/**
 * While this helper waits for a file, the kernel's hashes and its zstd decoder are made hot
 * (kernel-warm.ts, zstd-warm.ts): V8 shares the optimized code of a module between the workers of
 * the page, so the verify workers and later helpers find it ready. Here rather than in a verify
 * worker: a verify worker warming before its first request delayed the sample journal's verdict at
 * load (median 612 → 1079 ms, interleaved); and a file arriving stops it between two slices.
 */
async function warm(k: Kernel): Promise<void> {
  for (let i = 0; i < WARM_SLICES && !started; i++) {
    warmKernel(k, 1);
    warmZstd(k, 16);
    await new Promise((r) => setTimeout(r));
  }
}

/** Derives a typed key's FSPRG unless a file came first (its start derives what it needs itself). */
function prime(k: Kernel, keyText: string): void {
  if (started) return;
  let seed: Uint8Array;
  try {
    seed = parseVerificationKey(keyText).seed;
  } catch {
    return; // not a key: the page sends only keys that parse
  }
  fsprgFor(k, seed);
  performance.mark(KEY_PRIMED_MARK);
}

self.addEventListener('message', (e: MessageEvent<SealHelperBoot | SealHelperStart | SealHelperPrime>) => {
  const m = e.data;
  if ('prime' in m) {
    // after the boot message (the verify worker posts that first); a kernel that failed has said so
    void kernel?.then((k) => prime(k, m.prime), () => {});
    return;
  }
  if ('module' in m) {
    kernel ??= loadKernel(m.module);
    // thrown outside the promise, a failure reaches the verify worker as the Worker's error event,
    // and the verify worker hashes everything itself (a rejection alone would leave its requests waiting)
    kernel.catch((err) => setTimeout(() => { throw err; }));
    void kernel.then(warm, () => {});
    return;
  }
  started = true;
  if (!kernel) throw new Error('seal helper started before its kernel came');
  const { port, key } = m;
  // WebCrypto's SHA-256 for the tag HMACs: ~120 ms less CPU per 120 MiB sealed journal than the
  // kernel's lanes, which also copy each batch into wasm memory (absent outside a secure context:
  // the lanes)
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? (data: Uint8Array) => subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>) : undefined;
  void kernel.then((k) => serveMacHelper(port, k, key, undefined, digest));
});
