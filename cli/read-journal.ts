/**
 * Reading a journal for verification: straight into a kernel arena (wasm memory), so the file is in
 * memory once and the wasm scan reads it in place; plain bytes when no arena can be had.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Kernel } from '../src/kernel/kernel.js';
import type { VerifyInput } from '../src/verify/index.js';

/** Chunk size of the reads (large reads into wasm memory cost no extra copy). */
const CHUNK = 16 << 20;

/** The file as verifyJournal's input, or the error code Node gave (ENOENT, EISDIR, …). */
export async function readJournal(path: string, kernel: Kernel): Promise<VerifyInput | { error: unknown }> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const arena = await kernel.openArena(st.size);
    const target = arena ? arena.bytes : new Uint8Array(st.size);
    let off = 0;
    while (off < target.length) {
      const n = readSync(fd, target, off, Math.min(CHUNK, target.length - off), off);
      if (n === 0) break; // the file shrank while being read: verify what is there
      off += n;
    }
    if (off < target.length) return { name: path, bytes: target.slice(0, off) };
    return arena ? { name: path, arena } : { name: path, bytes: target };
  } catch (e) {
    return { error: e };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
