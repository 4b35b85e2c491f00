/**
 * journalctl's text: `format_timestamp()` and `format_timespan()` of systemd's time-util.c, and the
 * `%06x` offsets of journal-verify.c. Environment-neutral: the local time zone is whatever the caller
 * says (the CLI honours TZ like glibc; the page uses the browser's zone).
 */

/** Broken-down local time as glibc's localtime_r gives it (tm_wday 0 = Sunday, tm_zone abbreviation). */
export interface LocalTime {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  /** tm_zone, e.g. "UTC", "CET"; empty when unknown (then systemd prints no zone). */
  zone: string;
}

/** Converts whole seconds since the epoch to local time. */
export type LocalTimeFn = (seconds: number) => LocalTime;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const USEC_INFINITY = (1n << 64n) - 1n;
/** USEC_TIMESTAMP_FORMATTABLE_MAX (64-bit time_t): Thu 9999-12-30 23:59:59 UTC. */
const FORMATTABLE_MAX = 253402214399000000n;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Broken-down time of `seconds` at UTC offset `utoff` (seconds east), labelled `zone`. */
export function brokenDownTime(seconds: number, utoff: number, zone: string): LocalTime {
  const d = new Date((seconds + utoff) * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    zone,
  };
}

/** UTC broken-down time (what TZ=UTC gives). */
export const utcTime: LocalTimeFn = (seconds) => brokenDownTime(seconds, 0, 'UTC');

/**
 * Local time in an IANA zone through Intl (available in browsers and Node alike). The abbreviation is
 * Intl's short zone name, which for most zones equals tm_zone ("CET", "EST"); where Intl only knows an
 * offset ("GMT+3") the numeric form is used as glibc does for such zones ("+03").
 */
export function intlTime(timeZone: string): LocalTimeFn {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    timeZoneName: 'short',
  });
  return (seconds) => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(new Date(seconds * 1000))) parts[p.type] = p.value;
    let zone = parts.timeZoneName ?? '';
    const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(zone);
    if (m) zone = `${m[1]}${m[2]!.padStart(2, '0')}${m[3] ?? ''}`;
    else if (zone === 'GMT' && timeZone.toUpperCase() === 'UTC') zone = 'UTC';
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour) % 24,
      minute: Number(parts.minute),
      second: Number(parts.second),
      weekday: WEEKDAYS.indexOf(parts.weekday ?? 'Sun'),
      zone,
    };
  };
}

/**
 * format_timestamp(): "Mon 2026-11-23 05:14:31 UTC". Returns null where systemd returns NULL (0 or
 * infinity); glibc prints that as "(null)", which is what `formatTimestampOrNull` gives.
 */
export function formatTimestamp(usec: bigint, local: LocalTimeFn): string | null {
  if (usec <= 0n || usec >= USEC_INFINITY) return null;
  if (usec > FORMATTABLE_MAX) return '--- XXXX-XX-XX XX:XX:XX';
  const t = local(Number(usec / 1000000n));
  const s =
    `${WEEKDAYS[t.weekday]} ${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)} ` +
    `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
  return t.zone ? `${s} ${t.zone}` : s;
}

/** What printf("%s", format_timestamp(…)) prints in glibc. */
export const formatTimestampOrNull = (usec: bigint, local: LocalTimeFn): string =>
  formatTimestamp(usec, local) ?? '(null)';

const SPAN_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['y', 31557600000000n],
  ['month', 2629800000000n],
  ['w', 604800000000n],
  ['d', 86400000000n],
  ['h', 3600000000n],
  ['min', 60000000n],
  ['s', 1000000n],
  ['ms', 1000n],
  ['us', 1n],
];

/** format_timespan(t, accuracy = 0) as journalctl's summary line uses it. */
export function formatTimespan(usec: bigint): string {
  if (usec === USEC_INFINITY) return 'infinity';
  if (usec <= 0n) return '0';
  let t = usec;
  const out: string[] = [];
  for (const [suffix, unit] of SPAN_UNITS) {
    if (t <= 0n) break;
    if (t < unit) continue;
    const a = t / unit;
    const b = t % unit;
    if (t < 60000000n && b > 0n) {
      let digits = 0;
      for (let cc = unit; cc > 1n; cc /= 10n) digits++;
      if (digits > 0) {
        out.push(`${a}.${String(b).padStart(digits, '0')}${suffix}`);
        t = 0n;
        break;
      }
    }
    out.push(`${a}${suffix}`);
    t = b;
  }
  return out.join(' ');
}

/** `%06x`: at least six lowercase hex digits. */
export const hex6 = (n: number | bigint): string => n.toString(16).padStart(6, '0');
/** `%08llx`. */
export const hex8 = (n: bigint): string => n.toString(16).padStart(8, '0');
