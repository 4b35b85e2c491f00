/**
 * Reading a dropped file on the page's thread and handing it to a verify worker slice by slice.
 * Chromium drains a Blob read on the thread that asked for it, copying every chunk there: asked by
 * the verify worker, that is ~0.2 s of its time per 120 MiB, taken from the scan. Asked here, the
 * page's mostly idle thread pays it, and the worker receives each slice as a transferred buffer
 * (no copy) to put into its arena. The worker starts on the header, sent with the request.
 */

/** What travels on the feed's port, page to worker. */
export type FeedMessage = { at: number; bytes: ArrayBuffer } | { error: string };

/** The part of a MessagePort the feed uses (the page's and Node's alike). */
export interface FeedPort {
  postMessage(message: FeedMessage, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: { data: FeedMessage }) => void) | null;
  close(): void;
}

/** A file being fed: its size, its first bytes, and the port the rest arrives on. */
export interface FedFile {
  readonly size: number;
  /** The first min(size, FEED_HEAD) bytes. */
  readonly head: Uint8Array;
  readonly port: FeedPort;
}

/** Bytes sent with the request (enough for any header: the worker sizes its arena from it). */
export const FEED_HEAD = 64 << 10;
/** Slice size, and slices read at once (the browser reads a File in another process; several requests keep it busy). */
const SLICE = 8 << 20;
const IN_FLIGHT = 4;

/** The file's head, to send with the request. */
export async function feedHead(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, Math.min(blob.size, FEED_HEAD)).arrayBuffer());
}

/**
 * Reads [from, size) of the blob and posts it on `port`; stops when `signal` aborts. The worker
 * closes the channel once it has the whole file (closing it here could drop slices in flight).
 */
export async function feedFile(blob: Blob, from: number, port: FeedPort, signal?: AbortSignal): Promise<void> {
  let next = from;
  const reader = async () => {
    while (next < blob.size && !signal?.aborted) {
      const at = next;
      const end = Math.min(blob.size, at + SLICE);
      next = end;
      const bytes = await blob.slice(at, end).arrayBuffer();
      if (bytes.byteLength !== end - at) throw new Error(`the file changed while it was being read (${bytes.byteLength} of ${end - at} bytes at ${at})`);
      if (signal?.aborted) return;
      port.postMessage({ at, bytes } satisfies FeedMessage, [bytes]);
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, reader));
  } catch (e) {
    port.postMessage({ error: (e as Error).message || String(e) } satisfies FeedMessage);
  }
}
