/**
 * The page's seal helper (src/verify/mac-helper.ts), started by a verify worker ahead of time: its
 * thread is up and its kernel loaded before a file comes (`SealHelperBoot`). A big file verified
 * alone then takes it (`SealHelperStart`): it derives the key's FSPRG at once, then takes the tag
 * HMACs and the compressed payloads the verify worker sends as the file streams through its window.
 * The kernel comes as the module the page compiled; the key's text may be absent (a remembered key:
 * then the first request's seed is derived when it comes). One helper serves one verification.
 */
import { loadKernel } from '../../src/kernel/kernel.js';
import { prepareZstd } from '../../src/journal/compress.js';
import { serveMacHelper } from '../../src/verify/mac-helper.js';

export interface SealHelperBoot {
  module: WebAssembly.Module;
}

export interface SealHelperStart {
  port: MessagePort;
  key: string | null;
}

let kernel: ReturnType<typeof loadKernel> | undefined;

self.addEventListener('message', (e: MessageEvent<SealHelperBoot | SealHelperStart>) => {
  const m = e.data;
  if ('module' in m) {
    kernel ??= loadKernel(m.module);
    // thrown outside the promise, a failure reaches the verify worker as the Worker's error event,
    // and the verify worker hashes everything itself (a rejection alone would leave its requests waiting)
    kernel.catch((err) => setTimeout(() => { throw err; }));
    // the zstd decoder too, before it is needed (a file without ZSTD payloads only pays its instantiation)
    void prepareZstd();
    return;
  }
  if (!kernel) throw new Error('seal helper started before its kernel came');
  const { port, key } = m;
  // WebCrypto's SHA-256 (the CPU's SHA instructions where it has them) for the tag HMACs: ~130 ms
  // per 120 MiB against the kernel's lanes' ~220 (absent outside a secure context: the lanes)
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? (data: Uint8Array) => subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>) : undefined;
  void kernel.then((k) => serveMacHelper(port, k, key, undefined, digest));
});
