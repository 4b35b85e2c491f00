/**
 * Starts the seal helper (src/verify/mac-helper.ts) on a worker thread, for a run that verifies one
 * file on this thread: the helper's start-up and its key derivation overlap the reading of the file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Header } from '../src/journal/format.js';
import { HELPER_MIN_BYTES, macHelperClient, macHelperWork, type StartedMacHelper } from '../src/verify/mac-helper.js';

/** `key` null: a helper for compressed payloads only. */
export function startMacHelper(key: string | null): StartedMacHelper {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./mac-worker.js', import.meta.url), { workerData: { port: port2, key }, transferList: [port2] });
  const client = macHelperClient(port1);
  // a helper that dies only costs speed: what it had not answered is hashed here
  worker.on('error', () => client.gone());
  worker.on('exit', () => client.gone());
  return {
    helper: client,
    close() {
      // lets the process exit: with its channel closed the helper's thread ends by itself
      port1.close();
      worker.unref();
    },
  };
}

/**
 * A helper for verifying `path` with `key`, when the file is big and its header says it has work for
 * one (sealed and a key given, or compressed); null otherwise, or when the header cannot be read
 * (the verifier says why).
 */
export function macHelperFor(path: string, key: string | undefined): StartedMacHelper | null {
  const head = new Uint8Array(Header.incompatibleFlags + 4);
  let fd: number | undefined;
  let size: number;
  try {
    fd = openSync(path, 'r');
    size = fstatSync(fd).size;
    if (size < HELPER_MIN_BYTES) return null;
    if (readSync(fd, head, 0, head.length, 0) < head.length) return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const work = macHelperWork(head, size, key !== undefined);
  return work === null ? null : startMacHelper(work === 'seal' ? key! : null);
}
