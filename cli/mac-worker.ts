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
// read synchronously: the thread pool is busy reading the journal for the verifying thread
serveMacHelper(port, await loadKernel(readFileSync(kernelWasmUrl())), key, nodeHmac);
