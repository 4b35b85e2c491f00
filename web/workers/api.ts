/**
 * What a verify worker does, as a plain object: read the file, find its machine ID (so the page can
 * supply a remembered key), run the core's verifyJournal, report progress. `verify.worker.ts` exposes
 * this over Comlink; the Node tests expose it over a MessageChannel. No DOM here.
 */
import { releaseProxy } from 'comlink';
import { JournalFile, id128Hex } from '../../src/journal/file.js';
import { HEADER_SIZE_MIN, SIGNATURE } from '../../src/journal/format.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { ArenaLoader, HEAD_BYTES, fillAll, scanTables } from '../../src/verify/arena-fill.js';
import type { FedFile } from './feed.js';
import { verifyJournal, type VerifyInput } from '../../src/verify/index.js';
import type { SystemdVersion, VerifyReport } from '../../src/verify/report.js';

export interface VerifyRequest {
  name: string;
  /** Key typed by the user; when absent the page is asked for one via `hooks.keyFor`. */
  key?: string;
  version?: SystemdVersion;
}

/** Called back on the page's side (Comlink proxies them). */
export interface VerifyHooks {
  /** The file opened: its machine ID is known. Return a key to use (e.g. a remembered one) or nothing. */
  keyFor?(info: { machineId: string }): string | undefined | Promise<string | undefined>;
  /** Bytes processed so far; throttled to a few calls per second (plus the final one). */
  onProgress?(done: number, total: number): void | Promise<void>;
}

export interface VerifyResult {
  report: VerifyReport;
  /** Where the key came from: the request, the page's `keyFor` answer, or none at all. */
  keySource: 'given' | 'remembered' | 'none';
  /** The key actually used (so the page can offer to remember it). */
  keyUsed?: string;
}

/**
 * A Blob (File), bytes, or a file the page reads and feeds slice by slice (feed.ts). Files cross to
 * a worker without copying their contents.
 */
export type Source = Blob | Uint8Array | FedFile;

const PROGRESS_EVERY_MS = 50;
/** Enough of a file to run journalctl's first open-time checks (size, signature). */
const HEADER_PEEK = 4096;

function hasSignature(head: Uint8Array): boolean {
  for (let i = 0; i < SIGNATURE.length; i++) if (head[i] !== SIGNATURE.charCodeAt(i)) return false;
  return true;
}

/** The whole file in memory; a browser that cannot hold it says so in words, not an opaque DOMException. */
async function readAll(blob: Blob, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    const mib = (blob.size / 1048576).toFixed(0);
    throw new Error(`${name}: this browser could not read the file's ${mib} MiB into memory (${(e as Error).message || e}). Verify files this large with the sealcheck CLI.`);
  }
}

/**
 * Slices read into the arena, and slices in flight at once: the browser reads a File in another
 * process, so several requests at a time keep it busy (one at a time reads at half the speed). The
 * file is in memory once, plus the slices in flight.
 */
const READ_SLICE = 8 << 20;
const READS_IN_FLIGHT = 4;

/**
 * The file as verifyJournal's input: its header first (to size the arena), then the rest slice by
 * slice into the kernel arena (wasm memory, where the fast path scans it in place) while
 * verification scans what has arrived; whole into an ArrayBuffer when no arena can be had.
 */
async function readInput(kernel: Kernel, blob: Blob, name: string): Promise<VerifyInput> {
  const head = new Uint8Array(await blob.slice(0, Math.min(blob.size, HEAD_BYTES)).arrayBuffer());
  const arena = await kernel.openArena(blob.size, scanTables(head, blob.size));
  if (!arena) return { name, bytes: await readAll(blob, name) };
  arena.bytes.set(head);
  const fill = new ArenaLoader(blob.size);
  fill.advance(head.length);
  void readSlices(blob, arena.bytes, head.length, fill, name);
  return { name, arena, fill };
}

/** Reads [from, end) of the blob into target, a few slices at a time, reporting each contiguous prefix. */
async function readSlices(blob: Blob, target: Uint8Array, from: number, fill: ArenaLoader, name: string): Promise<void> {
  const finished = new Map<number, number>(); // slice start -> its end, for slices done out of order
  let next = from;
  let contiguous = from;
  const reader = async () => {
    while (next < blob.size) {
      const at = next;
      const end = Math.min(blob.size, at + READ_SLICE);
      next = end;
      const part = new Uint8Array(await blob.slice(at, end).arrayBuffer());
      if (part.length !== end - at) throw new Error(`the file changed while it was being read (${part.length} of ${end - at} bytes at ${at})`);
      target.set(part, at);
      finished.set(at, end);
      while (finished.has(contiguous)) {
        const e = finished.get(contiguous)!;
        finished.delete(contiguous);
        contiguous = e;
      }
      fill.advance(contiguous);
    }
  };
  try {
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, reader));
  } catch (e) {
    fill.fail(new Error(`${name}: the browser could not read the file (${(e as Error).message || e})`));
  }
}

/** A fed file (feed.ts) as verifyJournal's input: the arena sized from its head, filled as slices arrive. */
async function readFed(kernel: Kernel, src: FedFile, name: string): Promise<VerifyInput> {
  const { size, head, port } = src;
  const arena = await kernel.openArena(size, scanTables(head, size));
  const fill = new ArenaLoader(size);
  const target = arena ? arena.bytes : new Uint8Array(size);
  target.set(head.subarray(0, Math.min(head.length, size)));
  const finished = new Map<number, number>(); // slice start -> its end, for slices that came out of order
  let contiguous = Math.min(head.length, size);
  fill.advance(contiguous);
  port.onmessage = (e) => {
    const m = e.data;
    if ('error' in m) {
      fill.fail(new Error(`${name}: the browser could not read the file (${m.error})`));
      port.close();
      return;
    }
    if (!(m.at >= 0 && m.at + m.bytes.byteLength <= size)) {
      fill.fail(new Error(`${name}: a slice [${m.at}, +${m.bytes.byteLength}) outside the file`));
      port.close();
      return;
    }
    target.set(new Uint8Array(m.bytes), m.at);
    finished.set(m.at, m.at + m.bytes.byteLength);
    while (finished.has(contiguous)) {
      const end = finished.get(contiguous)!;
      finished.delete(contiguous);
      contiguous = end;
    }
    fill.advance(contiguous);
    if (contiguous >= size) port.close();
  };
  if (contiguous >= size) port.close();
  if (arena) return { name, arena, fill };
  await fillAll(fill, size);
  return { name, bytes: target };
}

export function createVerifyApi(getKernel: () => Promise<Kernel>) {
  return {
    async verify(source: Source, request: VerifyRequest, hooks: VerifyHooks = {}): Promise<VerifyResult> {
      try {
        return await run(source, request, hooks);
      } finally {
        // A fed file's slices still on their way are not wanted any more (nor is the arena they fill).
        if (!(source instanceof Uint8Array) && isFed(source)) source.port.close();
        // Hooks arrive as a Comlink proxy holding a MessagePort: free it now rather than at GC time.
        (hooks as { [releaseProxy]?: () => void })[releaseProxy]?.();
      }
    },
  };

  async function run(source: Source, request: VerifyRequest, hooks: VerifyHooks): Promise<VerifyResult> {
    if (!(source instanceof Uint8Array)) {
      // A file that is not a journal is refused on its first bytes, as journalctl refuses it at open:
      // reading gigabytes of something else into memory first would only fail less clearly.
      const head = isFed(source) ? source.head.subarray(0, HEADER_PEEK) : new Uint8Array(await source.slice(0, HEADER_PEEK).arrayBuffer());
      if (head.length >= HEADER_SIZE_MIN && !hasSignature(head)) {
        if (isFed(source)) source.port.close();
        const report = await verifyJournal({ name: request.name, bytes: head }, await getKernel(), { version: request.version });
        return { report: { ...report, size: source.size }, keySource: 'none' };
      }
    }
    const input: VerifyInput =
      source instanceof Uint8Array
        ? { name: request.name, bytes: source }
        : isFed(source)
          ? await readFed(await getKernel(), source, request.name)
          : await readInput(await getKernel(), source, request.name);
    const bytes = input.arena ? input.arena.bytes : input.bytes;
    let key = request.key?.trim() || undefined;
    let keySource: VerifyResult['keySource'] = key ? 'given' : 'none';
    if (!key && hooks.keyFor) {
      const machineId = machineIdOf(bytes, request.name, request.version);
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
    let last = 0;
    const report = await verifyJournal(input, kernel, {
      key,
      version: request.version,
      onProgress: hooks.onProgress
        ? (done, total) => {
            const now = Date.now();
            if (done < total && now - last < PROGRESS_EVERY_MS) return;
            last = now;
            void Promise.resolve(hooks.onProgress!(done, total)).catch(() => {});
          }
        : undefined,
    });
    await Promise.resolve(hooks.onProgress?.(report.size, report.size)).catch(() => {});
    return { report, keySource, keyUsed: key };
  }
}

export type VerifyApi = ReturnType<typeof createVerifyApi>;

function isFed(s: Blob | FedFile): s is FedFile {
  return (s as FedFile).fed === true;
}

/** The header's machine ID, or undefined when the file does not even open (verifyJournal says why). */
function machineIdOf(bytes: Uint8Array, name: string, version?: SystemdVersion): string | undefined {
  try {
    return id128Hex(JournalFile.open(bytes, name, { version }).header.machineId);
  } catch {
    return undefined;
  }
}
