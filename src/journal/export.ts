/**
 * journalctl's `-o export` (byte-identical) and `-o json` (same objects), and the cursor string
 * (logs-show.c output_export / output_json, sd-journal.c sd_journal_get_cursor, utf8.c).
 *
 * `version` selects the journalctl whose output is reproduced:
 *   252 — Debian 12's journalctl (what CI has): no __SEQNUM / __SEQNUM_ID.
 *   254 — adds `__SEQNUM=` and `__SEQNUM_ID=` after `__MONOTONIC_TIMESTAMP` (export) and as JSON keys.
 * Default 254 (the product's target); the differential tests pass the local journalctl's version.
 *
 * Per entry, exactly as journalctl 252/254 do it:
 *  1. All items are read first (show_journal_entry's display-timestamp pass): an item whose DATA object
 *     is bad (EBADMSG/EADDRNOTAVAIL, also from the decoders) is skipped; any other failure (several
 *     compression flags: EPROTONOSUPPORT; XZ: ENOMEM; LZ4 size: EFBIG) aborts the output before the
 *     entry ("Failed to get journal fields: …").
 *  2. export: header lines, then each item except `_BOOT_ID=…`; an item without '=' or with an invalid
 *     field name aborts ("Invalid field.") after what was already written; a blank line ends the entry.
 *     json: items without '=' in their first 4096 bytes are ignored, an invalid field name aborts
 *     before the entry is printed.
 * An abort is reported as ExportAbort (a JournalError) carrying journalctl's message.
 */
import { JournalError, STRERROR } from '../errors.js';
import { JournalFile, id128Hex } from './file.js';
import { mergeEntries } from './merge.js';
import { JournalReader, latin1, type EntryMeta } from './reader.js';

export type JournalctlVersion = 252 | 254;
export const DEFAULT_VERSION: JournalctlVersion = 254;
/** logs-show.c JSON_THRESHOLD: values with len(NAME)+1+len(value) >= this are null in JSON. */
export const JSON_THRESHOLD = 4096;

/** journalctl gave up: `message` is its stderr text (without "journalctl: "), `partial` says bytes of the entry were written. */
export class ExportAbort extends JournalError {
  constructor(file: string, offset: number, message: string, readonly journalctlMessage: string, override readonly cause?: JournalError) {
    super(file, offset, 'export', message, cause?.errno ?? 'EINVAL');
    this.name = 'ExportAbort';
  }
}

// ------------------------------------------------------------------ cursor

/** sd_journal_get_cursor: s=<seqnum_id>;i=<seqnum>;b=<boot_id>;m=<monotonic>;t=<realtime>;x=<xor_hash>. */
export function cursorOf(file: JournalFile, e: EntryMeta): string {
  return `s=${id128Hex(file.header.seqnumId)};i=${e.seqnum.toString(16)};b=${id128Hex(e.bootId)};m=${e.monotonic.toString(16)};t=${e.realtime.toString(16)};x=${e.xorHash.toString(16)}`;
}

// ------------------------------------------------------------------ utf8.c

function expectedLen(c: number): number {
  if (c < 0x80) return 1;
  if ((c & 0xe0) === 0xc0) return 2;
  if ((c & 0xf0) === 0xe0) return 3;
  if ((c & 0xf8) === 0xf0) return 4;
  if ((c & 0xfc) === 0xf8) return 5;
  if ((c & 0xfe) === 0xfc) return 6;
  return 0;
}

function encodedLen(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x800) return 2;
  if (u < 0x10000) return 3;
  if (u < 0x200000) return 4;
  if (u < 0x4000000) return 5;
  return 6;
}

function unicharValid(u: number): boolean {
  if (u >= 0x110000) return false;
  if ((u & 0xfffff800) === 0xd800) return false;
  if (u >= 0xfdd0 && u <= 0xfdef) return false;
  if ((u & 0xfffe) === 0xfffe) return false;
  return true;
}

/**
 * utf8_is_printable_newline(b, allowNewline): valid UTF-8 (systemd's notion: no overlong forms, no
 * surrogates or non-characters) without C0 controls (TAB always allowed, LF only if allowNewline),
 * DEL or C1 controls.
 */
export function isPrintableUtf8(b: Uint8Array, allowNewline: boolean, start = 0, end = b.length): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c < 0x20 ? !(c === 9 || (c === 10 && allowNewline)) : c === 0x7f) return false;
      i++;
      continue;
    }
    const len = expectedLen(c);
    if (len === 0 || len > end - i) return false;
    let u: number;
    switch (len) {
      case 2:
        u = c & 0x1f;
        break;
      case 3:
        u = c & 0x0f;
        break;
      case 4:
        u = c & 0x07;
        break;
      case 5:
        u = c & 0x03;
        break;
      default:
        u = c & 0x01;
    }
    for (let k = 1; k < len; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return false;
      u = u * 64 + (d & 0x3f);
    }
    if (encodedLen(u) !== len || !unicharValid(u)) return false;
    if (u >= 0x7f && u <= 0x9f) return false;
    i += len;
  }
  return true;
}

/** Decodes UTF-8 already known to be valid (isPrintableUtf8). Environment-neutral (no TextDecoder). */
export function decodeUtf8(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let chunk: number[] = [];
  for (let i = start; i < end; ) {
    const c = b[i]!;
    let u: number;
    if (c < 0x80) {
      u = c;
      i++;
    } else if (c < 0xe0) {
      u = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      u = ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
      i += 3;
    } else {
      u = ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
      i += 4;
    }
    if (u >= 0x10000) {
      u -= 0x10000;
      chunk.push(0xd800 + (u >> 10), 0xdc00 + (u & 0x3ff));
    } else chunk.push(u);
    if (chunk.length >= 4096) {
      s += String.fromCharCode(...chunk);
      chunk = [];
    }
  }
  return s + String.fromCharCode(...chunk);
}

/** journal_field_valid(name, allow_protected=true): 1–64 chars of [A-Z0-9_], not starting with a digit. */
export function fieldNameValid(b: Uint8Array, start: number, end: number): boolean {
  const l = end - start;
  if (l <= 0 || l > 64) return false;
  const c0 = b[start]!;
  if (c0 >= 0x30 && c0 <= 0x39) return false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

const BOOT_ID_PREFIX = [0x5f, 0x42, 0x4f, 0x4f, 0x54, 0x5f, 0x49, 0x44, 0x3d]; // "_BOOT_ID="
function isBootIdItem(p: Uint8Array): boolean {
  if (p.length < BOOT_ID_PREFIX.length) return false;
  for (let i = 0; i < BOOT_ID_PREFIX.length; i++) if (p[i] !== BOOT_ID_PREFIX[i]) return false;
  return true;
}

// ------------------------------------------------------------------ byte output

/** Growable byte buffer; `take()` hands out what was written and starts over. */
export class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private n = 0;
  get length(): number {
    return this.n;
  }
  private ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.n + k) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.n));
    this.buf = nb;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  /** ASCII / Latin-1 text (one byte per char). */
  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i) & 0xff;
  }
  /** A JS string as UTF-8 (lone surrogates cannot occur here: strings come from valid UTF-8). */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[n++] = c;
      } else if (c < 0x800) {
        b[n++] = 0xc0 | (c >> 6);
        b[n++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[n++] = 0xf0 | (c >> 18);
        b[n++] = 0x80 | ((c >> 12) & 0x3f);
        b[n++] = 0x80 | ((c >> 6) & 0x3f);
        b[n++] = 0x80 | (c & 0x3f);
      } else {
        b[n++] = 0xe0 | (c >> 12);
        b[n++] = 0x80 | ((c >> 6) & 0x3f);
        b[n++] = 0x80 | (c & 0x3f);
      }
    }
    this.n = n;
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.n++] = c;
  }
  le64(v: number): void {
    this.ensure(8);
    let x = v;
    for (let i = 0; i < 8; i++) {
      this.buf[this.n++] = x % 256;
      x = Math.floor(x / 256);
    }
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.n);
    this.n = 0;
    return out;
  }
}

// ------------------------------------------------------------------ one entry

async function payloadsFor(reader: JournalReader, entry: EntryMeta): Promise<Uint8Array[]> {
  let r;
  try {
    r = reader.entryPayloads(entry);
    if (r instanceof Promise) r = await r;
  } catch (e) {
    if (e instanceof JournalError) {
      throw new ExportAbort(reader.file.name, e.offset, e.message, `Failed to get journal fields: ${STRERROR[e.errno]}`, e);
    }
    throw e;
  }
  return r.map((x) => x.payload);
}

/**
 * Appends one entry in export format to `out`. Throws ExportAbort where journalctl gives up (after
 * having appended what journalctl would have written).
 */
export async function exportEntry(reader: JournalReader, entry: EntryMeta, out: ByteSink, version: JournalctlVersion = DEFAULT_VERSION): Promise<void> {
  const f = reader.file;
  const payloads = await payloadsFor(reader, entry);
  out.ascii(`__CURSOR=${cursorOf(f, entry)}\n__REALTIME_TIMESTAMP=${entry.realtime}\n__MONOTONIC_TIMESTAMP=${entry.monotonic}\n`);
  if (version >= 254) out.ascii(`__SEQNUM=${entry.seqnum}\n__SEQNUM_ID=${id128Hex(f.header.seqnumId)}\n`);
  out.ascii(`_BOOT_ID=${id128Hex(entry.bootId)}\n`);
  for (const p of payloads) {
    if (isBootIdItem(p)) continue;
    const eq = p.indexOf(0x3d);
    if (eq < 0 || !fieldNameValid(p, 0, eq)) {
      throw new ExportAbort(f.name, entry.offset, `entry at ${entry.offset}: invalid field ${JSON.stringify(latin1(p, 0, Math.min(eq < 0 ? p.length : eq, 64)))}`, 'Invalid field.');
    }
    if (isPrintableUtf8(p, false)) {
      out.bytes(p);
    } else {
      out.bytes(p.subarray(0, eq));
      out.byte(0x0a);
      out.le64(p.length - eq - 1);
      out.bytes(p.subarray(eq + 1));
    }
    out.byte(0x0a);
  }
  out.byte(0x0a);
}

export type JsonValue = string | number[] | null | Array<string | number[] | null>;
export type JsonEntry = Record<string, JsonValue>;

/** One entry as journalctl's `-o json` object (keys in insertion order; journalctl's order is a hash order). */
export async function jsonEntry(reader: JournalReader, entry: EntryMeta, version: JournalctlVersion = DEFAULT_VERSION): Promise<JsonEntry> {
  const f = reader.file;
  const payloads = await payloadsFor(reader, entry);
  const values = new Map<string, Array<string | number[] | null>>();
  const addText = (name: string, text: string) => {
    const v = name.length + 1 + text.length >= JSON_THRESHOLD ? null : text;
    const a = values.get(name);
    if (a) a.push(v);
    else values.set(name, [v]);
  };
  addText('__CURSOR', cursorOf(f, entry));
  addText('__REALTIME_TIMESTAMP', entry.realtime.toString());
  addText('__MONOTONIC_TIMESTAMP', entry.monotonic.toString());
  addText('_BOOT_ID', id128Hex(entry.bootId));
  if (version >= 254) {
    addText('__SEQNUM', entry.seqnum.toString());
    addText('__SEQNUM_ID', id128Hex(f.header.seqnumId));
  }
  for (const p of payloads) {
    if (isBootIdItem(p)) continue;
    const eq = p.subarray(0, Math.min(p.length, JSON_THRESHOLD)).indexOf(0x3d);
    if (eq < 0) continue;
    if (!fieldNameValid(p, 0, eq)) {
      throw new ExportAbort(f.name, entry.offset, `entry at ${entry.offset}: invalid field ${JSON.stringify(latin1(p, 0, Math.min(eq, 64)))}`, 'Invalid field.');
    }
    const name = latin1(p, 0, eq);
    let v: string | number[] | null;
    if (p.length >= JSON_THRESHOLD) v = null;
    else if (isPrintableUtf8(p, true, eq + 1)) v = decodeUtf8(p, eq + 1);
    else v = Array.from(p.subarray(eq + 1));
    const a = values.get(name);
    if (a) a.push(v);
    else values.set(name, [v]);
  }
  const obj: JsonEntry = {};
  for (const [k, a] of values) obj[k] = a.length === 1 ? a[0]! : a;
  return obj;
}

// ------------------------------------------------------------------ whole runs

export interface ExportOptions {
  format?: 'export' | 'json';
  version?: JournalctlVersion;
  /** Flush to the caller once this many bytes are buffered (default 1 MiB). */
  chunkSize?: number;
  /**
   * What to do when an entry makes journalctl give up. Default (undefined): stop and throw, as
   * journalctl does. Given: it is called with the error, the failing file is left out and the others go on.
   */
  onAbort?: (e: ExportAbort) => void;
}

/**
 * Export the entries of `readers`, interleaved as journalctl does, as chunks of output bytes. When an
 * entry makes journalctl give up, the bytes journalctl would have written are yielded and then the
 * ExportAbort is thrown.
 */
export async function* exportReaders(readers: readonly JournalReader[], opts: ExportOptions = {}): AsyncGenerator<Uint8Array, void, void> {
  const format = opts.format ?? 'export';
  const version = opts.version ?? DEFAULT_VERSION;
  const chunk = opts.chunkSize ?? 1 << 20;
  const out = new ByteSink();
  const dropped = new Set<JournalReader>();
  for (const { reader, entry } of mergeEntries(readers, dropped)) {
    try {
      if (format === 'export') {
        await exportEntry(reader, entry, out, version);
      } else {
        const o = await jsonEntry(reader, entry, version);
        out.utf8(JSON.stringify(o));
        out.byte(0x0a);
      }
    } catch (e) {
      if (out.length) yield out.take();
      if (!(e instanceof ExportAbort) || !opts.onAbort) throw e;
      opts.onAbort(e);
      dropped.add(reader);
      continue;
    }
    if (out.length >= chunk) yield out.take();
  }
  if (out.length) yield out.take();
}

/** Convenience: export whole files given as bytes (opened with systemd's checks). */
export async function exportBytes(
  files: ReadonlyArray<{ bytes: Uint8Array; name: string }>,
  opts: ExportOptions = {},
): Promise<Uint8Array> {
  const readers = files.map((x) => new JournalReader(JournalFile.open(x.bytes, x.name)));
  return collectChunks(exportReaders(readers, opts));
}

/** The chunks of a streamed export, joined into one buffer. */
export async function collectChunks(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of chunks) {
    parts.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let p = 0;
  for (const c of parts) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
