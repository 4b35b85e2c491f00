/**
 * The verify worker: the core's verifyJournal behind Comlink. The page compiles kernel.wasm once and
 * hands the compiled module to every worker (`init`), so starting a worker fetches nothing.
 */
import * as Comlink from 'comlink';
import { loadKernel, type Kernel } from '../../src/kernel/kernel.js';
import { createVerifyApi } from './api.js';

let kernel: Promise<Kernel> | undefined;

const api = {
  ...createVerifyApi(() => {
    if (!kernel) throw new Error('verify worker used before init()');
    return kernel;
  }),
  /** Instantiate the kernel from the page's compiled module (once per worker). */
  async init(module: WebAssembly.Module): Promise<void> {
    kernel ??= loadKernel(module);
    await kernel;
  },
};

export type VerifyWorkerApi = typeof api;

Comlink.expose(api);
