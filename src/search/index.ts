/**
 * A columnar in-memory index of journal entries, for browsing and searching what was verified.
 *
 * Memory is a few typed arrays per entry, never an object per field value per entry:
 * - per entry: file, offset, seqnum, realtime, monotonic, boot (dictionary id), xor_hash (two u32),
 *   priority (255 = none), seal status + segment, MESSAGE value id;
 * - items: each entry's value ids in item order (CSR: itemStart[e] .. itemStart[e+1]);
 * - a dictionary of distinct FIELD=value pairs (value id → field id, text), interned per field, plus the
 *   raw bytes of the few values that are not printable UTF-8;
 * - postings per value id (CSR, built by finalize()), and one lower-cased text blob of all distinct
 *   values for substring search.
 * Entries of one file are added together, in file order; finalize() computes journalctl's interleaving
 * (merge.ts), postings and seal status. More files can be added after a finalize(); call it again.
 */
import type { SealSegment, VerifyReport } from '../verify/report.js';
import { mergeOrder } from './merge.js';
import { SealStatus, sealStatusAt, sortedSegments, type SealStatusId } from './seal-status.js';

// src/ is checked with lib ES2022 only; TextDecoder exists in every runtime we target (browsers, Node).
declare const TextDecoder: new (label?: string) => { decode(input: Uint8Array): string };

/** One entry as the reader yields it. */
export interface IndexEntryInput {
  /** Offset of the ENTRY object in its file. */
  offset: number;
  seqnum: number;
  realtime: number;
  monotonic: number;
  /** 32 lower-case hex digits. */
  bootId: string;
  /** xor_hash as two u32 halves (no BigInt per entry). */
  xorHi: number;
  xorLo: number;
  /** DATA payloads ("NAME=value", decompressed) in item order. */
  payloads: ArrayLike<Uint8Array>;
  /** Optional DATA object offsets of the same items: a repeated value is then interned without decoding. */
  dataOffsets?: ArrayLike<number>;
}

export interface IndexFileInput {
  name: string;
  /** Header seqnum_id, 32 hex digits (cursors, interleaving). */
  seqnumId: string;
  size: number;
  report?: VerifyReport;
}

export interface IndexedFile extends IndexFileInput {
  /** Entry ids [start, end). */
  start: number;
  end: number;
  /** report.segments in byte order. */
  segments: SealSegment[];
}

const NO_PRIORITY = 255;

class Grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array> {
  a: T;
  constructor(private readonly make: (n: number) => T, initial = 1024) {
    this.a = make(initial);
  }
  ensure(n: number): T {
    if (n > this.a.length) {
      const b = this.make(Math.max(n, this.a.length * 2));
      b.set(this.a as never);
      this.a = b;
    }
    return this.a;
  }
}

export class SearchIndex {
  // ── entries ──────────────────────────────────────────────────────────────────────────────────────
  n = 0;
  private readonly cFile = new Grow((n) => new Uint16Array(n));
  private readonly cOffset = new Grow((n) => new Float64Array(n));
  private readonly cSeqnum = new Grow((n) => new Float64Array(n));
  private readonly cRealtime = new Grow((n) => new Float64Array(n));
  private readonly cMonotonic = new Grow((n) => new Float64Array(n));
  private readonly cBoot = new Grow((n) => new Uint32Array(n));
  private readonly cXorHi = new Grow((n) => new Uint32Array(n));
  private readonly cXorLo = new Grow((n) => new Uint32Array(n));
  private readonly cPriority = new Grow((n) => new Uint8Array(n));
  private readonly cMessage = new Grow((n) => new Int32Array(n));
  private readonly cItemStart = new Grow((n) => new Uint32Array(n));
  private readonly cItems = new Grow((n) => new Uint32Array(n), 16384);
  nItems = 0;

  // ── dictionaries ─────────────────────────────────────────────────────────────────────────────────
  readonly fields: string[] = [];
  private readonly fieldIds = new Map<string, number>();
  private readonly fieldValues: Map<string, number>[] = [];
  nValues = 0;
  private readonly vField = new Grow((n) => new Uint32Array(n));
  readonly valueText: string[] = [];
  /** Raw bytes of values that are not printable UTF-8 (binary, control characters, invalid UTF-8). */
  readonly binaryValues = new Map<number, Uint8Array>();
  readonly bootIds: string[] = [];
  private readonly bootMap = new Map<string, number>();
  private readonly seqnumIdMap = new Map<string, number>();
  readonly files: IndexedFile[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  private dataOffsetCache = new Map<number, number>();
  private currentFile = -1;
  readonly messageField: number;
  readonly priorityField: number;

  // ── derived by finalize() ────────────────────────────────────────────────────────────────────────
  /** Entry ids in journalctl's forward order (oldest first). */
  order: Uint32Array = new Uint32Array(0);
  /** Postings: entries holding value v are post[postStart[v] .. postStart[v+1]), ascending ids. */
  postStart = new Uint32Array(1);
  post = new Uint32Array(0);
  seal = new Uint8Array(0);
  /** Index into files[file].segments, or -1. */
  segment = new Int32Array(0);
  /** Lower-cased text of every value, value v at [blobStart[v], blobStart[v+1]-1), separated by NUL. */
  blob = '';
  blobStart = new Uint32Array(1);
  minRealtime = 0;
  maxRealtime = 0;
  /** Bits of the entries in `order` (journalctl shows them; duplicates across files are not). */
  live = new Uint32Array(0);
  /** Per field: distinct values and entries holding it. */
  fieldStats: Array<{ distinct: number; entries: number }> = [];
  private finalized = false;

  constructor() {
    this.messageField = this.fieldId('MESSAGE');
    this.priorityField = this.fieldId('PRIORITY');
  }

  get file(): Uint16Array { return this.cFile.a; }
  get offset(): Float64Array { return this.cOffset.a; }
  get seqnum(): Float64Array { return this.cSeqnum.a; }
  get realtime(): Float64Array { return this.cRealtime.a; }
  get monotonic(): Float64Array { return this.cMonotonic.a; }
  get boot(): Uint32Array { return this.cBoot.a; }
  get priority(): Uint8Array { return this.cPriority.a; }
  get message(): Int32Array { return this.cMessage.a; }
  get itemStart(): Uint32Array { return this.cItemStart.a; }
  get items(): Uint32Array { return this.cItems.a; }
  get valueField(): Uint32Array { return this.vField.a; }
  get isFinalized(): boolean { return this.finalized; }

  fieldId(name: string): number {
    let id = this.fieldIds.get(name);
    if (id === undefined) {
      id = this.fields.length;
      this.fields.push(name);
      this.fieldIds.set(name, id);
      this.fieldValues.push(new Map());
    }
    return id;
  }

  /** Existing field id, or -1. */
  findField(name: string): number {
    return this.fieldIds.get(name) ?? -1;
  }

  /** Value id of FIELD=value, or -1 when no entry has it. */
  findValue(field: string, value: string): number {
    const f = this.fieldIds.get(field);
    if (f === undefined) return -1;
    return this.fieldValues[f].get(value) ?? -1;
  }

  /** Value ids of one field. */
  valuesOf(field: number): IterableIterator<number> {
    return this.fieldValues[field].values();
  }

  /** Has the current file's DATA object at `dataOffset` been interned already? */
  knowsData(dataOffset: number): boolean {
    return this.dataOffsetCache.has(dataOffset);
  }

  /** Starts a file; entries added next belong to it. Returns its file index. */
  addFile(info: IndexFileInput): number {
    const idx = this.files.length;
    if (idx >= 0xffff) throw new RangeError('too many files');
    this.files.push({ ...info, start: this.n, end: this.n, segments: info.report ? sortedSegments(info.report) : [] });
    if (!this.seqnumIdMap.has(info.seqnumId)) this.seqnumIdMap.set(info.seqnumId, this.seqnumIdMap.size);
    this.currentFile = idx;
    this.dataOffsetCache = new Map();
    this.finalized = false;
    return idx;
  }

  /** Attach (or replace) a file's verification report; takes effect at the next finalize(). */
  setReport(fileIdx: number, report: VerifyReport): void {
    const f = this.files[fileIdx];
    f.report = report;
    f.segments = sortedSegments(report);
    this.finalized = false;
  }

  addEntry(e: IndexEntryInput): void {
    const fi = this.currentFile;
    if (fi < 0) throw new Error('addFile() first');
    const i = this.n;
    const n1 = i + 1;
    this.cFile.ensure(n1)[i] = fi;
    this.cOffset.ensure(n1)[i] = e.offset;
    this.cSeqnum.ensure(n1)[i] = e.seqnum;
    this.cRealtime.ensure(n1)[i] = e.realtime;
    this.cMonotonic.ensure(n1)[i] = e.monotonic;
    let b = this.bootMap.get(e.bootId);
    if (b === undefined) {
      b = this.bootIds.length;
      this.bootIds.push(e.bootId);
      this.bootMap.set(e.bootId, b);
    }
    this.cBoot.ensure(n1)[i] = b;
    this.cXorHi.ensure(n1)[i] = e.xorHi;
    this.cXorLo.ensure(n1)[i] = e.xorLo;
    const start = this.cItemStart.ensure(n1 + 1)[i];
    const np = e.payloads.length;
    const items = this.cItems.ensure(start + np);
    let prio = NO_PRIORITY;
    let msg = -1;
    for (let k = 0; k < np; k++) {
      let v: number | undefined;
      const dataOffset = e.dataOffsets?.[k];
      if (dataOffset !== undefined) v = this.dataOffsetCache.get(dataOffset);
      if (v === undefined) {
        v = this.intern(e.payloads[k]);
        if (dataOffset !== undefined) this.dataOffsetCache.set(dataOffset, v);
      }
      items[start + k] = v;
      const f = this.vField.a[v];
      if (f === this.messageField) {
        if (msg < 0) msg = v;
      } else if (f === this.priorityField && prio === NO_PRIORITY) {
        const t = this.valueText[v];
        if (t.length === 1 && t >= '0' && t <= '7') prio = t.charCodeAt(0) - 48;
      }
    }
    this.cPriority.ensure(n1)[i] = prio;
    this.cMessage.ensure(n1)[i] = msg;
    this.cItemStart.a[n1] = start + np;
    this.nItems = start + np;
    this.n = n1;
    this.files[fi].end = n1;
    this.finalized = false;
  }

  private intern(payload: Uint8Array): number {
    const eq = payload.indexOf(61); // '='
    const s = this.decoder.decode(payload);
    // A payload without '=' is rejected by journald; keep it visible under an empty field name.
    const sEq = eq < 0 ? -1 : s.indexOf('=');
    const field = sEq < 0 ? '' : s.slice(0, sEq);
    const value = sEq < 0 ? s : s.slice(sEq + 1);
    const fid = this.fieldId(field);
    const map = this.fieldValues[fid];
    let v = map.get(value);
    if (v !== undefined) return v;
    v = this.nValues++;
    map.set(value, v);
    this.vField.ensure(this.nValues)[v] = fid;
    this.valueText.push(value);
    // Printable = what `-o export` writes as text: valid UTF-8, no control characters (TAB allowed here
    // for display), no U+FFFD from invalid bytes.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/.test(value)) {
      this.binaryValues.set(v, payload.slice(eq < 0 ? 0 : eq + 1));
    }
    return v;
  }

  /** Computes order, postings, seal status and the text blob. Cheap to call again after more files. */
  finalize(): void {
    if (this.finalized) return;
    const n = this.n;
    const seqnumIds = this.files.map((f) => this.seqnumIdMap.get(f.seqnumId)!);
    this.order = mergeOrder({
      fileStart: this.files.map((f) => f.start),
      fileEnd: this.files.map((f) => f.end),
      fileSeqnumId: seqnumIds,
      file: this.cFile.a,
      seqnum: this.cSeqnum.a,
      realtime: this.cRealtime.a,
      monotonic: this.cMonotonic.a,
      boot: this.cBoot.a,
      xorHi: this.cXorHi.a,
      xorLo: this.cXorLo.a,
    });

    // Postings (CSR) from the items.
    const nv = this.nValues;
    const postStart = new Uint32Array(nv + 1);
    const items = this.cItems.a;
    const itemStart = this.cItemStart.a;
    for (let k = 0; k < this.nItems; k++) postStart[items[k] + 1]++;
    for (let v = 0; v < nv; v++) postStart[v + 1] += postStart[v];
    const fill = postStart.slice(0, nv);
    const post = new Uint32Array(this.nItems);
    for (let e = 0; e < n; e++) {
      for (let k = itemStart[e], end = itemStart[e + 1]; k < end; k++) post[fill[items[k]]++] = e;
    }
    this.postStart = postStart;
    this.post = post;

    // Seal status.
    this.seal = new Uint8Array(n);
    this.segment = new Int32Array(n).fill(-1);
    for (const f of this.files) {
      for (let e = f.start; e < f.end; e++) {
        const s = sealStatusAt(this.cOffset.a[e], f.report, f.segments);
        this.seal[e] = s.status;
        this.segment[e] = s.segment;
      }
    }

    // Lower-cased blob of every distinct value, for substring search.
    const blobStart = new Uint32Array(nv + 1);
    const parts: string[] = new Array(nv);
    let pos = 0;
    for (let v = 0; v < nv; v++) {
      const t = this.valueText[v].toLowerCase();
      parts[v] = t;
      blobStart[v] = pos;
      pos += t.length + 1;
    }
    blobStart[nv] = pos;
    // One flat string (a trailing '+ "\0"' would make a rope that the first search must flatten).
    parts.push('');
    this.blob = nv ? parts.join('\0') : '';
    this.blobStart = blobStart;

    let min = Infinity;
    let max = -Infinity;
    const rt = this.cRealtime.a;
    for (let e = 0; e < n; e++) {
      if (rt[e] < min) min = rt[e];
      if (rt[e] > max) max = rt[e];
    }
    const live = new Uint32Array((n + 31) >>> 5);
    for (const e of this.order) live[e >>> 5] |= 1 << (e & 31);
    this.live = live;
    this.fieldStats = this.fields.map(() => ({ distinct: 0, entries: 0 }));
    for (let v = 0; v < nv; v++) {
      const st = this.fieldStats[this.vField.a[v]];
      st.distinct++;
      st.entries += postStart[v + 1] - postStart[v];
    }
    this.minRealtime = n ? min : 0;
    this.maxRealtime = n ? max : 0;
    this.finalized = true;
  }

  /** Entry ids holding value v (ascending). */
  postings(v: number): Uint32Array {
    return this.post.subarray(this.postStart[v], this.postStart[v + 1]);
  }

  /** Number of entries holding value v. */
  valueCount(v: number): number {
    return this.postStart[v + 1] - this.postStart[v];
  }

  /** First value of a field in an entry, or undefined. */
  fieldValue(e: number, field: number): string | undefined {
    const items = this.cItems.a;
    for (let k = this.cItemStart.a[e], end = this.cItemStart.a[e + 1]; k < end; k++) {
      if (this.vField.a[items[k]] === field) return this.valueText[items[k]];
    }
    return undefined;
  }

  /** journalctl's cursor of entry e (sd_journal_get_cursor). */
  cursor(e: number): string {
    const f = this.files[this.cFile.a[e]];
    const xor = (BigInt(this.cXorHi.a[e]) << 32n) | BigInt(this.cXorLo.a[e]);
    return (
      `s=${f.seqnumId};i=${this.cSeqnum.a[e].toString(16)};b=${this.bootIds[this.cBoot.a[e]]};` +
      `m=${this.cMonotonic.a[e].toString(16)};t=${this.cRealtime.a[e].toString(16)};x=${xor.toString(16)}`
    );
  }

  sealStatus(e: number): SealStatusId {
    return this.seal[e] as SealStatusId;
  }

  sealSegment(e: number): SealSegment | undefined {
    const s = this.segment[e];
    return s < 0 ? undefined : this.files[this.cFile.a[e]].segments[s];
  }

  /** Approximate bytes held by the index (typed arrays + strings), for the memory budget. */
  memoryBytes(): number {
    let bytes = 0;
    for (const g of [this.cFile, this.cOffset, this.cSeqnum, this.cRealtime, this.cMonotonic, this.cBoot, this.cXorHi,
      this.cXorLo, this.cPriority, this.cMessage, this.cItemStart, this.cItems, this.vField]) bytes += g.a.byteLength;
    bytes += this.order.byteLength + this.postStart.byteLength + this.post.byteLength + this.seal.byteLength +
      this.segment.byteLength + this.blobStart.byteLength + this.blob.length * 2;
    for (const t of this.valueText) bytes += 16 + t.length * 2 + 40; // string + map entry, roughly
    return bytes;
  }
}

/** syslog priority names, PRIORITY=0 … 7. */
export const PRIORITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
export { NO_PRIORITY, SealStatus };
