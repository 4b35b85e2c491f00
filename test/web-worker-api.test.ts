// The verify worker's API (web/workers/api.ts) driven through Comlink over a MessageChannel, as the
// page drives it in a Web Worker: bytes and fed files in, progress and key look-ups called back across the
// channel, journalctl's verdict out, never an exception for bad input.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as Comlink from 'comlink';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { createVerifyApi, fedSource, type VerifyApi, type VerifyHooks } from '../web/workers/api.js';
import { FEED_HEAD, FEED_PAST_TAIL, feedFile, type FeedAck, type FedFile, type FeedPort } from '../web/workers/feed.js';
import { Header } from '../src/journal/format.js';

const corpus = new URL('../../test/fixtures/corpus/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', corpus), 'utf8')) as {
  files: { name: string; expected_journalctl_254: Record<'with_key' | 'without_key', { stderr: string[] }> }[];
};
const expected = (name: string, withKey: boolean): string[] =>
  manifest.files.find((f) => f.name === name)!.expected_journalctl_254[withKey ? 'with_key' : 'without_key'].stderr;
const journal = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, corpus)));
const KEY = readFileSync(new URL('keys/A.key', corpus), 'utf8').trim();
const MACHINE = '72d6c31ad8563f93d537fced596001bf';

// The worker side and the page side of one Comlink connection.
const { port1, port2 } = new MessageChannel();
Comlink.expose(createVerifyApi(loadNodeKernel), port1 as unknown as Comlink.Endpoint);
const remote = Comlink.wrap<VerifyApi>(port2 as unknown as Comlink.Endpoint);
after(() => {
  remote[Comlink.releaseProxy]();
  port1.close();
  port2.close();
});

function hooks(keyFor?: (machineId: string) => string | undefined) {
  const progress: [number, number][] = [];
  const asked: string[] = [];
  const h: VerifyHooks = {
    onProgress: (done, total) => void progress.push([done, total]),
    ...(keyFor ? { keyFor: ({ machineId }) => (asked.push(machineId), keyFor(machineId)) } : {}),
  };
  return { proxy: Comlink.proxy(h), progress, asked };
}

/** Progress callbacks travel as messages; give them a turn to arrive. */
const settle = () => new Promise((r) => setTimeout(r, 20));

test('intact sealed file with the key: PASS, journalctl’s lines, progress to the end', async () => {
  const bytes = journal('sealed-tail.journal');
  const h = hooks();
  const { report, keySource, keyUsed } = await remote.verify(bytes, { name: 'sealed-tail.journal', key: KEY }, h.proxy);
  await settle();
  assert.equal(report.verdict, 'PASS');
  assert.deepEqual(report.lines, expected('sealed-tail.journal', true));
  assert.equal(report.machineId, MACHINE);
  assert.ok(report.unsealedTailUsec > 0, 'sealed-tail has an unsealed tail');
  assert.equal(keySource, 'given');
  assert.equal(keyUsed, KEY);
  assert.ok(h.progress.length >= 1, 'progress reported');
  assert.deepEqual(h.progress.at(-1), [bytes.length, bytes.length]);
  for (let i = 1; i < h.progress.length; i++) assert.ok(h.progress[i]![0] >= h.progress[i - 1]![0], 'progress never goes back');
});

test('a File the page feeds (what a dropped File becomes) works like bytes', async () => {
  const { report } = await remote.verify(fed(journal('sealed.journal'), 'page'), { name: 'sealed.journal', key: KEY });
  assert.equal(report.verdict, 'PASS');
  assert.deepEqual(report.lines, expected('sealed.journal', true));
});

test('no key typed: the page is asked for one by machine ID, and a remembered key is used', async () => {
  const h = hooks((id) => (id === MACHINE ? KEY : undefined));
  const { report, keySource } = await remote.verify(journal('sealed.journal'), { name: 'sealed.journal' }, h.proxy);
  assert.deepEqual(h.asked, [MACHINE]);
  assert.equal(keySource, 'remembered');
  assert.equal(report.verdict, 'PASS');
  assert.equal(report.keyGiven, true);
});

test('a typed key wins: the page is not asked', async () => {
  const h = hooks(() => 'never-used');
  const { keySource } = await remote.verify(journal('sealed.journal'), { name: 'sealed.journal', key: KEY }, h.proxy);
  assert.deepEqual(h.asked, []);
  assert.equal(keySource, 'given');
});

test('sealed without any key: journalctl’s ENOKEY failure, structure still checked', async () => {
  const h = hooks(() => undefined);
  const { report, keySource } = await remote.verify(journal('sealed.journal'), { name: 'sealed.journal' }, h.proxy);
  assert.equal(keySource, 'none');
  assert.equal(report.verdict, 'FAIL');
  assert.equal(report.sealed, true);
  assert.equal(report.keyGiven, false);
  assert.deepEqual(report.lines, expected('sealed.journal', false));
});

test('tampered file: FAIL with journalctl’s message and where', async () => {
  const { report } = await remote.verify(journal('t-msg-sealed.journal'), { name: 't-msg-sealed.journal', key: KEY });
  assert.equal(report.verdict, 'FAIL');
  assert.deepEqual(report.lines, expected('t-msg-sealed.journal', true));
  assert.ok(report.failure, 'failure described');
  assert.equal(report.failure!.offset, 0xe7b8);
});

test('not a journal: a report saying so, not an exception; no key look-up', async () => {
  const h = hooks(() => KEY);
  const text = new TextEncoder().encode('just some notes, not a journal\n'.repeat(20));
  const { report } = await remote.verify(text, { name: 'notes.txt' }, h.proxy);
  assert.equal(report.verdict, 'OPEN_FAILED');
  assert.ok(report.lines.length > 0 && report.lines[0]!.startsWith('Failed to open files:'), report.lines.join('\n'));
  assert.deepEqual(h.asked, []);
});

test('a malformed key: KEY_REJECTED, as journalctl', async () => {
  const { report } = await remote.verify(journal('sealed.journal'), { name: 'sealed.journal', key: 'not-a-key' });
  assert.equal(report.verdict, 'KEY_REJECTED');
});

/**
 * A file the page feeds (feed.ts): the worker reads the head, the rest comes over a port, slices in
 * any order; `page`: what the page reads them from (feedFile's way only; the same bytes as the File).
 */
function fed(bytes: Uint8Array, order: 'page' | 'reversed' | 'broken', page?: { blob: Blob; stallMs: number }) {
  const { port1, port2 } = new MessageChannel();
  const headLength = Math.min(bytes.length, FEED_HEAD);
  const blob = new Blob([bytes]);
  const file: FedFile = { size: bytes.length, port: port2 as unknown as FeedPort, blob };
  const feeder = port1 as unknown as FeedPort;
  if (order === 'page') {
    void feedFile(page?.blob ?? blob, headLength, feeder, undefined, page?.stallMs);
  } else {
    const slices: Array<[number, number]> = [];
    for (let at = headLength; at < bytes.length; at += 4096) slices.push([at, Math.min(bytes.length, at + 4096)]);
    if (order === 'reversed') slices.reverse();
    const sent = order === 'broken' ? slices.slice(0, slices.length >> 1) : slices;
    for (const [a, b] of sent) {
      const part = bytes.slice(a, b).buffer;
      feeder.postMessage({ at: a, bytes: part }, [part]);
    }
    if (order === 'broken') feeder.postMessage({ error: 'NotReadableError: the file could not be read' });
  }
  return Comlink.transfer(file, [port2] as never);
}

test('a file the page reads and feeds (slices in order, reversed): the report of the bytes', async () => {
  // big enough that most of it arrives over the port
  const big = journal('sealed-many-epochs.journal');
  for (const [name, key] of [['sealed.journal', KEY], ['sealed-tail.journal', KEY], ['t-msg-sealed.journal', KEY], ['sealed-many-epochs.journal', KEY], ['sealed.journal', undefined], ['sealed.journal', 'not-a-key']] as const) {
    const bytes = journal(name);
    const { report: expectedReport } = await remote.verify(bytes, { name, key });
    for (const order of ['page', 'reversed'] as const) {
      const { report } = await remote.verify(fed(bytes, order), { name, key });
      assert.deepEqual(report, expectedReport, `${name} ${order}`);
    }
  }
  assert.ok(big.length > FEED_HEAD * 2);
});

test('a fed file whose reading fails half-way: an error naming the file, not a verdict', async () => {
  const bytes = journal('sealed.journal');
  await assert.rejects(remote.verify(fed(bytes, 'broken'), { name: 'sealed.journal', key: KEY }), /sealed\.journal: the browser could not read the file \(NotReadableError/);
});

test('a fed file whose head comes back shorter than its size says (it changed): an error naming the file, not a hang', async () => {
  const bytes = journal('sealed.journal');
  const { port1, port2 } = new MessageChannel();
  const file: FedFile = { size: bytes.length, port: port2 as unknown as FeedPort, blob: new Blob([bytes.subarray(0, 1000)]) };
  try {
    await assert.rejects(remote.verify(Comlink.transfer(file, [port2] as never), { name: 'sealed.journal', key: KEY }), /sealed\.journal: the file changed while it was being read/);
  } finally {
    port1.close();
  }
});

test('a fed file that is not a journal: refused on its head', async () => {
  const bytes = new Uint8Array(300000).fill(0x41);
  const { report } = await remote.verify(fed(bytes, 'page'), { name: 'notes.txt', key: KEY });
  assert.equal(report.verdict, 'OPEN_FAILED');
  assert.equal(report.size, bytes.length);
});

test('a fed empty file: OPEN_FAILED as journalctl says, not an exception', async () => {
  const { report } = await remote.verify(fed(new Uint8Array(0), 'page'), { name: 'empty.journal', key: KEY });
  assert.equal(report.verdict, 'OPEN_FAILED');
  assert.deepEqual(report.lines, ['Failed to open files: No data available']);
});

test('a big file verified alone gets a seal helper; one that cannot start, or works, leaves the report as it is', async () => {
  const { HELPER_MIN_BYTES, macHelperClient, serveMacHelper } = await import('../src/verify/mac-helper.js');
  const { loadKernel } = await import('../src/kernel/kernel.js');
  const { kernelWasmUrl } = await import('../cli/kernel-node.js');
  // a sealed journal with zeros after it, big enough for a helper
  const bytes = new Uint8Array(HELPER_MIN_BYTES + 4096);
  bytes.set(journal('sealed.journal'));
  const name = 'sealed-padded.journal';
  const plain = createVerifyApi(loadNodeKernel);
  const { report: expectedReport } = await plain.verify(fed(bytes, 'page'), { name, key: KEY });
  const asked: Array<string | null> = [];
  const ports: Array<{ close(): void }> = [];
  const failing = createVerifyApi(loadNodeKernel, (key) => {
    asked.push(key);
    throw new Error('no workers here');
  });
  const working = createVerifyApi(loadNodeKernel, (key) => {
    asked.push(key);
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    void loadKernel(readFileSync(kernelWasmUrl())).then((k) => serveMacHelper(port2 as never, k, key));
    return { helper: macHelperClient(port1 as never), close: () => port1.close() };
  });
  try {
    assert.deepEqual((await failing.verify(fed(bytes, 'page'), { name, key: KEY, alone: true })).report, expectedReport, 'a helper that cannot start');
    assert.deepEqual((await working.verify(fed(bytes, 'page'), { name, key: KEY, alone: true })).report, expectedReport, 'a working helper');
    assert.deepEqual(asked, [KEY, KEY], 'the helpers get the key text of a sealed file');
    // not alone: no helper
    await working.verify(fed(bytes, 'page'), { name, key: KEY });
    assert.deepEqual(asked, [KEY, KEY]);
    // no key: a helper for the compressed payloads at most, never given a key to derive
    await working.verify(fed(bytes, 'page'), { name, alone: true });
    assert.ok(asked.slice(2).every((k) => k === null), String(asked));
  } finally {
    ports.forEach((p) => p.close());
  }
});

/** Feeds `blob` from 0 and collects what arrives; the worker side acks nothing until told to. */
function feedCollector(blob: Blob, size: number, stallMs?: number) {
  const { port1, port2 } = new MessageChannel();
  const got = new Uint8Array(size);
  const received: Array<{ at: number; bytes: ArrayBuffer; length: number }> = [];
  let highest = 0;
  const worker = port2 as unknown as FeedPort;
  worker.onmessage = (e) => {
    const m = e.data as { at: number; bytes: ArrayBuffer; length?: number };
    const length = m.length ?? m.bytes.byteLength;
    got.set(new Uint8Array(m.bytes, 0, length), m.at);
    received.push({ at: m.at, bytes: m.bytes, length });
    highest = Math.max(highest, m.at + length);
  };
  const feeding = feedFile(blob, 0, port1 as unknown as FeedPort, undefined, stallMs);
  /** Until something arrived and then nothing more for a while. */
  const settled = async () => {
    for (let last = -1, t = 0; (last !== received.length || received.length === 0) && t < 200; t++) {
      last = received.length;
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  return { worker, got, received, highest: () => highest, feeding, settled, close: () => (port1.close(), port2.close()) };
}

const patterned = (size: number) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i >> 12) & 0xff;
  return bytes;
};

test('the page reads a file into its pool of buffers, only as far as the worker gives them back, and on when it does', async () => {
  const { POOL_BUFFERS, POOL_BUFFER } = await import('../web/workers/feed.js');
  const size = POOL_BUFFERS * POOL_BUFFER + (20 << 20) + 12345;
  const bytes = patterned(size);
  const c = feedCollector(new Blob([bytes]), size);
  try {
    await c.settled();
    assert.equal(c.highest(), POOL_BUFFERS * POOL_BUFFER, 'all the pool read, and no more');
    assert.ok(c.received.every((m) => m.length === POOL_BUFFER && m.bytes.byteLength === POOL_BUFFER));
    // the worker takes the first two slices and gives their buffers back: the page reads on into them
    const back = c.received.slice(0, 2).map((m) => m.bytes);
    c.worker.postMessage({ taken: 2 * POOL_BUFFER, back }, back);
    await c.settled();
    assert.equal(c.highest(), (POOL_BUFFERS + 2) * POOL_BUFFER);
    // a buffer of another size is not taken into the pool
    const odd = new ArrayBuffer(1 << 20);
    c.worker.postMessage({ taken: 3 * POOL_BUFFER, back: [odd] }, [odd]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.highest(), (POOL_BUFFERS + 2) * POOL_BUFFER);
    const rest = c.received.slice(2).map((m) => m.bytes);
    c.worker.postMessage({ taken: size - (20 << 20), back: rest }, rest);
    await c.feeding;
    await c.settled();
    assert.equal(c.highest(), size, 'all of it');
    assert.equal(c.received.at(-1)!.length, size % POOL_BUFFER, 'the last slice as far as the file goes');
    assert.ok(Buffer.from(c.got).equals(Buffer.from(bytes)), 'the bytes, in place');
  } finally {
    c.close();
  }
});

test('the feed’s buffers are kept from one file to the next, and made ahead only while no file is read', async () => {
  const { POOL_BUFFERS, POOL_BUFFER, keptFeedBuffers, readyFeedBuffers } = await import('../web/workers/feed.js');
  readyFeedBuffers();
  assert.equal(keptFeedBuffers(), POOL_BUFFERS, 'made ahead');
  const size = (POOL_BUFFERS + 2) * POOL_BUFFER + 777; // more than the buffers: the stream waits for some back
  const bytes = patterned(size);
  const { port1, port2 } = new MessageChannel();
  const got = new Uint8Array(size);
  let duringStream = -1;
  const worker = port2 as unknown as FeedPort;
  worker.onmessage = (e) => {
    const m = e.data as { at: number; bytes: ArrayBuffer; length: number };
    got.set(new Uint8Array(m.bytes, 0, m.length), m.at);
    if (duringStream < 0) {
      duringStream = keptFeedBuffers();
      readyFeedBuffers(); // a key typed while a file is read: nothing more is made
      assert.equal(keptFeedBuffers(), duringStream);
    }
    // each slice taken at once, its buffer given back (the last ones after the stream has ended)
    setTimeout(() => worker.postMessage({ taken: m.at + m.length, back: [m.bytes] } satisfies FeedAck, [m.bytes]), 5);
  };
  try {
    await feedFile(new Blob([bytes]), 0, port1 as unknown as FeedPort);
    for (let i = 0; i < 100 && keptFeedBuffers() < POOL_BUFFERS; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(duringStream >= 0 && duringStream < POOL_BUFFERS, `the stream took its buffers from the store (${duringStream} left in it)`);
    assert.equal(keptFeedBuffers(), POOL_BUFFERS, 'all back for the next file, those returned after the end too');
    assert.ok(Buffer.from(got).equals(Buffer.from(bytes)), 'the bytes, in place');
  } finally {
    port1.close();
    port2.close();
  }
});

/** The header's tail object offset (the file's last object). */
const tailOf = (bytes: Uint8Array) => Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(Header.tailObjectOffset, true));

/**
 * A Blob-like whose reads complete a macrotask later, 64 KiB at a time (as a browser's do: the page
 * hears from the worker between them), with or without a byte stream; `stallAfter`: a stream whose
 * read after that many bytes never answers (as Chromium's now and then), its `streamed` bytes counted;
 * `readMs`: each read of the stream takes that long instead (a slow disk).
 */
function slowBlob(bytes: Uint8Array, stream: boolean, stallAfter = Infinity, counts = { streamed: 0, sliced: 0 }, readMs = 0): Blob {
  const later = () => new Promise((r) => (readMs > 0 ? setTimeout(r, readMs) : setImmediate(r)));
  const slice = (a = 0, b = bytes.length) => {
    const part = bytes.subarray(a, b);
    return {
      size: part.length,
      arrayBuffer: async () => (await later(), (counts.sliced += part.length), part.slice().buffer),
      stream: () => {
        if (!stream) throw new TypeError('no streams here');
        let at = 0;
        return new ReadableStream({
          type: 'bytes',
          async pull(c) {
            await later();
            if (a + at >= stallAfter) await new Promise(() => {});
            const view = c.byobRequest?.view as Uint8Array | null | undefined;
            const until = Math.min(part.length, stallAfter - a);
            if (at >= until) {
              c.close();
              c.byobRequest?.respond(0);
              return;
            }
            const n = Math.min(64 << 10, until - at, view ? view.byteLength : 64 << 10);
            if (view) {
              view.set(part.subarray(at, at + n));
              c.byobRequest!.respond(n);
            } else c.enqueue(part.slice(at, at + n));
            at += n;
            counts.streamed += n;
          },
        });
      },
    };
  };
  return { size: bytes.length, slice } as unknown as Blob;
}

test('the page reads only as far as the worker says (readTo: past the last object), and on when it asks for more', async () => {
  const { POOL_BUFFER, SLICE } = await import('../web/workers/feed.js');
  for (const stream of [true, false]) {
    // the stream reads buffer after buffer; slices, two at a time (told that all is taken, so that
    // only readTo holds them back)
    const unit = stream ? POOL_BUFFER : SLICE;
    const size = 3 * unit + 12345;
    const bytes = patterned(size);
    const c = feedCollector(slowBlob(bytes, stream), size);
    try {
      const readTo = (stream ? 1 : 2) * unit + 1000;
      c.worker.postMessage({ taken: stream ? 0 : size - 1, readTo } satisfies FeedAck);
      await c.settled();
      // a read under way when the word came may go on to its end; nothing after it starts
      assert.ok(c.highest() >= readTo && c.highest() < (stream ? 2 : 3) * unit, `${stream ? 'stream' : 'slices'}: read to ${c.highest()}`);
      const back = c.received.map((m) => m.bytes).filter((b) => b.byteLength === POOL_BUFFER);
      c.worker.postMessage({ taken: c.highest(), back, readTo: size } satisfies FeedAck, back);
      await c.feeding;
      await c.settled();
      assert.equal(c.highest(), size, 'all of it once asked');
      assert.ok(Buffer.from(c.got).equals(Buffer.from(bytes)));
    } finally {
      c.close();
    }
  }
});

test('a byte stream that stops answering: the page reads the rest as slices, from where it stopped, and the journal is verified', async () => {
  const name = 'sealed-many-epochs.journal'; // (its last object ends at ~125 KiB)
  const bytes = journal(name);
  const { report: expectedReport } = await remote.verify(bytes, { name, key: KEY });
  const counts = { streamed: 0, sliced: 0 };
  const stallAfter = FEED_HEAD + (16 << 10);
  const t0 = Date.now();
  const { report } = await remote.verify(fed(bytes, 'page', { blob: slowBlob(bytes, true, stallAfter, counts), stallMs: 200 }), { name, key: KEY });
  assert.deepEqual(report, expectedReport);
  assert.equal(counts.streamed, stallAfter - FEED_HEAD, 'streamed until the stall');
  assert.ok(counts.sliced > 0, 'the rest read as slices');
  assert.ok(Date.now() - t0 < 5000, 'not long after the stall');
});

test('a byte stream of many small reads: the page holds nothing per read while it reads (its stall watch)', async () => {
  // 180,000 reads of 16 bytes, then the stream waits while the heap is measured: a watch that raced
  // every read against one promise for the whole stream kept ~0.5 KB per read alive (~97 MB here)
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const size = 3 << 20;
  const pauseAt = 180_000;
  let reads = 0;
  let resume = () => {};
  let reached = () => {};
  const paused = new Promise<void>((r) => (reached = r));
  const blob = {
    size,
    slice: (a = 0) => ({
      size: size - a,
      stream: () => {
        let at = a;
        return new ReadableStream({
          type: 'bytes',
          async pull(c) {
            if (++reads === pauseAt) {
              reached();
              await new Promise<void>((r) => (resume = r));
            }
            const n = Math.min(16, c.byobRequest!.view!.byteLength, size - at);
            if (n === 0) {
              c.close();
              c.byobRequest!.respond(0);
              return;
            }
            at += n;
            c.byobRequest!.respond(n);
          },
        });
      },
    }),
  } as unknown as Blob;
  const c = feedCollector(blob, size, 60_000);
  try {
    gc();
    const before = process.memoryUsage().heapUsed;
    await paused;
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 10e6, `the heap grew by ${(grown / 1e6).toFixed(1)} MB over ${pauseAt} reads`);
    resume();
    await c.feeding;
    await c.settled();
    assert.equal(c.highest(), size, 'all of it');
  } finally {
    c.close();
  }
});

test('a slow byte stream that keeps answering is read to its end: the stall limit is per read, not per file', async () => {
  // eleven reads of 64 KiB, each 60 ms: the whole takes several times the 100 ms limit, no read does
  const size = 10 * (64 << 10) + 1000;
  const bytes = patterned(size);
  const counts = { streamed: 0, sliced: 0 };
  const c = feedCollector(slowBlob(bytes, true, Infinity, counts, 60), size, 100);
  try {
    await c.feeding;
    await c.settled();
    assert.equal(c.highest(), size, 'all of it');
    assert.ok(Buffer.from(c.got).equals(Buffer.from(bytes)));
    assert.equal(counts.streamed, size, 'all of it from the stream');
    assert.equal(counts.sliced, 0, 'nothing read again as slices');
  } finally {
    c.close();
  }
});

test('a byte stream that stops answering in a later buffer: the rest as slices, from the first byte not sent', async () => {
  const { POOL_BUFFER } = await import('../web/workers/feed.js');
  const size = 2 * POOL_BUFFER + 12345;
  const bytes = patterned(size);
  const counts = { streamed: 0, sliced: 0 };
  const c = feedCollector(slowBlob(bytes, true, POOL_BUFFER + 5000, counts), size, 200);
  try {
    await c.feeding;
    await c.settled();
    assert.equal(c.highest(), size, 'all of it');
    assert.ok(Buffer.from(c.got).equals(Buffer.from(bytes)), 'the bytes, in place');
    assert.equal(counts.streamed, POOL_BUFFER + 5000);
    assert.equal(counts.sliced, size - POOL_BUFFER, 'the bytes of the stalled buffer read again, and the rest');
    assert.equal(c.received[0]!.length, POOL_BUFFER);
    assert.equal(c.received[1]!.at, POOL_BUFFER);
  } finally {
    c.close();
  }
});

test('a fed journal: the worker tells the page to read only a little past its last object, and asks for more when a read needs it', async () => {
  const { POOL_BUFFER } = await import('../web/workers/feed.js');
  // a journal's head whose tail object lies past the page's first buffer, zeros after it
  const bytes = new Uint8Array(3 * POOL_BUFFER);
  bytes.set(journal('sealed-many-epochs.journal').subarray(0, FEED_HEAD));
  const tail = POOL_BUFFER + (1 << 20);
  new DataView(bytes.buffer).setBigUint64(Header.tailObjectOffset, BigInt(tail), true);
  const readTo = tail + FEED_PAST_TAIL;
  const { port1, port2 } = new MessageChannel();
  const acks: FeedAck[] = [];
  let highest = 0;
  // the page's end of the channel, recording what the worker says and how far the page read
  const pagePort = port1 as unknown as FeedPort;
  const page: FeedPort = {
    postMessage(m, t) {
      if ('at' in m) highest = Math.max(highest, m.at + (m.length ?? m.bytes.byteLength));
      pagePort.postMessage(m, t);
    },
    set onmessage(f) {
      pagePort.onmessage = f && ((e) => (acks.push(e.data as FeedAck), f(e)));
    },
    get onmessage() {
      return pagePort.onmessage;
    },
    close: () => pagePort.close(),
  };
  const source = fedSource({ size: bytes.length, port: port2 as unknown as FeedPort, blob: new Blob([bytes]) }, bytes.slice(0, FEED_HEAD), 'lying.journal');
  const feeding = feedFile(slowBlob(bytes, true), FEED_HEAD, page);
  const read = (at: number, n: number) =>
    Promise.race([
      new Promise<Uint8Array>((resolve, reject) => {
        const into = new Uint8Array(n);
        source.read(at, into, (e) => (e === undefined ? resolve(into) : reject(e)));
      }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the read at ${at} never completed`)), 10_000)),
    ]);
  try {
    assert.deepEqual(await read(FEED_HEAD, 4096), bytes.subarray(FEED_HEAD, FEED_HEAD + 4096));
    for (let t = 0; t < 100 && highest < readTo; t++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(acks[0]?.readTo, readTo, 'told at once where to stop');
    assert.equal(highest, readTo, 'the page read that far, and stopped');
    // a read past that point (a last object longer than FEED_PAST_TAIL, a header that lies): the
    // page is told to read on
    const at = readTo - 100;
    assert.deepEqual(await read(at, 1000), bytes.subarray(at, at + 1000));
    assert.ok(acks.some((a) => a.readTo === bytes.length), 'then told to read to the end');
    assert.ok(highest > readTo);
  } finally {
    port2.close();
    port1.close();
  }
  await Promise.race([feeding, new Promise((r) => setTimeout(r, 1000))]);
});

test('without a byte stream, the page reads slices only so far ahead of what the worker has taken (FEED_AHEAD), and on when it takes more', async () => {
  const { FEED_AHEAD, SLICE } = await import('../web/workers/feed.js');
  const size = FEED_AHEAD + (40 << 20);
  const bytes = patterned(size);
  const real = new Blob([bytes]);
  // a Blob whose slices have no stream(): the fallback reads them with arrayBuffer()
  const blob = {
    size,
    slice: (a?: number, b?: number) => Object.assign(real.slice(a, b), { stream: () => { throw new TypeError('no streams here'); } }),
  } as unknown as Blob;
  const c = feedCollector(blob, size);
  try {
    await c.settled();
    assert.ok(c.highest() >= FEED_AHEAD, `read ahead ${c.highest()}`);
    assert.ok(c.highest() < FEED_AHEAD + SLICE + 1, `never more than FEED_AHEAD (+ one slice) beyond what was taken: ${c.highest()}`);
    assert.ok(c.highest() < size, 'stopped before the end of the file');
    c.worker.postMessage({ taken: size - FEED_AHEAD });
    await c.feeding;
    await c.settled();
    assert.equal(c.highest(), size, 'all of it once the worker took enough');
    assert.ok(Buffer.from(c.got).equals(Buffer.from(bytes)), 'the bytes, in place');
  } finally {
    c.close();
  }
});

test('a report crosses to the page with its segments packed in one transferred array, and comes back equal', async () => {
  const { withSegments, withoutSegments } = await import('../src/verify/segments-transfer.js');
  const { verifyJournal } = await import('../src/verify/index.js');
  const k = await loadNodeKernel();
  // checked and passing, checked and failing (a tampered tag), never checked (no key), empty segments (no entries)
  const cases: Array<[string, string | undefined]> = [['sealed-many-epochs.journal', KEY], ['t-tag-bytes.journal', KEY], ['sealed.journal', undefined], ['sealed-empty.journal', KEY]];
  const seen = { ok: new Set<boolean | null>(), noEntries: false };
  for (const [name, key] of cases) {
    const report = await verifyJournal({ name, bytes: journal(name) }, k, { key });
    const { report: bare, packed } = withoutSegments(report);
    assert.deepEqual(bare.segments, []);
    assert.equal(packed.length, 13 * report.segments.length);
    const { port1, port2 } = new MessageChannel();
    const received = await new Promise<{ bare: typeof bare; packed: Float64Array }>((resolve) => {
      port2.once('message', (data: { bare: typeof bare; packed: Float64Array }) => resolve(data));
      port1.postMessage({ bare, packed }, [packed.buffer as ArrayBuffer]);
    });
    port1.close();
    assert.equal(packed.length, 0, 'transferred, not copied');
    assert.deepEqual(withSegments(received.bare, received.packed), report, name);
    report.segments.forEach((g) => seen.ok.add(g.ok));
    seen.noEntries ||= report.segments.some((g) => g.entries === null);
  }
  assert.deepEqual([...seen.ok].sort(), [false, null, true].sort(), 'every value of ok was carried');
  assert.ok(seen.noEntries, 'a segment without entries was carried');
});

test('a file that ends before its size as the page reads it: an error on the port, the bytes read so far sent', async () => {
  const size = 20 << 20;
  const real = new Blob([new Uint8Array(size - 12345)]);
  const blob = { size, slice: (a?: number, b?: number) => real.slice(a, b) } as unknown as Blob;
  const { port1, port2 } = new MessageChannel();
  const got: Array<{ at: number; length: number } | { error: string }> = [];
  (port2 as unknown as FeedPort).onmessage = (e) => {
    const m = e.data as { at: number; bytes: ArrayBuffer; length?: number } | { error: string };
    got.push('error' in m ? m : { at: m.at, length: m.length ?? m.bytes.byteLength });
    if (!('error' in m)) (port2 as unknown as FeedPort).postMessage({ taken: m.at + (m.length ?? 0), back: [m.bytes] }, [m.bytes]);
  };
  try {
    await feedFile(blob, 0, port1 as unknown as FeedPort);
    await new Promise((r) => setTimeout(r, 100));
    const last = got.at(-1);
    assert.ok(last && 'error' in last && /the file changed while it was being read/.test(last.error), JSON.stringify(got));
    const sent = got.filter((m): m is { at: number; length: number } => 'at' in m).reduce((n, m) => n + m.length, 0);
    assert.equal(sent, 16 << 20, 'the full buffers before the end');
  } finally {
    port1.close();
    port2.close();
  }
});
