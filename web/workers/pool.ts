/**
 * The one bridge between the page and the verify workers (squoosh's worker-bridge, pooled): a queue of
 * jobs, one job per worker at a time, an AbortSignal per job. Aborting a running job terminates its
 * worker (the core runs synchronously in bursts, so terminating is the only sure stop); the pool starts
 * a fresh one when next needed. UI code never touches postMessage.
 */
import * as Comlink from 'comlink';
import wasmUrl from '../../build/kernel.wasm?url';
import type { VerifyHooks, VerifyRequest, VerifyResult } from './api.js';
import { FEED_HEAD, feedFile, readyFeedBuffers, type FedFile, type FeedPort } from './feed.js';
import { withSegments } from '../../src/verify/segments-transfer.js';
import type { VerifyWorkerApi } from './verify.worker.js';

interface Slot {
  worker: Worker;
  api: Comlink.Remote<VerifyWorkerApi>;
  ready: Promise<void>;
  busy: boolean;
  /** The typed key last handed to this worker (VerifyPool.primeKey). */
  keySent?: string;
}

interface Job {
  signal: AbortSignal;
  source: Blob;
  request: VerifyRequest;
  hooks: VerifyHooks;
  /** Called on the page when a worker takes the job (until then it waits in the queue). */
  onStart?: () => void;
  resolve(r: VerifyResult): void;
  reject(e: unknown): void;
}

/** Workers to run at once: one per core, within reason (each holds a window of its file and the scan tables). */
export function poolSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  return Math.max(1, Math.min(cores, 6));
}

let compiled: Promise<WebAssembly.Module> | undefined;
/** kernel.wasm compiled once per page; WebAssembly.Module is structured-cloneable to workers. */
export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const response = await fetch(wasmUrl);
    if (!response.ok) throw new Error(`kernel.wasm: HTTP ${response.status}`);
    // compileStreaming needs application/wasm; some static servers send something else.
    if (response.headers.get('content-type')?.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(response);
    }
    return WebAssembly.compile(await response.arrayBuffer());
  })();
  return compiled;
}

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];

  constructor(readonly size = poolSize()) {}

  /** Start one worker now so the first verification (and the ones after) fetch nothing. */
  warm(): Promise<void> {
    const slot = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
    return slot ? slot.ready : Promise.resolve();
  }

  /** `onStart`: called when a worker takes the job (it may wait in the queue before). */
  verify(signal: AbortSignal, source: Blob, request: VerifyRequest, hooks: VerifyHooks = {}, onStart?: () => void): Promise<VerifyResult> {
    return new Promise<VerifyResult>((resolve, reject) => {
      if (signal.aborted) return reject(abortError());
      const job: Job = { signal, source, request, hooks, onStart, resolve, reject };
      signal.addEventListener(
        'abort',
        () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(abortError());
          }
        },
        { once: true },
      );
      this.queue.push(job);
      this.pump();
    });
  }

  /** The last key primeKey was given: workers started later get it too. */
  private typedKey: string | undefined;

  /**
   * A valid key the user typed, before the files come: each worker's spare seal helper derives its
   * FSPRG (the key's primes) while nothing else runs (seal-helper.worker.ts says why), and the
   * buffers a big sealed file will need are made now, their pages in memory (buffer-store.ts). Only
   * speed depends on it: a helper derives whatever key its verification names.
   */
  primeKey(key: string): void {
    this.typedKey = key;
    for (const s of this.slots) this.sendKey(s);
    // and the buffers a big file is read into, after this event (feed.ts, buffer-store.ts)
    setTimeout(readyFeedBuffers, 0);
  }

  /** Once the worker is ready: the key typed last, unless it has it already. */
  private sendKey(slot: Slot): void {
    void slot.ready
      .then(() => {
        const key = this.typedKey;
        if (key === undefined || slot.keySent === key) return;
        slot.keySent = key;
        // the first worker takes a file verified alone, the one with a seal helper: its batch buffers too
        return slot.api.primeKey(key, this.slots[0] === slot);
      })
      .catch(() => {});
  }

  /** Terminate every worker (tests, page unload). */
  terminate(): void {
    for (const s of this.slots.splice(0)) s.worker.terminate();
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module', name: 'verify' });
    const api = Comlink.wrap<VerifyWorkerApi>(worker);
    const slot: Slot = { worker, api, busy: false, ready: kernelModule().then((m) => api.init(m)) };
    slot.ready.catch(() => {});
    this.slots.push(slot);
    this.sendKey(slot);
    return slot;
  }

  private drop(slot: Slot): void {
    slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private pump(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const job = this.queue.shift()!;
      this.run(slot, job);
    }
  }

  private run(slot: Slot, job: Job): void {
    slot.busy = true;
    job.onStart?.();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      job.signal.removeEventListener('abort', onAbort);
      slot.worker.removeEventListener('error', onError);
      fn();
      slot.busy = false;
      this.pump();
    };
    const onAbort = () => {
      this.drop(slot);
      finish(() => job.reject(abortError()));
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    // A worker that dies (out of memory on a huge file, say) must not leave the job hanging.
    const onError = (e: ErrorEvent) => {
      this.drop(slot);
      finish(() => job.reject(new Error(e.message || 'the verify worker stopped unexpectedly')));
    };
    slot.worker.addEventListener('error', onError);
    slot.ready
      .then(async () => {
        // The page reads the file and feeds it to the worker (feed.ts): the worker's time goes to
        // verifying. The feed stops with the job (a verdict can come before the last slice: a bad key).
        const { port1, port2 } = new MessageChannel();
        const fed: FedFile = { size: job.source.size, port: port2 as unknown as FeedPort, blob: job.source };
        const stop = new AbortController();
        const onAbort = () => stop.abort();
        job.signal.addEventListener('abort', onAbort, { once: true });
        try {
          // A file verified alone may use a second worker (the seal helper); several keep the cores busy.
          const alone = this.queue.length === 0 && this.slots.every((s) => s === slot || !s.busy);
          const verifying = slot.api.verify(Comlink.transfer(fed, [port2]), { ...job.request, alone }, Comlink.proxy(job.hooks));
          // the worker reads the head; the page the rest, from now on
          void feedFile(job.source, Math.min(job.source.size, FEED_HEAD), port1 as unknown as FeedPort, stop.signal);
          const { segments, ...r } = await verifying;
          return { ...r, report: withSegments(r.report, segments) };
        } finally {
          stop.abort();
          job.signal.removeEventListener('abort', onAbort);
        }
      })
      .then(
        (r) => finish(() => job.resolve(r)),
        (e) => {
          this.drop(slot);
          finish(() => job.reject(e));
        },
      );
  }
}

function abortError(): DOMException {
  return new DOMException('Verification cancelled', 'AbortError');
}
