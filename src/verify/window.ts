/**
 * A file streaming through a kernel arena's window while it is verified. The fast path reads each
 * object once, in file order (assembly/scan.ts keeps what its pass 2 needs in tables), so the file
 * need not be in memory at once: the reader fills the window ahead of the scan, and the verifier
 * moves the window on (shift) once the bytes behind are no longer needed. Memory then holds a
 * window of the file (16 MiB by default) plus the scan's tables, not the file; and the same pages
 * are filled again and again, where a whole file's first touch of fresh memory cost as much as
 * the copy (~1 ms per MiB in Chromium, the sys time of the CLI's reads).
 *
 * Where the bytes come from is a FileSource: the CLI's file descriptor, the page's slices, bytes
 * already in memory. Reading is I/O (another thread or process), so it overlaps the scan.
 */
import { CompatibleFlag, Header, HashTableObject } from '../journal/format.js';
import type { JournalArena, ScanTables } from '../kernel/kernel.js';

/** A file to verify, read on demand. */
export interface FileSource {
  readonly size: number;
  /** Reads that may be under way at once (1 for bytes in memory: each read completes at once). */
  readonly parallel: number;
  /**
   * Puts bytes [at, at + into.length) of the file into `into`, then calls `done` (with the error if
   * it could not); `done` may be called before read() returns. `into` is wasm memory: it stays
   * valid until done.
   */
  read(at: number, into: Uint8Array, done: (error?: unknown) => void): void;
  /** The whole file, for the exact verifier when the fast path declines (reads it again if need be). */
  whole(): Promise<Uint8Array>;
}

/** Bytes already in memory as a source. */
export function bytesSource(bytes: Uint8Array): FileSource {
  return {
    size: bytes.length,
    parallel: 1,
    read(at, into, done) {
      into.set(bytes.subarray(at, at + into.length));
      done();
    },
    whole: () => Promise.resolve(bytes),
  };
}

/** How much of the file to read first: enough for any header, so the arena can be sized before the rest arrives. */
export const HEAD_BYTES = 64 << 10;

/** The window the fast path keeps by default: what is read ahead of the scan (and behind it, not yet hashed). */
export const WINDOW_BYTES = 16 << 20;
/**
 * The table room of an arena made ahead (Kernel.readyArena): the scan tables of a journal of up to
 * ~150 MiB (a 120 MiB one's take 19–21 MiB: its bitmaps, the per-DATA tables, the chain map, the
 * hash table's buckets, the tag records).
 */
export const RESERVE_TABLE_BYTES = 24 << 20;

/** The first min(size, HEAD_BYTES) bytes, read into `into` (its length). */
export function readHead(source: FileSource, into: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => source.read(0, into, (e) => (e === undefined ? resolve() : reject(e))));
}

/**
 * Reads a source into an arena's window, ahead of the scan: bytes [arena.base, loaded) are in
 * place; reads run up to `limit` (the window's span past its base), `parallel` at a time, each in
 * file order. The verifier asks for more (more()), and moves the window on (shift()) when no read
 * is under way (quiet).
 */
export class WindowReader {
  /** Bytes [arena.base, loaded) of the file are in the window. */
  loaded: number;
  private issued: number;
  private limit: number;
  private inFlight = 0;
  /** Reads done beyond `loaded` (start -> end), waiting for the gap before them. */
  private readonly pieces = new Map<number, number>();
  private failed = false;
  private error: unknown;
  private waiters: { have: number; resolve(n: number): void; reject(e: unknown): void }[] = [];
  /**
   * Where reading stops: the end of the last object (endAt), the file's end until then. journalctl's
   * pass 1 stops at the tail object and never reads what follows it (journald's preallocated zeros).
   */
  end: number;
  /** Reads go no further than this until endAt() says where the end is (holdAt). */
  private hold = Infinity;
  private idleWaiters: (() => void)[] = [];
  private readonly chunk: number;

  constructor(
    private readonly arena: JournalArena,
    private readonly source: FileSource,
    /** Bytes [0, from) are in the window already (the head). */
    from: number,
    /** How far ahead of the window's start reads may go. */
    readonly span: number,
  ) {
    this.loaded = this.issued = from;
    this.end = source.size;
    this.limit = Math.min(this.end, span);
    // a few reads per window, so the reader refills it while the scan works through the rest
    this.chunk = Math.max(512, Math.min(2 << 20, Math.floor(span / 8)));
    this.pump();
  }

  /** No read is under way (the window can move). */
  get quiet(): boolean {
    return this.inFlight === 0;
  }

  /** The reader has filled the window as far as it may (more() would wait for a shift or an extend). */
  get full(): boolean {
    return this.loaded >= this.limit && this.limit < this.end;
  }

  /** Reading has reached the hold (holdAt): endAt() lets it go on. */
  get held(): boolean {
    return this.loaded >= this.hold;
  }

  /** Resolves once more than `have` bytes are in place, or all of them, or reading is held; rejects when reading fails. */
  more(have: number): Promise<number> {
    if (this.failed) return Promise.reject(this.error);
    if (this.ready(have)) return Promise.resolve(this.loaded);
    return new Promise((resolve, reject) => this.waiters.push({ have, resolve, reject }));
  }

  private ready(have: number): boolean {
    return this.loaded > have || this.loaded >= this.end || this.loaded >= this.hold;
  }

  /**
   * Reads stop at file offset `at` until endAt(): the verifier holds them at the end of the tail
   * object's header, where it learns the tail object's size.
   */
  holdAt(at: number): void {
    if (at < this.end) this.hold = at;
  }

  /** Nothing from `at` on is read (at ≥ loaded; the file's end at most); lifts the hold. */
  endAt(at: number): void {
    this.hold = Infinity;
    this.end = Math.max(this.loaded, Math.min(this.source.size, at));
    this.limit = Math.min(this.limit, this.end);
    this.pump();
    this.wakeReady();
  }

  /** Resolves once no read is under way. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Moves the window on to start at file offset `keep` (≤ loaded; no read under way). */
  shift(keep: number): void {
    if (this.inFlight !== 0) throw new Error('WindowReader.shift: a read is under way');
    this.arena.shift(keep, this.loaded);
    this.limit = Math.min(this.end, keep + this.span);
    this.pump();
  }

  /** The window holds only bytes still needed and is full: let it grow by another span. */
  extend(): void {
    this.limit = Math.min(this.end, this.arena.base + this.arena.window.length, this.limit + this.span);
    this.pump();
  }

  private pumping = false;
  private pump(): void {
    // not re-entered: a source may complete a read inside read() (bytes in memory, slices at hand)
    if (this.pumping) return;
    this.pumping = true;
    const stop = Math.min(this.limit, this.hold);
    while (!this.failed && this.inFlight < this.source.parallel && this.issued < stop) {
      const at = this.issued;
      const end = Math.min(stop, at + this.chunk);
      this.issued = end;
      this.inFlight++;
      const base = this.arena.base;
      this.source.read(at, this.arena.window.subarray(at - base, end - base), (error) => this.done(at, end, error));
    }
    this.pumping = false;
  }

  private done(at: number, end: number, error: unknown): void {
    this.inFlight--;
    if (error !== undefined) this.fail(error);
    else this.arrived(at, end);
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    this.pump();
  }

  private arrived(at: number, end: number): void {
    this.pieces.set(at, end);
    let front = this.loaded;
    for (let e = this.pieces.get(front); e !== undefined; e = this.pieces.get(front)) {
      this.pieces.delete(front);
      front = e;
    }
    if (front === this.loaded) return;
    this.loaded = front;
    this.wakeReady();
  }

  private wakeReady(): void {
    this.waiters = this.waiters.filter((w) => {
      const ready = this.ready(w.have);
      if (ready) w.resolve(this.loaded);
      return !ready;
    });
  }

  /** Reading stopped short: every wait, now and later, rejects with `error`. */
  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}

/**
 * One turn of the event loop (a task, not a microtask), so that the reader's completions can run
 * between slices of verification work: pass 1 and the hashing are synchronous, and a reader whose
 * callbacks never run stops reading ahead.
 */
export function yieldTask(): Promise<void> {
  const y = (yielder ??= newYielder());
  return new Promise((resolve) => {
    if (y.waiting.push(resolve) === 1) y.port1.ref?.();
    y.port2.postMessage(null);
  });
}

/**
 * One channel per thread for every yield, its messages answered in order: a new MessageChannel per
 * yield cost ~40–75 µs (85–145 µs of CPU) in a Chromium worker against ~15 (30) for one reused, and
 * a 120 MiB journal yields ~160–190 times in the page. (MessageChannel is in browsers, workers and
 * Node alike: the core is typed without either's globals.) In Node the port keeps the process alive
 * only while a yield waits on it.
 */
let yielder: (ChannelLike & { waiting: (() => void)[] }) | null = null;

function newYielder(): ChannelLike & { waiting: (() => void)[] } {
  const ch = new (globalThis as unknown as { MessageChannel: new () => ChannelLike }).MessageChannel();
  const y = { port1: ch.port1, port2: ch.port2, waiting: [] as (() => void)[] };
  ch.port1.onmessage = () => {
    const resolve = y.waiting.shift();
    if (y.waiting.length === 0) ch.port1.unref?.();
    resolve?.();
  };
  ch.port1.unref?.();
  return y;
}

interface ChannelLike {
  port1: { onmessage: (() => void) | null; ref?(): void; unref?(): void };
  port2: { postMessage(message: null): void };
}

/**
 * A u64 header field from a file's head, or undefined when the head, or the header itself (its
 * header_size: older files have shorter headers), ends before it.
 */
export function headerField(head: Uint8Array, off: number): bigint | undefined {
  if (head.length < Math.max(off, Header.headerSize) + 8) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return view.getBigUint64(Header.headerSize, true) >= BigInt(off + 8) ? view.getBigUint64(off, true) : undefined;
}

/**
 * Upper bounds for the scan tables of a file of `size` bytes, from its header's object counts and
 * data hash table size where the header has them (a lying header only makes the scan irregular: the
 * exact verifier runs).
 */
export function scanTables(head: Uint8Array, size: number): ScanTables {
  const cap = Math.floor(size / 64) + 1;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u64 = (off: number): bigint | undefined => (off + 8 <= head.length ? view.getBigUint64(off, true) : undefined);
  const field = (off: number) => headerField(head, off);
  const bound = (n: bigint | undefined, most: number) => (n === undefined || n >= BigInt(most) ? most : Number(n) + 1);
  const sealed = head.length >= Header.compatibleFlags + 4 && (view.getUint32(Header.compatibleFlags, true) & CompatibleFlag.SEALED) !== 0;
  const buckets = (u64(Header.dataHashTableSize) ?? 0n) / BigInt(HashTableObject.ITEM_SIZE);
  return {
    maxData: bound(field(Header.nData), cap),
    maxTags: sealed ? bound(field(Header.nTags), cap) : 1,
    maxBuckets: bound(buckets, Math.floor(size / HashTableObject.ITEM_SIZE) + 1),
  };
}
