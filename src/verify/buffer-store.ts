/**
 * Buffers kept from one verification to the next, their pages already in memory. A fresh ArrayBuffer
 * of a few MiB is mapped fresh: the first write to each of its 4 KiB pages costs a page fault (~2.2 µs
 * here, ten times the write itself), and freed, it is unmapped again. The page's feed buffers
 * (4 × 8 MiB) and the verify worker's helper batches (4 × 4 MiB) cost ~12,000 faults per big
 * verification that way (Chromium, 120 MiB sealed journal: the page's thread ~11,000 faults in all,
 * the verify worker ~14,000), on two cores that the verification keeps busy. Kept here, they are
 * faulted in once per page; made ahead (`fill`) while the page waits for a file (a key was typed),
 * the first file pays none of it.
 *
 * A store holds at most `count` buffers of `size` bytes, and only while they are not in use: a
 * buffer taken is the taker's until it is put back (a transferred one comes back as another object
 * with the same memory).
 */
export class BufferStore {
  private readonly kept: ArrayBuffer[] = [];

  constructor(
    readonly size: number,
    readonly count: number,
  ) {}

  /** Buffers kept now. */
  get length(): number {
    return this.kept.length;
  }

  /** A kept buffer (its pages in memory), or undefined. */
  take(): ArrayBuffer | undefined {
    return this.kept.pop();
  }

  /** Keeps `buf` for later, unless it is not this store's size (a detached one is 0 bytes) or the store is full. */
  put(buf: ArrayBuffer): void {
    if (buf.byteLength === this.size && this.kept.length < this.count && !this.kept.includes(buf)) this.kept.push(buf);
  }

  /**
   * Makes the buffers the store lacks, each page written once (the fault taken now, not during a
   * verification). The caller makes sure none is out (taken, not yet back): it would be one too many.
   */
  fill(): void {
    while (this.kept.length < this.count) {
      const buf = new ArrayBuffer(this.size);
      new Uint8Array(buf).fill(0);
      this.kept.push(buf);
    }
  }
}
