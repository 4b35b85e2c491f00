/**
 * The reading floor's worker (main.ts): each slice the feed posts is copied into a 16 MiB window
 * (wrapping around) and its buffer given back; once the whole file is taken, it posts the byte count
 * (-1 if the feed failed).
 */
import type { FeedAck, FeedMessage } from '../../web/workers/feed.js';

export interface ReaderStart {
  port: MessagePort;
  size: number;
}

/** The verifier's window (src/verify/window.ts reads a file through one this size). */
const WINDOW = 16 << 20;

self.onmessage = (e: MessageEvent<ReaderStart>) => {
  const { port, size } = e.data;
  const window = new Uint8Array(WINDOW);
  let taken = 0;
  port.onmessage = (m: MessageEvent<FeedMessage | FeedAck>) => {
    const msg = m.data;
    if ('error' in msg) {
      port.close();
      postMessage(-1);
      return;
    }
    if (!('bytes' in msg)) return;
    const bytes = new Uint8Array(msg.bytes, 0, msg.length ?? msg.bytes.byteLength);
    for (let done = 0; done < bytes.length; ) {
      const at = (msg.at + done) % WINDOW;
      const n = Math.min(bytes.length - done, WINDOW - at);
      window.set(bytes.subarray(done, done + n), at);
      done += n;
    }
    taken += bytes.length;
    if (taken >= size) {
      port.close();
      postMessage(taken);
    } else port.postMessage({ taken, back: [msg.bytes] } satisfies FeedAck, [msg.bytes]);
  };
};
