/**
 * The verify worker: the core's verifyJournal behind Comlink. The page compiles kernel.wasm once and
 * hands the compiled module to every worker (`init`), so starting a worker fetches nothing.
 */
import * as Comlink from 'comlink';
import { loadKernel, type Kernel } from '../../src/kernel/kernel.js';
import { macHelperClient, type StartedMacHelper } from '../../src/verify/mac-helper.js';
import { createVerifyApi, startOrNone, type VerifyApi, type VerifyResult } from './api.js';
import { withoutSegments, type ReportWithoutSegments } from '../../src/verify/segments-transfer.js';
import { TAG_BATCH_STORE } from '../../src/verify/tag-macs.js';
import { PAYLOAD_BATCH_STORE } from '../../src/verify/payloads.js';
import { RESERVE_TABLE_BYTES, WINDOW_BYTES } from '../../src/verify/window.js';
import type { SealHelperBoot, SealHelperPrime, SealHelperStart } from './seal-helper.worker.js';

let kernel: Promise<Kernel> | undefined;
let wasm: WebAssembly.Module | undefined;

/**
 * Seal helper workers (seal-helper.worker.ts), each for one verification, started from here so that
 * a helper's death is seen here: the error event tells the client, and this worker hashes what the
 * helper had not answered. One is kept started ahead (`spare`), its thread up and its kernel loaded,
 * so a big file has its helper at once instead of ~50 ms later; the next one starts when it is taken.
 */
interface Spare {
  worker: Worker;
  /** Set when the worker failed before it was taken (a CSP that refuses it, a kernel that did not load). */
  failed: boolean;
  /** The error listener of the verification that took it. */
  onGone?: () => void;
}
let spare: Spare | null = null;
/** The key the user typed last (VerifyPool.primeKey): every spare helper derives its FSPRG while it waits. */
let typedKey: string | null = null;
/** Verifications under way (their batch buffers are out of the stores). */
let verifying = 0;
/**
 * This worker makes ready what a big file will need while it waits for one (the first worker: a file
 * verified alone goes to it; VerifyPool.primeKey says so with the typed key).
 */
let readies = false;
const READY_AFTER_MS = 1000;

/**
 * What a big sealed file needs, made now, every page written (page faults taken while nothing runs,
 * not during the verification): the helper batches' buffers (16 MiB of tags, 2 of payloads:
 * buffer-store.ts) and the next file's arena, its window and scan tables (40 MiB: assembly/scan.ts
 * arenaReserve). Only while no verification runs (one has the batch buffers out).
 */
function ready(): void {
  TAG_BATCH_STORE.fill();
  PAYLOAD_BATCH_STORE.fill();
  void kernel?.then((k) => k.readyArena(RESERVE_TABLE_BYTES, WINDOW_BYTES)).catch(() => {});
}

function spawnHelper(): Spare {
  const worker = new Worker(new URL('./seal-helper.worker.ts', import.meta.url), { type: 'module', name: 'seal helper' });
  const s: Spare = { worker, failed: false };
  worker.addEventListener('error', () => {
    s.failed = true;
    s.onGone?.();
  });
  worker.postMessage({ module: wasm! } satisfies SealHelperBoot);
  if (typedKey !== null) worker.postMessage({ prime: typedKey } satisfies SealHelperPrime);
  return s;
}

function startHelper(key: string | null): StartedMacHelper {
  const s = spare ?? spawnHelper();
  spare = null;
  if (s.failed) {
    s.worker.terminate();
    throw new Error('the seal helper did not start');
  }
  const { port1, port2 } = new MessageChannel();
  const client = macHelperClient(port1);
  s.onGone = () => client.gone();
  s.worker.postMessage({ port: port2, key } satisfies SealHelperStart, [port2]);
  return {
    helper: client,
    close() {
      port1.close();
      s.worker.terminate();
      spare ??= startOrNone(spawnHelper);
    },
  };
}

const verifyApi = createVerifyApi(
  () => {
    if (!kernel) throw new Error('verify worker used before init()');
    return kernel;
  },
  (key) => startHelper(key),
);

/** What `verify` answers the page: the result, its report's segments packed beside it (segments-transfer.ts). */
export type PackedVerifyResult = Omit<VerifyResult, 'report'> & { report: ReportWithoutSegments; segments: Float64Array };

const api = {
  async verify(...args: Parameters<VerifyApi['verify']>): Promise<PackedVerifyResult> {
    verifying++;
    let r: VerifyResult;
    try {
      r = await verifyApi.verify(...args);
    } finally {
      verifying--;
      // the arena made ahead went to this file: the next one's, once this worker has been idle a
      // while (files one after another would each pay for writing a reserve they then fill anyway)
      if (readies) setTimeout(() => verifying === 0 && ready(), READY_AFTER_MS);
    }
    const { report, packed } = withoutSegments(r.report);
    return Comlink.transfer({ ...r, report, segments: packed }, [packed.buffer as ArrayBuffer]);
  },
  /** A key typed before the file: the spare seal helper (and each one after it) derives its FSPRG now. */
  primeKey(key: string, readyBuffers = false): void {
    typedKey = key;
    spare?.worker.postMessage({ prime: key } satisfies SealHelperPrime);
    readies = readyBuffers;
    if (readyBuffers && verifying === 0) ready();
  },
  /** Instantiate the kernel from the page's compiled module (once per worker). */
  async init(module: WebAssembly.Module): Promise<void> {
    wasm ??= module;
    kernel ??= loadKernel(module);
    await kernel;
    // Before any file: the next big file's seal helper (which, while it waits, makes the kernel's
    // hashes and the zstd decoder hot for every worker of the page: seal-helper.worker.ts)
    spare ??= startOrNone(spawnHelper);
  },
};

export type VerifyWorkerApi = typeof api;

Comlink.expose(api);
