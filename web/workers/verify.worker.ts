/**
 * The verify worker: the core's verifyJournal behind Comlink. The page compiles kernel.wasm once and
 * hands the compiled module to every worker (`init`), so starting a worker fetches nothing.
 */
import * as Comlink from 'comlink';
import { loadKernel, type Kernel } from '../../src/kernel/kernel.js';
import { macHelperClient, type StartedMacHelper } from '../../src/verify/mac-helper.js';
import { createVerifyApi } from './api.js';
import type { SealHelperInit } from './seal-helper.worker.js';

let kernel: Promise<Kernel> | undefined;
let wasm: WebAssembly.Module | undefined;

/**
 * A seal helper worker for one verification, started from here so that its death is seen here: the
 * error event tells the client, and this worker hashes what the helper had not answered.
 */
function startHelper(key: string | null): StartedMacHelper {
  const worker = new Worker(new URL('./seal-helper.worker.ts', import.meta.url), { type: 'module', name: 'seal helper' });
  const { port1, port2 } = new MessageChannel();
  const client = macHelperClient(port1);
  worker.addEventListener('error', () => client.gone());
  worker.postMessage({ module: wasm!, port: port2, key } satisfies SealHelperInit, [port2]);
  return {
    helper: client,
    close() {
      port1.close();
      worker.terminate();
    },
  };
}

const api = {
  ...createVerifyApi(
    () => {
      if (!kernel) throw new Error('verify worker used before init()');
      return kernel;
    },
    (key) => startHelper(key),
  ),
  /** Instantiate the kernel from the page's compiled module (once per worker). */
  async init(module: WebAssembly.Module): Promise<void> {
    wasm ??= module;
    kernel ??= loadKernel(module);
    await kernel;
  },
};

export type VerifyWorkerApi = typeof api;

Comlink.expose(api);
