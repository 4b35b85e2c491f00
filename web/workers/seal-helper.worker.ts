/**
 * The page's seal helper (src/verify/mac-helper.ts), started by a verify worker for one big file
 * verified alone: it derives the key's FSPRG at once, then takes the tag HMACs and the compressed
 * payloads the verify worker sends as the file streams through its window. The kernel
 * comes as the module the page compiled; the key's text may be absent (a remembered key: then the
 * first request's seed is derived when it comes).
 */
import { loadKernel } from '../../src/kernel/kernel.js';
import { serveMacHelper } from '../../src/verify/mac-helper.js';

export interface SealHelperInit {
  module: WebAssembly.Module;
  port: MessagePort;
  key: string | null;
}

self.addEventListener(
  'message',
  (e: MessageEvent<SealHelperInit>) => {
    const { module, port, key } = e.data;
    loadKernel(module).then(
      (kernel) => serveMacHelper(port, kernel, key),
      // thrown outside the promise, it reaches the verify worker as the Worker's error event, and the
      // verify worker hashes everything itself (a rejection alone would leave its requests waiting)
      (err) => setTimeout(() => { throw err; }),
    );
  },
  { once: true },
);
