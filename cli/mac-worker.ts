/**
 * The seal helper's thread (src/verify/mac-helper.ts): derives the key's FSPRG as soon as it starts,
 * then hashes the tag segments the verifying thread sends (with Node's OpenSSL) and checks the
 * compressed payloads it sends. Started by cli/mac-helper.ts with the key text (or null) and its end
 * of a message channel.
 */
import { readFileSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { kernelWasmUrl } from './kernel-node.js';
import { loadKernel } from '../src/kernel/kernel.js';
import { nodeHmac } from './node-hmac.js';
import { serveMacHelper } from '../src/verify/mac-helper.js';

const { port, key } = workerData as { port: MessagePort; key: string | null };
// The port keeps this thread's event loop running. Listened to with addEventListener (the core's
// HelperPort), a Node MessagePort is not ref'd, and a loop with nothing ref'd leaves uv_run, where
// Node waits for every background task of the process (V8's optimizing compiles of the other
// thread included) before it looks at the port again: requests that came during the key
// derivation waited 25–90 ms for that. Ref'd, it is served as soon as the derivation ends; the
// verifying thread closing its end of the channel ends this thread.
port.ref();
// Read synchronously: the thread pool is busy reading the journal for the verifying thread. No
// top-level await: the CLI's bundle is CommonJS (vite.cli.config.ts). A kernel that fails to load
// ends this thread with the error, and the verifying thread hashes everything itself.
void loadKernel(readFileSync(kernelWasmUrl())).then((kernel) => serveMacHelper(port, kernel, key, nodeHmac));
