/**
 * What a verify worker does, as a plain object: read the file, find its machine ID (so the page can
 * supply a remembered key), run the core's verifyJournal, report progress. `verify.worker.ts` exposes
 * this over Comlink; the Node tests expose it over a MessageChannel. No DOM here.
 */
import { releaseProxy } from 'comlink';
import { JournalFile, id128Hex } from '../../src/journal/file.js';
import { HEADER_SIZE_MIN, SIGNATURE } from '../../src/journal/format.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { ArenaLoader, fillAll, scanTables } from '../../src/verify/arena-fill.js';
import type { FedFile } from './feed.js';
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

/** Bytes, or a file the page reads and feeds slice by slice (feed.ts). */
export type Source = Uint8Array | FedFile;

const PROGRESS_EVERY_MS = 50;
/** Enough of a file to run journalctl's first open-time checks (size, signature). */
const HEADER_PEEK = 4096;

function hasSignature(head: Uint8Array): boolean {
  for (let i = 0; i < SIGNATURE.length; i++) if (head[i] !== SIGNATURE.charCodeAt(i)) return false;
  return true;
}

/** A fed file (feed.ts) as verifyJournal's input: the arena sized from its head, filled as slices arrive. */
async function readFed(kernel: Kernel, src: FedFile, name: string): Promise<VerifyInput> {
  const { size, head, port } = src;
  const arena = await kernel.openArena(size, scanTables(head, size));
  const fill = new ArenaLoader(size);
  const target = arena ? arena.bytes : wholeFile(size, name);
  target.set(head.subarray(0, Math.min(head.length, size)));
  fill.advance(Math.min(head.length, size));
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
    fill.arrived(m.at, m.at + m.bytes.byteLength);
    if (fill.loaded >= size) port.close();
  };
  if (fill.loaded >= size) port.close();
  if (arena) return { name, arena, fill };
  await fillAll(fill, size);
  return { name, bytes: target };
}

/** Memory for a whole file outside an arena; a browser that cannot hold it says so in words, not an opaque RangeError. */
function wholeFile(size: number, name: string): Uint8Array {
  try {
    return new Uint8Array(size);
  } catch (e) {
    const mib = (size / 1048576).toFixed(0);
    throw new Error(`${name}: this browser could not hold the file's ${mib} MiB in memory (${(e as Error).message || e}). Verify files this large with the sealcheck CLI.`);
  }
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
    if (!(source instanceof Uint8Array)) {
      // A file that is not a journal is refused on its first bytes, as journalctl refuses it at open:
      // reading gigabytes of something else into memory first would only fail less clearly.
      const head = source.head.subarray(0, HEADER_PEEK);
      if (head.length >= HEADER_SIZE_MIN && !hasSignature(head)) {
        source.port.close();
        const report = await verifyJournal({ name: request.name, bytes: head }, await getKernel(), { version: request.version });
        return { report: { ...report, size: source.size }, keySource: 'none' };
      }
    }
    const input: VerifyInput = source instanceof Uint8Array ? { name: request.name, bytes: source } : await readFed(await getKernel(), source, request.name);
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
    const work = request.alone && startHelper && !(source instanceof Uint8Array) ? macHelperWork(source.head, source.size, key !== undefined) : null;
    const started = work === null ? null : tryStart(startHelper!, work === 'seal' ? key! : null);
    let last = 0;
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
    await Promise.resolve(hooks.onProgress?.(report.size, report.size)).catch(() => {});
    return { report, keySource, keyUsed: key };
  }
}

export type VerifyApi = ReturnType<typeof createVerifyApi>;


/** A helper only ever saves time: one that cannot start (no Worker here, a CSP that refuses it) is none. */
function tryStart(start: StartHelper, key: string | null): StartedMacHelper | null {
  try {
    return start(key);
  } catch {
    return null;
  }
}

/** The header's machine ID, or undefined when the file does not even open (verifyJournal says why). */
function machineIdOf(bytes: Uint8Array, name: string, version?: SystemdVersion): string | undefined {
  try {
    return id128Hex(JournalFile.open(bytes, name, { version }).header.machineId);
  } catch {
    return undefined;
  }
}
