/**
 * localtime_r() for the CLI, the way glibc does it: the zone comes from TZ (or /etc/localtime), the
 * zone abbreviation (tm_zone) from the TZif file — Intl only knows abbreviations for a few locales
 * ("GMT+1" where glibc says "CET"). UTC offsets come from the TZif transitions, and beyond them from
 * Intl (the same tz database), with the footer's POSIX rule naming standard and daylight time.
 */
import { readFileSync } from 'node:fs';
import { brokenDownTime, intlTime, utcTime, type LocalTimeFn } from '../src/verify/text.js';

interface TtInfo {
  utoff: number;
  isdst: boolean;
  abbr: string;
}

interface TzData {
  transitions: number[];
  idx: number[];
  types: TtInfo[];
  footer?: { std: string; stdOff: number; dst?: string; dstOff?: number };
}

function parseTzif(b: Uint8Array): TzData | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!);
  if (magic !== 'TZif') return null;
  const version = b[4]!;
  const counts = (at: number) => ({
    isutc: dv.getUint32(at + 20),
    isstd: dv.getUint32(at + 24),
    leap: dv.getUint32(at + 28),
    time: dv.getUint32(at + 32),
    type: dv.getUint32(at + 36),
    char: dv.getUint32(at + 40),
  });
  let at = 0;
  let c = counts(0);
  let timeSize = 4;
  if (version >= 0x32) {
    // skip the v1 block, use the 64-bit one
    at = 44 + c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isutc;
    c = counts(at);
    timeSize = 8;
  }
  let p = at + 44;
  const transitions: number[] = [];
  for (let i = 0; i < c.time; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(dv.getBigInt64(p)) : dv.getInt32(p));
  }
  const idx: number[] = [];
  for (let i = 0; i < c.time; i++) idx.push(b[p++]!);
  const raw: Array<{ utoff: number; isdst: boolean; ai: number }> = [];
  for (let i = 0; i < c.type; i++, p += 6) raw.push({ utoff: dv.getInt32(p), isdst: b[p + 4] !== 0, ai: b[p + 5]! });
  const chars = b.subarray(p, p + c.char);
  p += c.char + c.leap * (timeSize + 4) + c.isstd + c.isutc;
  const abbrAt = (i: number) => {
    let e = i;
    while (e < chars.length && chars[e] !== 0) e++;
    return String.fromCharCode(...chars.subarray(i, e));
  };
  const types = raw.map((r) => ({ utoff: r.utoff, isdst: r.isdst, abbr: abbrAt(r.ai) }));
  let footer: TzData['footer'];
  if (timeSize === 8 && b[p] === 0x0a) {
    const end = b.indexOf(0x0a, p + 1);
    if (end > p) footer = parsePosixTz(String.fromCharCode(...b.subarray(p + 1, end))) ?? undefined;
  }
  return { transitions, idx, types, footer };
}

/** The names and offsets of a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"); rules are not needed. */
function parsePosixTz(s: string): TzData['footer'] | null {
  let i = 0;
  const name = (): string | null => {
    if (s[i] === '<') {
      const e = s.indexOf('>', i);
      if (e < 0) return null;
      const n = s.slice(i + 1, e);
      i = e + 1;
      return n;
    }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  const offset = (): number | null => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    const v = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? v : -v; // POSIX offsets are west-positive
  };
  const std = name();
  if (std === null) return null;
  const stdOff = offset();
  if (stdOff === null) return null;
  if (i >= s.length || s[i] === ',') return { std, stdOff };
  const dst = name();
  if (dst === null) return { std, stdOff };
  let dstOff = stdOff + 3600;
  if (i < s.length && s[i] !== ',') dstOff = offset() ?? dstOff;
  return { std, stdOff, dst, dstOff };
}


/** Offset (seconds east of UTC) of an IANA zone at an instant, from Intl. */
function intlOffset(zone: string): (seconds: number) => number {
  const local = intlTime(zone);
  return (seconds) => {
    const t = local(seconds);
    const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000;
    return Math.round(asUtc - seconds);
  };
}

/** `zoneName`: the IANA name, asked only for instants beyond the file's table (Intl's data costs ~30 ms to load). */
function fromTzif(tz: TzData, zoneName: () => string | undefined): LocalTimeFn {
  const firstStd = tz.types.find((t) => !t.isdst) ?? tz.types[0] ?? { utoff: 0, isdst: false, abbr: 'UTC' };
  let intl: ((seconds: number) => number) | null | undefined;
  const offsetAt = (seconds: number): number | null => {
    if (intl === undefined) {
      const z = zoneName();
      intl = z ? intlOffset(z) : null;
    }
    return intl ? intl(seconds) : null;
  };
  return (seconds) => {
    const tr = tz.transitions;
    if (tr.length === 0 || seconds < tr[0]!) {
      if (tr.length === 0 && tz.footer && !tz.footer.dst) return brokenDownTime(seconds, tz.footer.stdOff, tz.footer.std);
      if (tr.length > 0 || !tz.footer) return brokenDownTime(seconds, firstStd.utoff, firstStd.abbr);
    }
    if (tr.length > 0 && (seconds < tr[tr.length - 1]! || !tz.footer)) {
      let lo = 0;
      let hi = tr.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (tr[mid]! <= seconds) lo = mid;
        else hi = mid - 1;
      }
      const t = tz.types[tz.idx[lo]!] ?? firstStd;
      return brokenDownTime(seconds, t.utoff, t.abbr);
    }
    // Beyond the table: the footer rule. Which half of it applies, Intl tells (same tz database).
    const f = tz.footer!;
    const off = f.dst ? offsetAt(seconds) : null;
    if (!f.dst || off === null) return brokenDownTime(seconds, f.stdOff, f.std);
    return off === f.dstOff ? brokenDownTime(seconds, f.dstOff!, f.dst) : brokenDownTime(seconds, f.stdOff, f.std);
  };
}

/**
 * localtime_r under the process's TZ (like glibc), or UTC when `utc` (journalctl --utc). Resolved on
 * first use: most runs format no timestamp, and Intl's time-zone data costs ~50 ms to load.
 */
export function processLocalTime(utc = false): LocalTimeFn {
  if (utc) return utcTime;
  let resolved: LocalTimeFn | undefined;
  return (seconds) => (resolved ??= resolveLocalTime())(seconds);
}

function resolveLocalTime(): LocalTimeFn {
  let tz = process.env.TZ;
  let path = '/etc/localtime';
  let zoneName = (): string | undefined => Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz !== undefined) {
    if (tz.startsWith(':')) tz = tz.slice(1);
    if (tz === '') return utcTime;
    path = tz.startsWith('/') ? tz : `/usr/share/zoneinfo/${tz}`;
    const name = tz.startsWith('/') ? undefined : tz;
    zoneName = () => name;
  }
  try {
    const data = parseTzif(new Uint8Array(readFileSync(path)));
    if (data) return fromTzif(data, zoneName);
  } catch {
    // not a zone file: maybe a POSIX TZ string such as "EST5"
  }
  if (tz !== undefined) {
    const f = parsePosixTz(tz);
    if (f && !f.dst) return (s) => brokenDownTime(s, f.stdOff, f.std);
    const zone = f?.dst ? zoneName() : undefined;
    if (f && zone) {
      try {
        const offsetAt = intlOffset(zone);
        return (s) => (offsetAt(s) === f.dstOff ? brokenDownTime(s, f.dstOff!, f.dst!) : brokenDownTime(s, f.stdOff, f.std));
      } catch {
        return (s) => brokenDownTime(s, f.stdOff, f.std);
      }
    }
  }
  return utcTime; // glibc: an unknown zone is UTC
}
