/**
 * Reading a dropped file on the page's thread and handing it to a verify worker slice by slice.
 * Chromium drains a Blob read on the thread that asked for it, copying every chunk there: asked by
 * the verify worker, that is ~0.2 s of its time per 120 MiB, taken from the scan. Asked here, the
 * page's mostly idle thread pays it, and the worker receives each slice as a transferred buffer
 * (no copy) to put into its arena's window. The worker reads the head itself and starts on it.
 *
 * The page reads the file as one byte stream into a few buffers that the worker gives back once it
 * has taken their bytes (FeedAck.back): the same pages are filled again and again. A fresh buffer per
 * slice (Blob.slice().arrayBuffer()) has every page of the file faulted in fresh on this thread:
 * ~50 ms more CPU per 120 MiB in Chromium, and the pool bounds how far the page reads ahead of the
 * worker. Where a Blob's stream has no BYOB reader, slices are read with arrayBuffer(), at most
 * FEED_AHEAD bytes beyond what the worker says it has taken.
 */

import { BufferStore } from '../../src/verify/buffer-store.js';

/** What travels on the feed's port, page to worker: bytes [at, at + length) of the file (length: all of `bytes`). */
export type FeedMessage = { at: number; bytes: ArrayBuffer; length?: number } | { error: string };
/**
 * Worker to page: the slices before `taken` are in its window (or no longer wanted); `back`, their
 * buffers; `readTo`, how far the page need read (the file's end until said otherwise): the verifier
 * reads nothing after the journal's last object, as journalctl does, and says so from the header.
 */
export type FeedAck = { taken: number; back?: ArrayBuffer[]; readTo?: number };

/** The part of a MessagePort the feed uses (the page's and Node's alike). */
export interface FeedPort {
  postMessage(message: FeedMessage | FeedAck, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: { data: FeedMessage | FeedAck }) => void) | null;
  close(): void;
}

/** A file being fed: its size, the port its bytes after the head arrive on, the file itself. */
export interface FedFile {
  readonly size: number;
  readonly port: FeedPort;
  /**
   * The file. The worker reads its head (FEED_HEAD) itself, at once: asked by the page's thread,
   * busy showing the new card, the head came ~20 ms later. Read whole by the worker only when the
   * fast path declines it (a file with something wrong: the exact verifier needs all of it at once).
   */
  readonly blob: Blob;
}

/** The head, read by the worker (enough for any header: it sizes its arena from it); the page feeds the rest. */
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
/** The stream's buffers: how many, and their size (Chromium, 120 MiB: 4 × 8 MiB read with the least CPU). */
export const POOL_BUFFERS = 4;
export const POOL_BUFFER = 8 << 20;
/**
 * The stream's buffers between files (buffer-store.ts): a stream takes them from here and, once it
 * has ended, puts back those the worker returns. `readyFeedBuffers` makes them ahead of the first
 * file; held for the page's life (32 MiB), they spare every big file ~8,000 page faults on this
 * thread.
 */
const kept = new BufferStore(POOL_BUFFER, POOL_BUFFERS);
/** Byte streams being read now (their buffers are out of the store). */
let streams = 0;

/** The stream's buffers made now, their pages in memory, unless they exist or a file is being read. */
export function readyFeedBuffers(): void {
  if (streams === 0) kept.fill();
}

/** Buffers kept for the next file (tests). */
export function keptFeedBuffers(): number {
  return kept.length;
}

/**
 * How far past the header's tail object (the last object) the page reads before the worker asks for
 * more: the tail object's size is not in the header, and it is rarely longer than this (a TAG is
 * 64 bytes, an ENTRY a few hundred).
 */
export const FEED_PAST_TAIL = 64 << 10;

/**
 * A read of the byte stream that brings nothing for this long is given up, and the rest of the file
 * is read as slices (arrayBuffer()). Chromium (156) now and then never answers a BYOB read of a
 * File's stream, and the verification waiting for those bytes never ends (seen in CI). A test page
 * reading the corpus's files two at a time, beside workers reading their heads, on a loaded machine:
 * 7 of ~19,000 files' streams hung; none of 11,400 read with arrayBuffer(), or with a default
 * reader. A healthy stream answers every ~150 KiB; a slow disk taken for a stall only has the rest
 * of its file read as slices, which is as correct.
 */
export const STALL_MS = 2000;

/** The file's head: its first min(size, FEED_HEAD) bytes. */
export async function feedHead(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, Math.min(blob.size, FEED_HEAD)).arrayBuffer());
}

/**
 * Reads [from, size) of the blob and posts it on `port`, at most FEED_AHEAD bytes (or the pool's
 * buffers) beyond what the worker has taken; stops when `signal` aborts. The worker closes the
 * channel once it has the whole file (closing it here could drop slices in flight). A byte stream
 * that stalls (STALL_MS) is left for slices from where it stopped.
 */
export async function feedFile(blob: Blob, from: number, port: FeedPort, signal?: AbortSignal, stallMs = STALL_MS): Promise<void> {
  let reader: ReadableStreamBYOBReader | null = null;
  try {
    if (from < blob.size) reader = blob.slice(from).stream().getReader({ mode: 'byob' });
  } catch {
    // no byte stream here: slices
  }
  try {
    const stalled = reader ? await feedStream(reader, blob.size, from, port, signal, stallMs) : { at: from, end: blob.size };
    if (stalled) {
      // the stream goes now (the stalled read with it), not after the slices
      void reader?.cancel().catch(() => {});
      reader = null;
      await feedSlices(blob, stalled.at, port, signal, stalled.end);
    }
  } catch (e) {
    port.postMessage({ error: (e as Error).message || String(e) } satisfies FeedMessage);
  } finally {
    void reader?.cancel().catch(() => {});
  }
}

/** Wakes whoever waits for the worker (an ack, or an abort). */
function waiter(signal?: AbortSignal) {
  let waiting: (() => void)[] = [];
  const wake = () => {
    for (const w of waiting) w();
    waiting = [];
  };
  signal?.addEventListener('abort', wake, { once: true });
  return {
    wake,
    wait: () => new Promise<void>((r) => waiting.push(r)),
    done: () => signal?.removeEventListener('abort', wake),
  };
}

/**
 * One watchdog per stream for its reads: `read(view)` is reader.read(view), or null once it has
 * brought nothing for `ms` (the view's buffer then stays with the read, which may never give it
 * back). A timer per read (set, then cleared when the read came back ~150 µs later) cost the page's
 * thread ~2,000 setTimeout and clearTimeout calls per 120 MiB, more than the reads' own JavaScript
 * in its profile; without them, 16 interleaved pairs of runs on a 120 MiB journal: the page's
 * thread −8 ± 6 ms of CPU. The watchdog looks every `ms` / 4, so a stall is given up after `ms` to
 * 1.25 `ms`. Each read races a promise of its own: raced against one promise for the whole stream,
 * every read left a reaction on it that lived as long as the stream (~0.5 KB a read: ~90 MB held
 * by the page's thread while it read a 10 GiB file in 64 KiB chunks).
 */
function stallWatch(reader: ReadableStreamBYOBReader, ms: number) {
  let since = 0;
  /** Gives the read under way up (null between reads). */
  let giveUp: ((r: null) => void) | null = null;
  const timer = setInterval(() => {
    if (giveUp && performance.now() - since >= ms) giveUp(null);
  }, Math.max(1, ms / 4));
  return {
    async read(view: Uint8Array): Promise<Awaited<ReturnType<ReadableStreamBYOBReader['read']>> | null> {
      since = performance.now();
      const stalled = new Promise<null>((r) => (giveUp = r));
      try {
        return await Promise.race([reader.read(view), stalled]);
      } finally {
        giveUp = null;
      }
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * The byte stream into the pool's buffers, each posted full (the last one as far as the file goes).
 * Undefined once all is read (or the feed stopped); where the rest is to be read from when a read
 * stalled (`at`: the first byte not posted; `end`: how far the worker wants bytes).
 */
async function feedStream(
  reader: ReadableStreamBYOBReader,
  size: number,
  from: number,
  port: FeedPort,
  signal: AbortSignal | undefined,
  stallMs: number,
): Promise<{ at: number; end: number } | undefined> {
  const free: ArrayBuffer[] = [];
  let made = 0;
  let end = size;
  let ended = false;
  const w = waiter(signal);
  const watch = stallWatch(reader, stallMs);
  port.onmessage = (e) => {
    const m = e.data;
    if ('taken' in m) {
      // (after the stream's end, the worker still gives back what it held: kept for the next file)
      for (const b of m.back ?? []) if (b.byteLength === POOL_BUFFER) (ended ? kept.put(b) : free.push(b));
      if (m.readTo !== undefined) end = Math.min(size, m.readTo);
      w.wake();
    }
  };
  streams++;
  try {
    for (let at = from; at < size && !signal?.aborted; ) {
      // past where the worker needs bytes, or no buffer free: until it asks for more or gives one
      // back (or the verdict stops the feed)
      let buf = at < end ? (free.pop() ?? (made < POOL_BUFFERS ? (made++, kept.take() ?? new ArrayBuffer(POOL_BUFFER)) : undefined)) : undefined;
      if (!buf) {
        await w.wait();
        continue;
      }
      const want = Math.min(POOL_BUFFER, end - at);
      let got = 0;
      while (got < want) {
        const r = await watch.read(new Uint8Array(buf, got, want - got));
        if (!r) return { at, end };
        const { done, value } = r;
        if (value) buf = value.buffer as ArrayBuffer; // the read transferred it
        if (done || !value) break;
        got += value.byteLength;
      }
      if (got !== want) throw new Error(`the file changed while it was being read (${got} of ${want} bytes at ${at})`);
      if (signal?.aborted) return;
      port.postMessage({ at, bytes: buf, length: got } satisfies FeedMessage, [buf]);
      at += got;
    }
  } finally {
    streams--;
    ended = true;
    for (const b of free.splice(0)) kept.put(b);
    watch.stop();
    w.done();
  }
}

/**
 * Blob slices read with arrayBuffer(), IN_FLIGHT at once, at most FEED_AHEAD beyond what was taken;
 * `end`: how far the worker wants bytes, until it says otherwise.
 */
async function feedSlices(blob: Blob, from: number, port: FeedPort, signal: AbortSignal | undefined, end: number): Promise<void> {
  let next = from;
  let taken = from;
  const w = waiter(signal);
  port.onmessage = (e) => {
    const m = e.data;
    if (!('taken' in m)) return;
    if (m.taken > taken) taken = m.taken;
    if (m.readTo !== undefined) end = Math.min(blob.size, m.readTo);
    w.wake();
  };
  const reader = async () => {
    for (;;) {
      // the check and the claim of the next slice in one go (another reader may run in between awaits)
      while (next < blob.size && (next - taken >= FEED_AHEAD || next >= end) && !signal?.aborted) await w.wait();
      if (next >= blob.size || signal?.aborted) return;
      const at = next;
      const to = Math.min(end, at + SLICE);
      next = to;
      const bytes = await blob.slice(at, to).arrayBuffer();
      if (bytes.byteLength !== to - at) throw new Error(`the file changed while it was being read (${bytes.byteLength} of ${to - at} bytes at ${at})`);
      if (signal?.aborted) return;
      port.postMessage({ at, bytes } satisfies FeedMessage, [bytes]);
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, reader));
  } finally {
    w.done();
  }
}
