/**
 * What a verify worker does, as a plain object: read the file, find its machine ID (so the page can
 * supply a remembered key), run the core's verifyJournal, report progress. `verify.worker.ts` exposes
 * this over Comlink; the Node tests expose it over a MessageChannel. No DOM here.
 */
import { releaseProxy } from 'comlink';
import { JournalFile, id128Hex } from '../../src/journal/file.js';
import { HEADER_SIZE_MIN, Header, SIGNATURE } from '../../src/journal/format.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { headerField, type FileSource } from '../../src/verify/window.js';
import { FEED_HEAD, FEED_PAST_TAIL, feedHead, type FeedAck, type FedFile } from './feed.js';
import { verifyJournal, type VerifyInput } from '../../src/verify/index.js';
import type { SystemdVersion, VerifyReport } from '../../src/verify/report.js';
import { macHelperWork, type StartedMacHelper } from '../../src/verify/mac-helper.js';

export interface VerifyRequest {
  name: string;
  /** Key typed by the user; when absent the page is asked for one via `hooks.keyFor`. */
  key?: string;
  version?: SystemdVersion;
  /**
   * No other file is being verified: a big sealed or compressed one may get a seal helper (a second
   * worker, mac-helper.ts), which takes the HMACs and payloads once the file is read.
   */
  alone?: boolean;
}

/**
 * Starts a seal helper for one verification (the verify worker's own; none in Node's tests); `key`:
 * the key's text when the file is sealed (its FSPRG is derived at once).
 */
export type StartHelper = (key: string | null) => StartedMacHelper;

/** Called back on the page's side (Comlink proxies them). */
export interface VerifyHooks {
  /** The file opened: its machine ID is known. Return a key to use (e.g. a remembered one) or nothing. */
  keyFor?(info: { machineId: string }): string | undefined | Promise<string | undefined>;
  /**
   * Bytes processed so far; throttled to a few calls per second, plus the final one of a run that
   * reaches the end. Not waited for: a call may arrive after the result.
   */
  onProgress?(done: number, total: number): void | Promise<void>;
}

export interface VerifyResult {
  report: VerifyReport;
  /** Where the key came from: the request, the page's `keyFor` answer, or none at all. */
  keySource: 'given' | 'remembered' | 'none';
  /** The key actually used (so the page can offer to remember it). */
  keyUsed?: string;
}

/** Bytes, or a file the page reads and feeds slice by slice (feed.ts). */
export type Source = Uint8Array | FedFile;

/**
 * Progress at most this often (the first after as long), and at the end. Each update is a frame the
 * page paints, and a frame costs ~8 ms of CPU across Chromium's threads (its layout and paint, the
 * compositor, raster, the display compositor: about all of it software-rendered without a GPU),
 * taken from the verification on a machine with two cores. Every 50 ms, as it was, a 120 MiB sealed
 * journal spent ~60 ms more CPU than now (16 interleaved pairs of runs: −64 ± 33 ms CPU, −27 ± 17 ms
 * wall; the page's thread alone −14 ± 5 ms). Four updates a second still show a long file moving.
 */
const PROGRESS_EVERY_MS = 250;
/** Enough of a file to run journalctl's first open-time checks (size, signature). */
const HEADER_PEEK = 4096;

function hasSignature(head: Uint8Array): boolean {
  for (let i = 0; i < SIGNATURE.length; i++) if (head[i] !== SIGNATURE.charCodeAt(i)) return false;
  return true;
}

/**
 * A fed file (feed.ts) as verifyJournal's source: the slices the page sends, copied into the
 * verifier's window in file order as it asks for them (each as soon as it is there), then dropped;
 * the page is told how far they were taken, so it reads on. Read whole from the blob only when the
 * fast path declines the file. (Exported for the tests.)
 */
export function fedSource(src: FedFile, head: Uint8Array, name: string): FileSource {
  const { size, port } = src;
  const slices = new Map<number, Uint8Array>();
  let error: Error | null = null;
  interface Pending { at: number; into: Uint8Array; done: (e?: unknown) => void; copied: number }
  let pending: Pending | null = null;
  let taken = 0;
  // The page reads up to a little past the header's tail object (the verifier reads nothing after
  // the last object), and on to the end when a read asks for more (a longer tail object, a header
  // that lies: the scan finds out).
  let readTo = pastTail(head, size);
  if (readTo < size) port.postMessage({ taken, readTo } satisfies FeedAck);

  /**
   * Copies the pending read's bytes from the head and the slices, on from what earlier calls
   * copied (a read spanning several slices is served as they arrive, each byte once); false while
   * some of it has not arrived.
   */
  const serve = (p: Pending): boolean => {
    const { at, into } = p;
    while (p.copied < into.length) {
      const pos = at + p.copied;
      let from: Uint8Array | undefined;
      let start = 0;
      if (pos < head.length) from = head;
      else for (const [s, b] of slices) if (s <= pos && pos < s + b.length) (from = b), (start = s);
      if (!from) return false;
      const n = Math.min(from.length - (pos - start), into.length - p.copied);
      into.set(from.subarray(pos - start, pos - start + n), p.copied);
      p.copied += n;
    }
    return true;
  };
  const take = (end: number) => {
    taken = Math.max(taken, end);
    // the buffers of the slices taken go back to the page, which reads into them again
    const back: ArrayBuffer[] = [];
    for (const [s, b] of slices) {
      if (s + b.length > taken) continue;
      slices.delete(s);
      back.push(b.buffer as ArrayBuffer);
    }
    // Only when a slice is done with: the page waits for nothing else (its stream for buffers, its
    // slices for `taken` to move a slice on). A message per read of the window (~60 per 120 MiB)
    // cost the worker ~0.3 ms each in Chromium.
    if (taken >= size) port.close();
    else if (back.length > 0) port.postMessage({ taken, back } satisfies FeedAck, back);
  };
  const settle = () => {
    const p = pending;
    if (!p) return;
    if (error) {
      pending = null;
      p.done(error);
    } else if (serve(p)) {
      pending = null;
      take(p.at + p.into.length);
      p.done();
    }
  };
  port.onmessage = (e) => {
    const m = e.data;
    if ('taken' in m) return;
    if ('error' in m) error = new Error(`${name}: the browser could not read the file (${m.error})`);
    else {
      const length = m.length ?? m.bytes.byteLength;
      if (!(m.at >= 0 && length >= 0 && length <= m.bytes.byteLength && m.at + length <= size)) error = new Error(`${name}: a slice [${m.at}, +${length}) outside the file`);
      else if (m.at + length > taken) slices.set(m.at, new Uint8Array(m.bytes, 0, length));
      else if (taken < size) port.postMessage({ taken, back: [m.bytes] } satisfies FeedAck, [m.bytes]);
    }
    if (error) port.close();
    settle();
  };
  return {
    size,
    parallel: 1,
    read(at, into, done) {
      if (at + into.length > readTo && !error) {
        readTo = size;
        port.postMessage({ taken, readTo } satisfies FeedAck);
      }
      pending = { at, into, done, copied: 0 };
      settle();
    },
    async whole() {
      port.close();
      try {
        return new Uint8Array(await src.blob.arrayBuffer());
      } catch (e) {
        const mib = (size / 1048576).toFixed(0);
        throw new Error(`${name}: this browser could not hold the file's ${mib} MiB in memory (${(e as Error).message || e}). Verify files this large with the sealcheck CLI.`);
      }
    },
  };
}

/** How far the page need read: FEED_PAST_TAIL past the header's tail object, or the file's end. */
function pastTail(head: Uint8Array, size: number): number {
  const tail = headerField(head, Header.tailObjectOffset);
  return tail === undefined || tail === 0n || tail >= BigInt(size) ? size : Math.min(size, Number(tail) + FEED_PAST_TAIL);
}

export function createVerifyApi(getKernel: () => Promise<Kernel>, startHelper?: StartHelper) {
  return {
    async verify(source: Source, request: VerifyRequest, hooks: VerifyHooks = {}): Promise<VerifyResult> {
      try {
        return await run(source, request, hooks);
      } finally {
        // A fed file's slices still on their way are not wanted any more (nor is the arena they fill).
        if (!(source instanceof Uint8Array)) source.port.close();
        // Hooks arrive as a Comlink proxy holding a MessagePort: free it now rather than at GC time.
        (hooks as { [releaseProxy]?: () => void })[releaseProxy]?.();
      }
    },
  };

  async function run(source: Source, request: VerifyRequest, hooks: VerifyHooks): Promise<VerifyResult> {
    let head: Uint8Array;
    if (source instanceof Uint8Array) head = source;
    else {
      try {
        head = await feedHead(source.blob);
      } catch (e) {
        throw new Error(`${request.name}: the browser could not read the file (${(e as Error).message || e})`);
      }
      // the page feeds from the head's end on: a shorter head would leave a gap nothing fills
      if (head.length !== Math.min(source.size, FEED_HEAD)) throw new Error(`${request.name}: the file changed while it was being read (its first ${head.length} bytes of ${source.size})`);
      // A file that is not a journal is refused on its first bytes, as journalctl refuses it at open:
      // reading gigabytes of something else into memory first would only fail less clearly.
      const peek = head.subarray(0, HEADER_PEEK);
      if (peek.length >= HEADER_SIZE_MIN && !hasSignature(peek)) {
        source.port.close();
        const report = await verifyJournal({ name: request.name, bytes: peek }, await getKernel(), { version: request.version });
        return { report: { ...report, size: source.size }, keySource: 'none' };
      }
    }
    const input: VerifyInput = source instanceof Uint8Array ? { name: request.name, bytes: source } : { name: request.name, source: fedSource(source, head, request.name) };
    let key = request.key?.trim() || undefined;
    let keySource: VerifyResult['keySource'] = key ? 'given' : 'none';
    if (!key && hooks.keyFor) {
      const machineId = machineIdOf(head, input.bytes?.length ?? input.source!.size, request.name, request.version);
      if (machineId) {
        // A Comlink proxy has every property, so a page without keyFor shows up as a rejected call.
      const remembered = (await Promise.resolve(hooks.keyFor({ machineId })).catch(() => undefined))?.trim();
        if (remembered) {
          key = remembered;
          keySource = 'remembered';
        }
      }
    }
    const kernel = await getKernel();
    const work = request.alone && startHelper && !(source instanceof Uint8Array) ? macHelperWork(head, source.size, key !== undefined) : null;
    const started = work === null ? null : startOrNone(() => startHelper!(work === 'seal' ? key! : null));
    let last = Date.now();
    const report = await verifyJournal(input, kernel, {
      key,
      version: request.version,
      macHelper: started?.helper,
      onProgress: hooks.onProgress
        ? (done, total) => {
            const now = Date.now();
            if (done < total && now - last < PROGRESS_EVERY_MS) return;
            last = now;
            void Promise.resolve(hooks.onProgress!(done, total)).catch(() => {});
          }
        : undefined,
    }).finally(() => started?.close());
    // (the last progress is not waited for: the page's answer would delay the result by a round trip)
    return { report, keySource, keyUsed: key };
  }
}

export type VerifyApi = ReturnType<typeof createVerifyApi>;


/** A helper only ever saves time: one that cannot start (no Worker here, a CSP that refuses it) is none. */
export function startOrNone<T>(start: () => T): T | null {
  try {
    return start();
  } catch {
    return null;
  }
}

/** The header's machine ID (from the file's head), or undefined when the file does not even open (verifyJournal says why). */
function machineIdOf(head: Uint8Array, size: number, name: string, version?: SystemdVersion): string | undefined {
  try {
    return id128Hex(JournalFile.open(head, name, { version, size }).header.machineId);
  } catch {
    return undefined;
  }
}
