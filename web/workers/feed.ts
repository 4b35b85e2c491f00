/**
 * Reading a dropped file on the page's thread and handing it to a verify worker slice by slice.
 * Chromium drains a Blob read on the thread that asked for it, copying every chunk there: asked by
 * the verify worker, that is ~0.2 s of its time per 120 MiB, taken from the scan. Asked here, the
 * page's mostly idle thread pays it, and the worker receives each slice as a transferred buffer
 * (no copy) to put into its arena's window. The worker starts on the header, sent with the request.
 *
 * The worker streams the file through a window (src/verify/window.ts), so the page reads only so
 * far ahead of it: the worker says how far it has taken the slices (FeedAck), and the page keeps
 * at most FEED_AHEAD bytes beyond that read or on their way.
 */

/** What travels on the feed's port, page to worker. */
export type FeedMessage = { at: number; bytes: ArrayBuffer } | { error: string };
/** Worker to page: the slices before `taken` are in its window (or no longer wanted). */
export type FeedAck = { taken: number };

/** The part of a MessagePort the feed uses (the page's and Node's alike). */
export interface FeedPort {
  postMessage(message: FeedMessage | FeedAck, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: { data: FeedMessage | FeedAck }) => void) | null;
  close(): void;
}

/** A file being fed: its size, its first bytes, the port the rest arrives on, the file itself. */
export interface FedFile {
  readonly size: number;
  /** The first min(size, FEED_HEAD) bytes. */
  readonly head: Uint8Array;
  readonly port: FeedPort;
  /**
   * The file, read whole by the worker only when the fast path declines it (a file with something
   * wrong: the exact verifier needs all of it at once).
   */
  readonly blob: Blob;
}

/** Bytes sent with the request (enough for any header: the worker sizes its arena from it). */
export const FEED_HEAD = 64 << 10;
/**
 * Slice size, and slices read at once (the browser reads a File in another process; more than one
 * request keeps it busy). Reading costs CPU per slice as well as per byte (~0.3 s of the page's and
 * the browser's threads per 120 MiB): 32 MiB slices two at a time took ~50 ms less of it than 8 MiB
 * ones four at a time (Chromium, 120 MiB journals, interleaved runs).
 */
export const SLICE = 32 << 20;
const IN_FLIGHT = 2;
/** How far ahead of what the worker has taken the page reads (two slices). */
export const FEED_AHEAD = 64 << 20;

/** The file's head, to send with the request. */
export async function feedHead(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, Math.min(blob.size, FEED_HEAD)).arrayBuffer());
}

/**
 * Reads [from, size) of the blob and posts it on `port`, at most FEED_AHEAD bytes beyond what the
 * worker has taken; stops when `signal` aborts. The worker closes the channel once it has the whole
 * file (closing it here could drop slices in flight).
 */
export async function feedFile(blob: Blob, from: number, port: FeedPort, signal?: AbortSignal): Promise<void> {
  let next = from;
  let taken = from;
  let waiting: (() => void)[] = [];
  const wake = () => {
    for (const w of waiting) w();
    waiting = [];
  };
  port.onmessage = (e) => {
    const m = e.data;
    if ('taken' in m && m.taken > taken) {
      taken = m.taken;
      wake();
    }
  };
  const reader = async () => {
    for (;;) {
      // the check and the claim of the next slice in one go (another reader may run in between awaits)
      while (next < blob.size && next - taken >= FEED_AHEAD && !signal?.aborted) await new Promise<void>((r) => waiting.push(r));
      if (next >= blob.size || signal?.aborted) return;
      const at = next;
      const end = Math.min(blob.size, at + SLICE);
      next = end;
      const bytes = await blob.slice(at, end).arrayBuffer();
      if (bytes.byteLength !== end - at) throw new Error(`the file changed while it was being read (${bytes.byteLength} of ${end - at} bytes at ${at})`);
      if (signal?.aborted) return;
      port.postMessage({ at, bytes } satisfies FeedMessage, [bytes]);
    }
  };
  const stop = () => wake();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, reader));
  } catch (e) {
    port.postMessage({ error: (e as Error).message || String(e) } satisfies FeedMessage);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
