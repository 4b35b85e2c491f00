/**
 * The page's seal helper (src/verify/mac-helper.ts), started by a verify worker ahead of time: its
 * thread is up and its kernel loaded before a file comes (`SealHelperBoot`). A big file verified
 * alone then takes it (`SealHelperStart`): it derives the key's FSPRG at once, then takes the tag
 * HMACs and the compressed payloads the verify worker sends as the file streams through its window.
 * The kernel comes as the module the page compiled; the key's text may be absent (a remembered key:
 * then the first request's seed is derived when it comes). One helper serves one verification.
 */
import { loadKernel, type Kernel } from '../../src/kernel/kernel.js';
import { warmKernel } from '../../src/kernel/kernel-warm.js';
import { warmZstd } from '../../src/kernel/zstd-warm.js';
import { serveMacHelper } from '../../src/verify/mac-helper.js';

export interface SealHelperBoot {
  module: WebAssembly.Module;
}

export interface SealHelperStart {
  port: MessagePort;
  key: string | null;
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

self.addEventListener('message', (e: MessageEvent<SealHelperBoot | SealHelperStart>) => {
  const m = e.data;
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
