/**
 * Starts the seal helper (src/verify/mac-helper.ts) on a worker thread, for a run that verifies one
 * file on this thread: the helper's start-up and its key derivation overlap the reading of the file.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { macHelperClient, type MacHelper } from '../src/verify/mac-helper.js';

export interface NodeMacHelper {
  helper: MacHelper;
  /** Lets the process exit: closes the channel (the helper's thread then ends by itself). */
  close(): void;
}

/** `key` null: a helper for compressed payloads only. */
export function startMacHelper(key: string | null): NodeMacHelper {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./mac-worker.js', import.meta.url), { workerData: { port: port2, key }, transferList: [port2] });
  const client = macHelperClient(port1);
  // a helper that dies only costs speed: what it had not answered is hashed here
  worker.on('error', () => client.gone());
  worker.on('exit', () => client.gone());
  return {
    helper: client,
    close() {
      port1.close();
      worker.unref();
    },
  };
}
