/**
 * Feeds a journal file's entries into a SearchIndex, in the order journalctl reads one file — through the
 * reader (src/journal/reader.ts: same entry walk, same skipping of bad entries and bad items, problems
 * recorded). A DATA object already interned is not decoded again: the index maps its offset to the value.
 */
import { JournalError } from '../errors.js';
import { id128Hex, JournalFile } from '../journal/file.js';
import { isSkippable, JournalReader } from '../journal/reader.js';
import type { VerifyReport } from '../verify/report.js';
import type { SearchIndex } from './index.js';

export interface IngestResult {
  fileIndex: number;
  entries: number;
  bytes: number;
  /** What the reader skipped or why it stopped (as journalctl would stop showing the file there). */
  problems: JournalError[];
}

const EMPTY = new Uint8Array(0);

export async function ingestJournal(
  index: SearchIndex,
  bytes: Uint8Array,
  name: string,
  report?: VerifyReport,
  signal?: { readonly aborted: boolean },
): Promise<IngestResult> {
  let jf: JournalFile;
  try {
    jf = JournalFile.open(bytes, name);
  } catch (err) {
    const fileIndex = index.addFile({ name, seqnumId: '0'.repeat(32), size: bytes.length, report });
    return { fileIndex, entries: 0, bytes: bytes.length, problems: [asJournalError(err, name)] };
  }
  const reader = new JournalReader(jf);
  const fileIndex = index.addFile({ name, seqnumId: id128Hex(jf.header.seqnumId), size: bytes.length, report });
  let entries = 0;
  const payloads: Uint8Array[] = [];
  const dataOffsets: number[] = [];
  try {
    for (const entry of reader.entries()) {
      if (signal?.aborted) break;
      const n = jf.entryItemCount(entry.object);
      payloads.length = 0;
      dataOffsets.length = 0;
      for (let i = 0; i < n; i++) {
        const d = jf.entryItem(entry.object, i);
        if (index.knowsData(d)) {
          dataOffsets.push(d);
          payloads.push(EMPTY);
          continue;
        }
        let p: Uint8Array;
        try {
          const r = reader.dataPayload(d);
          p = r instanceof Uint8Array ? r : await r; // only XZ is asynchronous
        } catch (e) {
          // sd_journal_enumerate_data skips a bad item; anything else ends the file.
          if (e instanceof JournalError && isSkippable(e)) {
            reader.problems.push(e);
            continue;
          }
          throw e;
        }
        if (p.indexOf(0x3d) < 0) continue; // no '=': not a field (the reader skips it too)
        dataOffsets.push(d);
        payloads.push(p);
      }
      index.addEntry({
        offset: entry.offset,
        seqnum: Number(entry.seqnum),
        realtime: Number(entry.realtime),
        monotonic: Number(entry.monotonic),
        bootId: id128Hex(entry.bootId),
        xorHi: Number(entry.xorHash >> 32n),
        xorLo: Number(entry.xorHash & 0xffffffffn),
        payloads,
        dataOffsets,
      });
      entries++;
    }
  } catch (err) {
    reader.problems.push(asJournalError(err, name));
  }
  return { fileIndex, entries, bytes: bytes.length, problems: reader.problems };
}

function asJournalError(err: unknown, name: string, offset = 0): JournalError {
  if (err instanceof JournalError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new JournalError(name, offset, 'read', message);
}
