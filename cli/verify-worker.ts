/**
 * One verification per message, on a worker thread (cli/verify.ts runs several files at once, one
 * worker per core): reads the file itself (the bytes never cross threads) and posts the report back.
 */
import { parentPort } from 'node:worker_threads';
import { loadNodeKernel } from './kernel-node.js';
import { nodeHmac } from './node-hmac.js';
import { openJournalSource } from './read-journal.js';
import { verifyJournal } from '../src/verify/index.js';
import { withoutSegments } from '../src/verify/segments-transfer.js';
import type { SystemdVersion } from '../src/verify/report.js';
import { processLocalTime } from './tz.js';

export interface WorkerJob {
  id: number;
  path: string;
  key?: string;
  version: SystemdVersion;
  quiet: boolean;
  utc: boolean;
}

parentPort?.on('message', async (job: WorkerJob) => {
  try {
    const kernel = await loadNodeKernel();
    const input = openJournalSource(job.path);
    if ('error' in input) throw input.error;
    try {
      const report = await verifyJournal(input, kernel, {
        key: job.key,
        version: job.version,
        quiet: job.quiet,
        localTime: processLocalTime(job.utc),
        hmac: nodeHmac,
      });
      // the tag segments as one transferred array: thousands of small objects are slow to clone
      const { report: bare, packed } = withoutSegments(report);
      parentPort!.postMessage({ id: job.id, report: bare, segments: packed }, [packed.buffer as ArrayBuffer]);
    } finally {
      input.source.close();
    }
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as { code?: string })?.code ?? (e instanceof Error ? e.message : String(e)) });
  }
});
