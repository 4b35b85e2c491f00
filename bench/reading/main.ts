/**
 * The bench's reading floor (bench/chromium.ts, readAlone): a picked file goes through the page's own
 * feed (web/workers/feed.ts: the byte stream into four 8 MiB buffers) to a worker that copies it into
 * a window, as the verify worker copies it into its arena's, and gives each buffer back. Nothing is
 * verified: what Chromium spends here, every verification of the file spends as well.
 *
 * When the worker has taken the whole file, `#read` says `BYTES MS` (the time from the pick).
 */
import { feedFile, type FeedPort } from '../../web/workers/feed.js';
import type { ReaderStart } from './reader.worker.js';

const out = document.getElementById('read') as HTMLOutputElement;
// started with the page, as the page's verify workers are
const worker = new Worker(new URL('./reader.worker.ts', import.meta.url), { type: 'module' });

(document.getElementById('files') as HTMLInputElement).addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const t0 = performance.now();
  const { port1, port2 } = new MessageChannel();
  worker.onmessage = (m: MessageEvent<number>) => {
    out.value = `${m.data} ${(performance.now() - t0).toFixed(1)}`;
  };
  worker.postMessage({ port: port2, size: file.size } satisfies ReaderStart, [port2]);
  void feedFile(file, 0, port1 as unknown as FeedPort);
});
