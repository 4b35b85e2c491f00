/**
 * Reading a journal for verification: straight into a kernel arena (wasm memory), so the file is in
 * memory once and the wasm scan reads it in place. The header is read first (it sizes the arena's
 * scan tables); the rest is read by the libuv thread pool while verification scans what has arrived.
 * Plain bytes when no arena can be had.
 */
import { closeSync, fstatSync, openSync, read as readAsync, readSync } from 'node:fs';
import type { Kernel } from '../src/kernel/kernel.js';
import { ArenaLoader, HEAD_BYTES, scanTables } from '../src/verify/arena-fill.js';
import type { VerifyInput } from '../src/verify/index.js';

/**
 * Bytes per read, and reads queued at once: all of them, straight into the arena, so the thread
 * pool keeps reading while the main thread scans (each completion only records how far it got).
 */
const CHUNK = 8 << 20;
const IN_FLIGHT = 1 << 16;

/** The file as verifyJournal's input, or the error code Node gave (ENOENT, EISDIR, …). */
export async function readJournal(path: string, kernel: Kernel): Promise<VerifyInput | { error: unknown }> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const size = st.size;
    const head = new Uint8Array(Math.min(size, HEAD_BYTES));
    const got = readFully(fd, head, 0);
    if (got < head.length) return { name: path, bytes: head.slice(0, got) };
    const arena = await kernel.openArena(size, scanTables(head, size));
    if (!arena) {
      const bytes = new Uint8Array(size);
      bytes.set(head);
      const n = readFully(fd, bytes, head.length);
      return { name: path, bytes: n < size ? bytes.slice(0, n) : bytes };
    }
    arena.bytes.set(head);
    const fill = new ArenaLoader(size);
    fill.advance(head.length);
    readRest(fd, arena.bytes, head.length, fill, path);
    fd = undefined; // readRest closes it
    return { name: path, arena, fill };
  } catch (e) {
    return { error: e };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Synchronous reads into target from `from`; returns where the data ended (short when the file shrank). */
function readFully(fd: number, target: Uint8Array, from: number): number {
  let off = from;
  while (off < target.length) {
    const n = readSync(fd, target, off, Math.min(CHUNK, target.length - off), off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** Reads [from, end) in chunks, a few at a time, reporting each contiguous prefix; closes fd. */
function readRest(fd: number, target: Uint8Array, from: number, fill: ArenaLoader, path: string): void {
  const end = target.length;
  if (from >= end) return closeSync(fd);
  let next = from;
  let active = 0;
  let failed = false;
  const finish = (error?: unknown) => {
    if (error !== undefined && !failed) {
      failed = true;
      fill.fail(error);
    }
    if (active === 0 && (failed || fill.loaded >= end)) closeSync(fd);
  };
  const issue = (): void => {
    while (!failed && active < IN_FLIGHT && next < end) {
      const at = next;
      const len = Math.min(CHUNK, end - at);
      next += len;
      active++;
      readChunk(fd, target, at, len, path, (err) => {
        active--;
        if (err) return finish(err);
        fill.arrived(at, at + len);
        if (fill.loaded >= end) return finish();
        issue();
        if (failed) finish();
      });
    }
  };
  issue();
}

/** One chunk, reading again after a short read; a file that shrank is an error. */
function readChunk(fd: number, target: Uint8Array, at: number, len: number, path: string, cb: (err?: unknown) => void): void {
  readAsync(fd, target, at, len, at, (err, n) => {
    if (err) return cb(err);
    if (n === len) return cb();
    if (n === 0) return cb(new Error(`${path}: the file ended at byte ${at} while it was being read (it shrank)`));
    readChunk(fd, target, at + n, len - n, path, cb);
  });
}
