/**
 * Fuzz worker: runs checkInput() on inputs posted by fuzz.test.ts, in a worker thread so that the main
 * thread can time out a hang (a synchronous infinite loop cannot be interrupted in-process) and survive
 * an out-of-memory abort. Reports CPU time and resident-set growth per input.
 * Does nothing when loaded outside a worker (node --test may pick it up as a file).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { loadNodeKernel } from '../../cli/kernel-node.js';
import { checkInput, describe } from './check-input.js';
import type { SystemdVersion } from '../../src/verify/report.js';

export interface WorkRequest {
  id: number;
  name: string;
  bytes: Uint8Array;
  key?: string;
  version: SystemdVersion;
  format: 'export' | 'json';
}

export interface WorkReply {
  id: number;
  problems: string[];
  crash?: string;
  verdicts?: { noKey: string; withKey?: string };
  cpuMs: number;
  wallMs: number;
  rssBefore: number;
  rssAfter: number;
  maxRss: number;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const kernelP = loadNodeKernel();
  port.on('message', async (req: WorkRequest) => {
    const kernel = await kernelP;
    const rssBefore = process.memoryUsage().rss;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let reply: Omit<WorkReply, 'cpuMs' | 'wallMs' | 'rssBefore' | 'rssAfter' | 'maxRss'>;
    try {
      const r = await checkInput(kernel, req);
      reply = { id: req.id, problems: r.problems, verdicts: r.verdicts };
    } catch (e) {
      reply = { id: req.id, problems: [], crash: describe(e) };
    }
    const c = process.cpuUsage(c0);
    port.postMessage({
      ...reply,
      cpuMs: (c.user + c.system) / 1000,
      wallMs: performance.now() - t0,
      rssBefore,
      rssAfter: process.memoryUsage().rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
    } satisfies WorkReply);
  });
  port.postMessage({ ready: true });
}
