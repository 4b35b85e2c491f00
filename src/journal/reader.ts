/**
 * Entries of one journal file in file order, and their fields, read the way sd-journal reads them
 * (journal_file_next_entry + generic_array_get, sd_journal_enumerate_data) so that what we export is
 * what journalctl exports — including on damaged files:
 *
 * - The main entry-array chain is walked from header.entry_array_offset. The chain can only move
 *   forward (check_object rejects next_entry_array_offset <= own offset), so it ends in at most
 *   size/24 steps; no cycle can make us loop.
 * - Entries: the first header.n_entries slots are "the file"; an ENTRY object that fails the
 *   acceptance rules (EBADMSG/EADDRNOTAVAIL) is skipped and the next slot tried, as generic_array_get
 *   does. An entry offset that is not greater than the previous one ends the file (journal_file_next_entry:
 *   "entry array not properly ordered"), as does a bad ENTRY_ARRAY object.
 * - Items: a DATA object that fails the acceptance rules or whose payload does not decompress with
 *   EBADMSG/EADDRNOTAVAIL is skipped (sd_journal_enumerate_data); any other failure is fatal for the entry.
 *
 * Every such event is recorded as a JournalError in `problems` (the CLI reports them and exits 1)
 * while the output stays identical to journalctl's.
 *
 * Memory: nothing per entry is kept; payloads are subarrays of the file unless decompressed.
 */
import { JournalError, type Errno } from '../errors.js';
import { DecompressError, decompressPayload, type DecompressOptions } from './compress.js';
import { JournalFile, type ObjectRef } from './file.js';
import { ObjectType } from './format.js';

export interface EntryMeta {
  /** Offset of the ENTRY object. */
  readonly offset: number;
  /** Position in the main entry array chain (0-based). */
  readonly index: number;
  readonly seqnum: bigint;
  readonly realtime: bigint;
  readonly monotonic: bigint;
  /** 16 bytes, a view into the file. */
  readonly bootId: Uint8Array;
  readonly xorHash: bigint;
  readonly object: ObjectRef;
}

export interface Field {
  /** Field name (bytes before the first '='), decoded as Latin-1 so that every byte maps to one char. */
  readonly name: string;
  /** Value bytes (after the first '='). */
  readonly value: Uint8Array;
  /** The whole decoded payload NAME=value. */
  readonly payload: Uint8Array;
  /** Offset of the DATA object. */
  readonly dataOffset: number;
}

/** An item the reader skipped, or a reason the entry or the file ended early. */
export type Problem = JournalError;

export interface ReaderOptions {
  /** Called for every problem (also collected in `problems`). */
  onProblem?: (e: JournalError) => void;
  decompress?: DecompressOptions;
}

const SKIPPABLE: ReadonlySet<Errno> = new Set<Errno>(['EBADMSG', 'EADDRNOTAVAIL']);

/** Whether sd-journal treats this failure as "bad object, skip it" rather than a hard error. */
export function isSkippable(e: JournalError): boolean {
  return SKIPPABLE.has(e.errno);
}

/** Position in the main chain: the ENTRY_ARRAY object holding slot `index`, and its first slot number. */
interface ChainPos {
  array: ObjectRef;
  base: number;
  capacity: number;
}

export class JournalReader {
  readonly problems: JournalError[] = [];
  /** DATA objects already reported as skipped (one report per object, not per referencing entry). */
  private readonly reportedData = new Set<number>();
  private readonly onProblem?: (e: JournalError) => void;
  private readonly decompressOpts: DecompressOptions | undefined;

  constructor(
    readonly file: JournalFile,
    opts: ReaderOptions = {},
  ) {
    this.onProblem = opts.onProblem;
    this.decompressOpts = opts.decompress;
  }

  private problem(e: JournalError): void {
    this.problems.push(e);
    this.onProblem?.(e);
  }

  private err(offset: number, check: string, message: string, errno: Errno = 'EBADMSG'): JournalError {
    return new JournalError(this.file.name, offset, check, message, errno);
  }

  /** Number of entries the header claims (n_entries), as a number (clamped to the file's capacity). */
  get nEntries(): number {
    const n = this.file.header.nEntries;
    const cap = BigInt(Math.floor(this.file.size / 4));
    return Number(n < cap ? n : cap);
  }

  /**
   * Entries in journalctl's order for this file. Problems are recorded (not thrown); iteration stops
   * where sd-journal would stop reading the file.
   */
  *entries(): Generator<EntryMeta, void, void> {
    const f = this.file;
    const n = this.nEntries;
    if (n <= 0) return;
    let pos: ChainPos | undefined;
    let next = f.header.entryArrayOffset;
    let slot = 0; // next slot index to read
    let prevOffset = 0;
    // Find the first array (generic_array_get locating slot 0).
    if (next === 0) {
      this.problem(this.err(176, 'entry-array', `header says ${n} entries but has no entry array`));
      return;
    }
    const load = (offset: number, base: number): ChainPos | undefined => {
      const r = f.tryObject(offset, ObjectType.ENTRY_ARRAY);
      if (r instanceof JournalError) {
        this.problem(this.err(offset, 'entry-array', `entry array at ${offset}: ${r.message}`, r.errno));
        return undefined;
      }
      return { array: r, base, capacity: f.entryArrayCapacity(r) };
    };
    pos = load(next, 0);
    if (!pos) return;
    // journal_file_next_entry: the start index must be < n; generic_array_get may then skip bad slots
    // forward past n (into unused zero slots, which are bad too, until the chain ends).
    while (slot < n) {
      let found: EntryMeta | undefined;
      while (!found) {
        while (slot >= pos.base + pos.capacity) {
          next = f.entryArrayNext(pos.array);
          if (next === 0) {
            if (slot < n) {
              this.problem(this.err(pos.array.offset, 'entry-array', `entry array chain ends after ${pos.base + pos.capacity} slots, header says ${n} entries`));
            }
            return;
          }
          const np = load(next, pos.base + pos.capacity);
          if (!np) return;
          pos = np;
        }
        const p = f.entryArrayItem(pos.array, slot - pos.base);
        const r = f.tryObject(p, ObjectType.ENTRY);
        if (r instanceof JournalError) {
          if (slot < n) {
            this.problem(this.err(p, 'entry', `entry ${slot} (array ${pos.array.offset}) skipped: ${r.message}`, r.errno));
          }
          slot++;
          continue;
        }
        found = {
          offset: p,
          index: slot,
          seqnum: f.entrySeqnum(r),
          realtime: f.entryRealtime(r),
          monotonic: f.entryMonotonic(r),
          bootId: f.entryBootId(r),
          xorHash: f.entryXorHash(r),
          object: r,
        };
      }
      if (prevOffset !== 0 && found.offset <= prevOffset) {
        this.problem(this.err(found.offset, 'entry-array', `entry array not properly ordered at entry ${found.index} (offset ${found.offset} after ${prevOffset})`));
        return;
      }
      prevOffset = found.offset;
      yield found;
      slot = found.index + 1;
    }
  }

  /**
   * The decoded payload of the DATA object at `offset` (journal_file_data_payload). Throws JournalError:
   * acceptance failures (EBADMSG/EADDRNOTAVAIL), several compression flags (EPROTONOSUPPORT),
   * decoder errors (the decoder's errno).
   */
  dataPayload(offset: number): Uint8Array | Promise<Uint8Array> {
    const f = this.file;
    const obj = f.object(offset, ObjectType.DATA);
    const raw = f.dataPayloadRaw(obj);
    try {
      const r = decompressPayload(obj.flags, raw, this.decompressOpts);
      if (r instanceof Uint8Array) return r;
      return r.catch((e: unknown) => {
        throw this.wrapDecompress(offset, e);
      });
    } catch (e) {
      throw this.wrapDecompress(offset, e);
    }
  }

  private wrapDecompress(offset: number, e: unknown): unknown {
    if (e instanceof DecompressError) {
      return this.err(offset, 'decompress', `data object at ${offset}: ${e.message}`, e.errno);
    }
    return e;
  }

  /**
   * Decoded payloads of the entry's items in item order, skipping bad items as sd_journal_enumerate_data
   * does (recorded as problems). A fatal failure (not EBADMSG/EADDRNOTAVAIL) is thrown as JournalError.
   * Sync unless an XZ object is met.
   */
  entryPayloads(entry: EntryMeta): Array<{ offset: number; payload: Uint8Array }> | Promise<Array<{ offset: number; payload: Uint8Array }>> {
    const f = this.file;
    const n = f.entryItemCount(entry.object);
    const out: Array<{ offset: number; payload: Uint8Array }> = [];
    for (let i = 0; i < n; i++) {
      const p = f.entryItem(entry.object, i);
      let r: Uint8Array | Promise<Uint8Array>;
      try {
        r = this.dataPayload(p);
      } catch (e) {
        if (e instanceof JournalError && isSkippable(e)) {
          this.skipped(entry, i, p, e);
          continue;
        }
        throw e;
      }
      if (r instanceof Uint8Array) {
        out.push({ offset: p, payload: r });
        continue;
      }
      // An XZ object: finish this entry asynchronously.
      return this.entryPayloadsAsync(entry, i, r, out);
    }
    return out;
  }

  private async entryPayloadsAsync(
    entry: EntryMeta,
    from: number,
    pending: Promise<Uint8Array>,
    out: Array<{ offset: number; payload: Uint8Array }>,
  ): Promise<Array<{ offset: number; payload: Uint8Array }>> {
    const f = this.file;
    const n = f.entryItemCount(entry.object);
    for (let i = from; i < n; i++) {
      const p = f.entryItem(entry.object, i);
      try {
        const r = i === from ? pending : this.dataPayload(p);
        out.push({ offset: p, payload: r instanceof Uint8Array ? r : await r });
      } catch (e) {
        if (e instanceof JournalError && isSkippable(e)) {
          this.skipped(entry, i, p, e);
          continue;
        }
        throw e;
      }
    }
    return out;
  }

  private skipped(entry: EntryMeta, i: number, p: number, e: JournalError): void {
    if (this.reportedData.has(p)) return;
    this.reportedData.add(p);
    this.problem(this.err(p, e.check, `item ${i} of entry at ${entry.offset} skipped: ${e.message}`, e.errno));
  }

  /** The entry's fields (name/value split at the first '='); items without '=' are skipped. */
  async fields(entry: EntryMeta): Promise<Field[]> {
    const r = this.entryPayloads(entry);
    const items = r instanceof Promise ? await r : r;
    const out: Field[] = [];
    for (const { offset, payload } of items) {
      const eq = payload.indexOf(0x3d);
      if (eq < 0) continue;
      out.push({ name: latin1(payload, 0, eq), value: payload.subarray(eq + 1), payload, dataOffset: offset });
    }
    return out;
  }
}

/** Bytes → string with one char per byte (field names are ASCII; this never throws). */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Convenience: open and iterate every entry with its fields. */
export async function* readEntries(
  bytes: Uint8Array,
  name: string,
  opts: ReaderOptions & { version?: 252 | 254 } = {},
): AsyncGenerator<{ entry: EntryMeta; fields: Field[] }, void, void> {
  const file = JournalFile.open(bytes, name, { version: opts.version });
  const reader = new JournalReader(file, opts);
  for (const entry of reader.entries()) {
    yield { entry, fields: await reader.fields(entry) };
  }
}
