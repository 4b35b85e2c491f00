/**
 * A file being read into a kernel arena while it is verified: the reader (the CLI's fs reads, the
 * page's Blob slices) says how much of the file, from its start, is in place; the fast path scans up
 * to there and waits for more. Reading is I/O (another thread or process), so it overlaps the scan.
 */
import { CompatibleFlag, Header } from '../journal/format.js';
import type { ScanTables } from '../kernel/kernel.js';

export interface ArenaFill {
  /** Bytes [0, loaded) of the file are in the arena. */
  readonly loaded: number;
  /** Resolves once more than `have` bytes are in place, or all of them; rejects when reading fails. */
  more(have: number): Promise<number>;
}

/** The reader's side of an ArenaFill: it reports the pieces it has put in place, in any order. */
export class ArenaLoader implements ArenaFill {
  loaded = 0;
  /** Pieces in place beyond `loaded` (start -> end), waiting for the gap before them. */
  private pieces = new Map<number, number>();
  private error: unknown;
  private failed = false;
  private waiters: { have: number; resolve(n: number): void; reject(e: unknown): void }[] = [];

  constructor(readonly size: number) {}

  /** Bytes [at, end) are in place: `loaded` moves over every run that is now contiguous. */
  arrived(at: number, end: number): void {
    this.pieces.set(at, end);
    let front = this.loaded;
    for (let e = this.pieces.get(front); e !== undefined; e = this.pieces.get(front)) {
      this.pieces.delete(front);
      front = Math.max(front, e);
    }
    this.advance(front);
  }

  /** Bytes [0, n) are in place. */
  advance(n: number): void {
    if (n <= this.loaded) return;
    this.loaded = Math.min(n, this.size);
    this.waiters = this.waiters.filter((w) => {
      if (this.loaded > w.have || this.loaded === this.size) w.resolve(this.loaded);
      return !(this.loaded > w.have || this.loaded === this.size);
    });
  }

  /** Reading stopped short: every wait, now and later, rejects with `error`. */
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  more(have: number): Promise<number> {
    if (this.failed) return Promise.reject(this.error);
    if (this.loaded > have || this.loaded === this.size) return Promise.resolve(this.loaded);
    return new Promise((resolve, reject) => this.waiters.push({ have, resolve, reject }));
  }
}

/**
 * One turn of the event loop (a task, not a microtask), so that the reader's completions can run
 * between slices of verification work: pass 1 and the hashing are synchronous, and a reader whose
 * callbacks never run stops reading ahead.
 */
export function yieldTask(): Promise<void> {
  return new Promise((resolve) => {
    // MessageChannel is in browsers, workers and Node alike (the core is typed without either's globals).
    const ch = new (globalThis as unknown as { MessageChannel: new () => ChannelLike }).MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

interface ChannelLike {
  port1: { onmessage: (() => void) | null; close(): void };
  port2: { postMessage(message: null): void };
}

/** Waits until the whole file is in place. */
export async function fillAll(fill: ArenaFill, size: number): Promise<void> {
  let have = fill.loaded;
  while (have < size) have = await fill.more(have);
}

/** How much of the file to read first: enough for any header, so the arena can be sized before the rest arrives. */
export const HEAD_BYTES = 64 << 10;

/**
 * Upper bounds for the scan tables of a file of `size` bytes, from its header's object counts where
 * the header has them (a lying header only makes the scan irregular: the exact verifier runs).
 */
export function scanTables(head: Uint8Array, size: number): ScanTables {
  const cap = Math.floor(size / 64) + 1;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u64 = (off: number): bigint | undefined => (off + 8 <= head.length ? view.getBigUint64(off, true) : undefined);
  const headerSize = u64(Header.headerSize) ?? 0n;
  const field = (off: number) => (headerSize >= BigInt(off + 8) ? u64(off) : undefined);
  const bound = (n: bigint | undefined) => (n === undefined || n >= BigInt(cap) ? cap : Number(n) + 1);
  const sealed = head.length >= Header.compatibleFlags + 4 && (view.getUint32(Header.compatibleFlags, true) & CompatibleFlag.SEALED) !== 0;
  return { maxData: bound(field(Header.nData)), maxTags: sealed ? bound(field(Header.nTags)) : 1 };
}
