/**
 * Parse and evaluate a search over a SearchIndex.
 *
 * Semantics follow journalctl: `FIELD=value` matches compare the whole value exactly; several values of
 * one field are OR'ed, different fields AND'ed (sd_journal_add_match). Free text is one phrase searched
 * in MESSAGE (or every field on request): case-insensitive substring, or a regular expression with
 * journalctl --grep's smart case (case-sensitive only when the pattern has an upper-case letter).
 * Entries are sets of bits over entry ids; the result list walks the merged order.
 */
import type { SearchIndex } from './index.js';
import type { SealStatusId } from './seal-status.js';

export interface Query {
  /** What the user typed: `FIELD=value` terms become matches, the rest is the full-text phrase. */
  text?: string;
  /** Treat the phrase as a regular expression. */
  regex?: boolean;
  /** Search every field's values, not only MESSAGE. */
  allFields?: boolean;
  /** Regex only: force case (default: smart case, as journalctl --grep). */
  caseSensitive?: boolean;
  /** Facet selections: FIELD → values (OR'ed within a field, fields AND'ed). */
  include?: Record<string, string[]>;
  /** Entries holding any of these FIELD=value pairs are left out. */
  exclude?: Record<string, string[]>;
  /** Realtime range [from, to) in µs since the epoch. */
  from?: number;
  to?: number;
  /** Keep only entries with these seal statuses (empty or absent: all). */
  seal?: SealStatusId[];
}

export interface ParsedText {
  /** The full-text phrase (words joined by single spaces), '' when none. */
  text: string;
  /** `FIELD=value` terms, in the order typed. */
  matches: Array<[field: string, value: string]>;
}

/** A journal field name as journalctl accepts it in a match (journal_field_valid, upper case). */
const FIELD_TERM = /^([A-Z_][A-Z0-9_]*)=([\s\S]*)$/;

/** Splits at whitespace outside double quotes; quotes group and are removed (`"a b"`, `F="a b"`). */
export function tokenize(s: string): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  let cur = '';
  let start = -1;
  let inQuote = false;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (i === s.length || (!inQuote && /\s/.test(c))) {
      if (start >= 0) out.push({ text: cur, start, end: i });
      cur = '';
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === '"') inQuote = !inQuote;
    else if (c === '\\' && inQuote && i + 1 < s.length) cur += s[++i];
    else cur += c;
  }
  return out;
}

/**
 * `FIELD=value` tokens become matches; the phrase is the rest of the text as typed (so a regular
 * expression keeps its spaces), unquoted when it is one quoted string.
 */
export function parseSearchText(s: string | undefined): ParsedText {
  const src = s ?? '';
  const matches: Array<[string, string]> = [];
  let rest = '';
  let last = 0;
  for (const tok of tokenize(src)) {
    const m = FIELD_TERM.exec(tok.text);
    if (!m) continue;
    matches.push([m[1], m[2]]);
    rest += src.slice(last, tok.start);
    last = tok.end;
  }
  // Typed as is when there are no terms (a regex's spaces count); trimmed where terms were cut out.
  rest = matches.length ? (rest + src.slice(last)).trim() : src;
  if (!rest.trim()) rest = '';
  if (/^"[^"]*"$/.test(rest)) rest = rest.slice(1, -1);
  return { text: rest, matches };
}

// ── bit sets over entry ids ────────────────────────────────────────────────────────────────────────
export type Bits = Uint32Array;
export const newBits = (n: number): Bits => new Uint32Array((n + 31) >>> 5);
export const hasBit = (b: Bits, i: number): boolean => (b[i >>> 5] & (1 << (i & 31))) !== 0;
export function allBits(n: number): Bits {
  const b = newBits(n);
  b.fill(0xffffffff);
  if (n & 31) b[b.length - 1] = (1 << (n & 31)) - 1;
  return b;
}
export function andInto(a: Bits, b: Bits): void {
  for (let i = 0; i < a.length; i++) a[i] &= b[i];
}
export function popcount(b: Bits): number {
  let c = 0;
  for (let i = 0; i < b.length; i++) {
    let x = b[i];
    if (x === 0) continue;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    c += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return c;
}
function setPostings(b: Bits, idx: SearchIndex, v: number): void {
  const post = idx.post;
  for (let k = idx.postStart[v], end = idx.postStart[v + 1]; k < end; k++) b[post[k] >>> 5] |= 1 << (post[k] & 31);
}
function clearPostings(b: Bits, idx: SearchIndex, v: number): void {
  const post = idx.post;
  for (let k = idx.postStart[v], end = idx.postStart[v + 1]; k < end; k++) b[post[k] >>> 5] &= ~(1 << (post[k] & 31));
}

// ── evaluation ──────────────────────────────────────────────────────────────────────────────────────
export interface Evaluation {
  /** Entries matching everything. */
  bits: Bits;
  count: number;
  /** Entries matching everything except the per-field include groups (facets count against this). */
  common: Bits;
  /** Include group of each field with a selection: entries holding one of its selected values. */
  groups: Map<number, Bits>;
  /** The compiled full-text matcher, for highlighting; undefined when there is no phrase. */
  matcher?: TextMatcher;
  /** Error in the regular expression, if any (then nothing matches). */
  error?: string;
}

export interface TextMatcher {
  regex: boolean;
  /** Returns [start, end) ranges of matches in s (for highlighting). */
  ranges(s: string): Array<[number, number]>;
}

/** Smart case, as journalctl --grep: case-sensitive when the pattern has an upper-case letter. */
export function smartCaseSensitive(pattern: string): boolean {
  return pattern !== pattern.toLowerCase();
}

export function compileRegex(pattern: string, caseSensitive?: boolean): RegExp {
  const flags = (caseSensitive ?? smartCaseSensitive(pattern)) ? '' : 'i';
  try {
    return new RegExp(pattern, flags + 'u');
  } catch {
    return new RegExp(pattern, flags);
  }
}

function makeMatcher(text: string, regex: boolean, caseSensitive?: boolean): TextMatcher {
  if (regex) {
    const re = compileRegex(text, caseSensitive);
    const g = new RegExp(re.source, re.flags + 'g');
    return {
      regex: true,
      ranges(s) {
        const out: Array<[number, number]> = [];
        g.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = g.exec(s)) && out.length < 100) {
          if (m[0].length === 0) {
            g.lastIndex++;
            continue;
          }
          out.push([m.index, m.index + m[0].length]);
        }
        return out;
      },
    };
  }
  const q = text.toLowerCase();
  return {
    regex: false,
    ranges(s) {
      const out: Array<[number, number]> = [];
      const l = s.toLowerCase();
      if (l.length !== s.length || !q) return out; // case mapping changed lengths: no reliable offsets
      for (let p = l.indexOf(q); p >= 0 && out.length < 100; p = l.indexOf(q, p + q.length)) out.push([p, p + q.length]);
      return out;
    },
  };
}

/** Value ids whose text matches the phrase (restricted to MESSAGE unless allFields). */
export function matchValues(idx: SearchIndex, text: string, opts: { regex?: boolean; allFields?: boolean; caseSensitive?: boolean }): Uint8Array {
  const hit = new Uint8Array(idx.nValues);
  const onlyField = opts.allFields ? -1 : idx.messageField;
  const vField = idx.valueField;
  if (opts.regex) {
    const re = compileRegex(text, opts.caseSensitive);
    const test = (v: number) => {
      if (re.test(idx.valueText[v])) hit[v] = 1;
    };
    if (onlyField >= 0) for (const v of idx.valuesOf(onlyField)) test(v);
    else for (let v = 0; v < idx.nValues; v++) test(v);
    return hit;
  }
  const q = text.toLowerCase().replace(/\0/g, '');
  if (!q) return hit.fill(1);
  const blob = idx.blob;
  const starts = idx.blobStart;
  let p = blob.indexOf(q);
  while (p >= 0) {
    // The value holding position p: last v with starts[v] <= p.
    let lo = 0;
    let hi = idx.nValues - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= p) lo = mid;
      else hi = mid - 1;
    }
    if (onlyField < 0 || vField[lo] === onlyField) hit[lo] = 1;
    p = blob.indexOf(q, starts[lo + 1]);
  }
  return hit;
}

export function evaluate(idx: SearchIndex, q: Query): Evaluation {
  idx.finalize();
  const n = idx.n;
  const common = allBits(n);
  const parsed = parseSearchText(q.text);
  let error: string | undefined;
  let matcher: TextMatcher | undefined;

  // Entries journalctl would not show (duplicates across files) are out of every result.
  andInto(common, idx.live);

  if (q.from !== undefined || q.to !== undefined) {
    const from = q.from ?? -Infinity;
    const to = q.to ?? Infinity;
    const rt = idx.realtime;
    for (let e = 0; e < n; e++) if (!(rt[e] >= from && rt[e] < to)) common[e >>> 5] &= ~(1 << (e & 31));
  }
  if (q.seal && q.seal.length) {
    const allowed = new Uint8Array(8);
    for (const s of q.seal) allowed[s] = 1;
    const seal = idx.seal;
    for (let e = 0; e < n; e++) if (!allowed[seal[e]]) common[e >>> 5] &= ~(1 << (e & 31));
  }
  if (parsed.text) {
    try {
      matcher = makeMatcher(parsed.text, !!q.regex, q.caseSensitive);
      const hit = matchValues(idx, parsed.text, q);
      const t = newBits(n);
      for (let v = 0; v < hit.length; v++) if (hit[v]) setPostings(t, idx, v);
      andInto(common, t);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      common.fill(0);
    }
  }
  for (const [field, values] of Object.entries(q.exclude ?? {})) {
    for (const value of values) {
      const v = idx.findValue(field, value);
      if (v >= 0) clearPostings(common, idx, v);
    }
  }

  // Include groups: typed FIELD=value terms and facet selections, OR'ed per field.
  const want = new Map<string, Set<string>>();
  const add = (f: string, v: string) => {
    let s = want.get(f);
    if (!s) want.set(f, (s = new Set()));
    s.add(v);
  };
  for (const [f, v] of parsed.matches) add(f, v);
  for (const [f, vs] of Object.entries(q.include ?? {})) for (const v of vs) add(f, v);
  const groups = new Map<number, Bits>();
  const bits = common.slice();
  for (const [field, values] of want) {
    const g = newBits(n);
    for (const value of values) {
      const v = idx.findValue(field, value);
      if (v >= 0) setPostings(g, idx, v);
    }
    // A field no entry has still constrains (to nothing), as journalctl's match does.
    groups.set(idx.findField(field) >= 0 ? idx.findField(field) : -1 - groups.size, g);
    andInto(bits, g);
  }
  return { bits, count: popcount(bits), common, groups, matcher, error };
}

/** Entries of `bits` as ids in display order: journalctl's order, or its reverse when newest first. */
export function resultIds(idx: SearchIndex, bits: Bits, count: number, newestFirst: boolean): Uint32Array {
  const order = idx.order;
  const out = new Uint32Array(count);
  let k = 0;
  if (newestFirst) {
    for (let i = order.length - 1; i >= 0; i--) {
      const e = order[i];
      if (bits[e >>> 5] & (1 << (e & 31))) out[k++] = e;
    }
  } else {
    for (let i = 0; i < order.length; i++) {
      const e = order[i];
      if (bits[e >>> 5] & (1 << (e & 31))) out[k++] = e;
    }
  }
  return k === count ? out : out.subarray(0, k);
}

/** Bits of the entries matching everything but field `field`'s own include group (for its facet counts). */
export function bitsWithoutField(ev: Evaluation, field: number): Bits {
  if (!ev.groups.has(field)) return ev.bits;
  const b = ev.common.slice();
  for (const [f, g] of ev.groups) if (f !== field) andInto(b, g);
  return b;
}
