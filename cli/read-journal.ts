/**
 * A journal file as a source for verification (src/verify/window.ts): the verifier reads it straight
 * into its arena's window through the libuv thread pool, a few reads ahead of the scan, so only a
 * window of the file is in memory and the reads overlap the scan. Read whole (into JS memory) only
 * when the fast path declines and the exact verifier needs all of it.
 */
import { closeSync, fstatSync, openSync, read as readAsync, readSync } from 'node:fs';
import { HEAD_BYTES, type FileSource } from '../src/verify/window.js';

/** Reads under way at once (the thread pool has four threads). */
const PARALLEL = 4;
/** Bytes per synchronous read when the file is read whole. */
const CHUNK = 8 << 20;

export interface JournalSource extends FileSource {
  /** Closes the file (once every read the verifier started is done: verifyJournal waits for them). */
  close(): void;
}

/** The file as verifyJournal's source, or the error Node gave (ENOENT, EISDIR, …). */
export function openJournalSource(path: string): { name: string; source: JournalSource } | { error: unknown } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const size = st.size;
    const file = fd;
    let closed = false;
    // the head at once, synchronously: the verifier starts on it (a first trip through the thread
    // pool, while the seal helper's thread starts up, took ~6 ms)
    const head = new Uint8Array(Math.min(size, HEAD_BYTES));
    const got = readSync(file, head, 0, head.length, 0);
    const source: JournalSource = {
      size,
      parallel: PARALLEL,
      read(at, into, done) {
        if (at + into.length <= got) {
          into.set(head.subarray(at, at + into.length));
          return done();
        }
        readChunk(file, into, 0, at, path, done);
      },
      async whole() {
        const bytes = new Uint8Array(size);
        for (let off = 0; off < size; ) {
          const n = readSync(file, bytes, off, Math.min(CHUNK, size - off), off);
          if (n === 0) throw new Error(`${path}: the file ended at byte ${off} while it was being read (it shrank)`);
          off += n;
        }
        return bytes;
      },
      close() {
        if (!closed) closeSync(file);
        closed = true;
      },
    };
    fd = undefined;
    return { name: path, source };
  } catch (e) {
    return { error: e };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** into[from..] from file offset `at`, reading again after a short read; a file that shrank is an error. */
function readChunk(fd: number, into: Uint8Array, from: number, at: number, path: string, done: (err?: unknown) => void): void {
  readAsync(fd, into, from, into.length - from, at, (err, n) => {
    if (err) return done(err);
    if (from + n === into.length) return done();
    if (n === 0) return done(new Error(`${path}: the file ended at byte ${at} while it was being read (it shrank)`));
    readChunk(fd, into, from + n, at + n, path, done);
  });
}
