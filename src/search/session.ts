/**
 * What the search worker does, as a plain object (squoosh's worker/ default export): hold the index of the
 * dropped files, answer a query with a count, then pages of rows, facets, a histogram, one entry's
 * detail, an export. `web/workers/search.worker.ts` exposes it over Comlink; Node tests and the bench call
 * it directly. The last query's result is kept, so paging costs only the rows asked for.
 */
import type { VerifyReport, SealSegment } from '../verify/report.js';
import { DEFAULT_FACET_FIELDS, facetCounts, isFacetByDefault, listFields, type Facet } from './facets.js';
import { histogram, type Histogram, type HistogramStack } from './histogram.js';
import { NO_PRIORITY, SearchIndex } from './index.js';
import { ingestJournal } from './ingest.js';
import { exportSelectionBytes, type ExportFormat } from './export.js';
import { evaluate, resultIds, type Evaluation, type Query } from './query.js';
import { describeSealStatus, type SealStatusId } from './seal-status.js';

export interface BytesSource {
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface AddedFile {
  fileIndex: number;
  name: string;
  entries: number;
  /** What the reader skipped or why it stopped early, for people. */
  problems: string[];
  /** Index build time, ms. */
  ms: number;
}

export interface QueryResult {
  /** Increases with every query; pages/facets/histogram answer for the latest. */
  generation: number;
  total: number;
  /** Entries in the index (all files). */
  entries: number;
  error?: string;
}

export interface Row {
  /** Entry id (for entry()). */
  id: number;
  realtime: number;
  /** 0–7, or 255 when the entry has no PRIORITY. */
  priority: number;
  seal: SealStatusId;
  file: number;
  hostname?: string;
  /** Netdata's process column: CONTAINER_NAME, SYSLOG_IDENTIFIER or _COMM, with [_PID]. */
  process?: string;
  /** MESSAGE, cut to ROW_MESSAGE_MAX characters. */
  message: string;
  /** Full-text matches in `message`, [start, end). */
  highlights: Array<[number, number]>;
}

export interface DetailField {
  name: string;
  /** The value as text when it is printable UTF-8. */
  text?: string;
  /** Otherwise: the bytes in hex and their printable ASCII rendering ('.' for the rest). */
  hex?: string;
  printable?: string;
  length: number;
}

export interface EntryDetail {
  id: number;
  cursor: string;
  realtime: number;
  monotonic: number;
  seqnum: number;
  bootId: string;
  file: string;
  offset: number;
  seal: { status: SealStatusId; text: string; segment?: SealSegment };
  fields: DetailField[];
}

export interface FacetsResult {
  /** Every field present, most common first, and whether it is shown as a facet by default. */
  fields: Array<{ field: string; distinct: number; entries: number; facet: boolean }>;
  facets: Facet[];
}

export type BrowseQuery = Query & { newestFirst?: boolean };

// src/ is checked with lib ES2022 only; every runtime we target has a clock.
declare const performance: { now(): number };

const ROW_MESSAGE_MAX = 2000;
const TRUNCATE_AT = 1 << 16;

/** `index`: an index built elsewhere (the bench feeds synthetic entries); normally a fresh one. */
export function createSearchApi(index = new SearchIndex()) {
  let generation = 0;
  let ev: Evaluation | undefined;
  let ids: Uint32Array = new Uint32Array(0);
  let lastQuery: BrowseQuery = {};
  /** The dropped files' bytes, by file index: export re-reads entries with the reader. */
  const sources: Array<{ bytes: Uint8Array; name: string }> = [];
  const fieldIds = {
    hostname: index.fieldId('_HOSTNAME'),
    container: index.fieldId('CONTAINER_NAME'),
    ident: index.fieldId('SYSLOG_IDENTIFIER'),
    comm: index.fieldId('_COMM'),
    pid: index.fieldId('_PID'),
  };

  const current = (): Evaluation => {
    if (!ev || !index.isFinalized) api.query(lastQuery);
    return ev!;
  };

  const api = {
    /** Index one file (bytes or a Blob/File) with its verification report, if there is one yet. */
    async addFile(source: BytesSource | Uint8Array, name: string, report?: VerifyReport): Promise<AddedFile> {
      const bytes = source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer());
      const t0 = performance.now();
      const r = await ingestJournal(index, bytes, name, report);
      sources[r.fileIndex] = { bytes, name };
      index.finalize();
      ev = undefined;
      return {
        fileIndex: r.fileIndex, name, entries: r.entries, ms: performance.now() - t0,
        problems: r.problems.slice(0, 20).map((p) => p.describe()),
      };
    },

    /** A file's report arrived (or changed, e.g. verified again with a key). */
    setReport(fileIndex: number, report: VerifyReport): void {
      index.setReport(fileIndex, report);
      index.finalize();
      ev = undefined;
    },

    files(): Array<{ name: string; entries: number; size: number; verified: boolean }> {
      return index.files.map((f) => ({ name: f.name, entries: f.end - f.start, size: f.size, verified: !!f.report }));
    },

    query(q: BrowseQuery): QueryResult {
      lastQuery = q;
      ev = evaluate(index, q);
      ids = resultIds(index, ev.bits, ev.count, q.newestFirst ?? true);
      return { generation: ++generation, total: ids.length, entries: index.n, error: ev.error };
    },

    /** Rows [start, start + count) of the last query's result. */
    page(start: number, count: number): Row[] {
      current();
      const out: Row[] = [];
      const end = Math.min(ids.length, start + count);
      for (let i = Math.max(0, start); i < end; i++) out.push(row(ids[i]));
      return out;
    },

    /** Position of the entry with this cursor in the last result, or -1. */
    find(cursor: string): number {
      current();
      for (let i = 0; i < ids.length; i++) if (index.cursor(ids[i]) === cursor) return i;
      return -1;
    },

    facets(fields?: string[], limit = 30): FacetsResult {
      const e = current();
      const all = listFields(index).map((f) => ({ ...f, facet: isFacetByDefault(f.field) }));
      const wanted = fields ?? defaultFacetFields(all);
      const selected: Record<string, string[]> = { ...(lastQuery.include ?? {}) };
      for (const [f, vs] of Object.entries(lastQuery.exclude ?? {})) selected[f] = [...(selected[f] ?? []), ...vs];
      return { fields: all, facets: facetCounts(index, e, wanted, { limit, selected }) };
    },

    histogram(opts: { from?: number; to?: number; maxBuckets?: number; stack?: HistogramStack } = {}): Histogram {
      const e = current();
      return histogram(index, e.bits, { from: opts.from ?? lastQuery.from, to: opts.to ?? lastQuery.to, ...opts });
    },

    /** Time span of everything indexed, µs. */
    span(): { from: number; to: number } {
      return { from: index.minRealtime, to: index.maxRealtime };
    },

    entry(id: number): EntryDetail {
      const f = index.files[index.file[id]];
      const fields: DetailField[] = [];
      for (let k = index.itemStart[id]; k < index.itemStart[id + 1]; k++) {
        const v = index.items[k];
        const name = index.fields[index.valueField[v]];
        const raw = index.binaryValues.get(v);
        if (raw) fields.push({ name, length: raw.length, ...hexView(raw) });
        else fields.push({ name, text: index.valueText[v], length: index.valueText[v].length });
      }
      const status = index.sealStatus(id);
      const segment = index.sealSegment(id);
      return {
        id, cursor: index.cursor(id), realtime: index.realtime[id], monotonic: index.monotonic[id], seqnum: index.seqnum[id],
        bootId: index.bootIds[index.boot[id]], file: f.name, offset: index.offset[id],
        seal: { status, text: describeSealStatus(status, segment), segment }, fields,
      };
    },

    /**
     * The last result as `journalctl -o export` (byte-identical per entry) or JSON lines (`-o json`), in
     * journalctl's forward order. `version` picks the journalctl reproduced (254 adds __SEQNUM*).
     */
    async export(format: ExportFormat, version: 252 | 254 = 254): Promise<Uint8Array> {
      const e = current();
      const sorted = resultIds(index, e.bits, e.count, false);
      const selection = Array.from(sorted, (id) => ({ file: index.file[id], offset: index.offset[id] }));
      return exportSelectionBytes(sources, selection, { format, version });
    },

    stats(): { entries: number; files: number; values: number; memoryBytes: number } {
      return { entries: index.n, files: index.files.length, values: index.nValues, memoryBytes: index.memoryBytes() };
    },

    /** For the export glue and tests: the index itself (not over Comlink). */
    get index(): SearchIndex {
      return index;
    },
  };

  function row(e: number): Row {
    const msgId = index.message[e];
    let message = msgId >= 0 ? index.valueText[msgId] : '';
    if (message.length > ROW_MESSAGE_MAX) message = message.slice(0, ROW_MESSAGE_MAX) + '…';
    const ident = index.fieldValue(e, fieldIds.container) ?? index.fieldValue(e, fieldIds.ident) ?? index.fieldValue(e, fieldIds.comm);
    const pid = index.fieldValue(e, fieldIds.pid);
    const matcher = ev?.matcher;
    return {
      id: e, realtime: index.realtime[e], priority: index.priority[e] === NO_PRIORITY ? 255 : index.priority[e],
      seal: index.sealStatus(e), file: index.file[e], hostname: index.fieldValue(e, fieldIds.hostname),
      process: ident !== undefined ? (pid !== undefined ? `${ident}[${pid}]` : ident) : undefined,
      message, highlights: matcher && message.length < TRUNCATE_AT ? matcher.ranges(message) : [],
    };
  }

  return api;
}

export type SearchApi = ReturnType<typeof createSearchApi>;

function defaultFacetFields(all: Array<{ field: string; distinct: number; facet: boolean }>): string[] {
  const present = new Map(all.map((f) => [f.field, f]));
  const out = DEFAULT_FACET_FIELDS.filter((f) => present.has(f));
  // Any other low-cardinality field is worth a facet too.
  for (const f of all) if (f.facet && !out.includes(f.field) && f.distinct <= 200) out.push(f.field);
  return out;
}

function hexView(b: Uint8Array): { hex: string; printable: string } {
  const n = Math.min(b.length, 4096);
  let hex = '';
  let printable = '';
  for (let i = 0; i < n; i++) {
    hex += (i && i % 16 === 0 ? '\n' : i ? ' ' : '') + b[i].toString(16).padStart(2, '0');
    printable += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
  }
  if (n < b.length) {
    hex += ' …';
    printable += '…';
  }
  return { hex, printable };
}
