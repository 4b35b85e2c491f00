/**
 * Export of the filtered set: the reader's exportEntry / jsonEntry (src/journal/export.ts, byte-identical
 * to journalctl per entry) applied to the selected entries, in the index's journalctl order. This is only
 * glue: which entries, in which order; the bytes are the reader's.
 */
import { ByteSink, collectChunks, exportEntry, jsonEntry, type JournalctlVersion } from '../journal/export.js';
import { JournalFile } from '../journal/file.js';
import { JournalReader, type EntryMeta } from '../journal/reader.js';

export type ExportFormat = 'export' | 'json';

/**
 * `files[i]` is the file with index i in the SearchIndex; `selection` the entries in output order.
 * Yields chunks of about `chunkSize` bytes. JSON is one object per line (`-o json`).
 */
export async function* exportSelection(
  files: ReadonlyArray<{ bytes: Uint8Array; name: string }>,
  selection: ReadonlyArray<{ file: number; offset: number }>,
  opts: { format?: ExportFormat; version?: JournalctlVersion; chunkSize?: number } = {},
): AsyncGenerator<Uint8Array, void, void> {
  const format = opts.format ?? 'export';
  const chunk = opts.chunkSize ?? 1 << 20;
  // The reader's EntryMeta for every selected entry, found by walking each file as the reader does.
  const wanted = files.map(() => new Set<number>());
  for (const s of selection) wanted[s.file].add(s.offset);
  const readers: Array<JournalReader | undefined> = [];
  const metas: Array<Map<number, EntryMeta>> = [];
  for (let i = 0; i < files.length; i++) {
    const m = new Map<number, EntryMeta>();
    metas.push(m);
    if (!wanted[i].size) {
      readers.push(undefined);
      continue;
    }
    const reader = new JournalReader(JournalFile.open(files[i].bytes, files[i].name));
    readers.push(reader);
    for (const e of reader.entries()) if (wanted[i].has(e.offset)) m.set(e.offset, e);
  }
  const out = new ByteSink();
  for (const s of selection) {
    const reader = readers[s.file];
    const entry = metas[s.file].get(s.offset);
    if (!reader || !entry) continue;
    if (format === 'export') await exportEntry(reader, entry, out, opts.version);
    else {
      out.utf8(JSON.stringify(await jsonEntry(reader, entry, opts.version)));
      out.byte(0x0a);
    }
    if (out.length >= chunk) yield out.take();
  }
  if (out.length) yield out.take();
}

/** The whole export as one byte array. */
export async function exportSelectionBytes(
  files: ReadonlyArray<{ bytes: Uint8Array; name: string }>,
  selection: ReadonlyArray<{ file: number; offset: number }>,
  opts: { format?: ExportFormat; version?: JournalctlVersion } = {},
): Promise<Uint8Array> {
  return collectChunks(exportSelection(files, selection, opts));
}
