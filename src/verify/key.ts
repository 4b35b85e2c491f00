// Verification key parsing with journalctl's exact rules (systemd 252
// journal_file_parse_verification_key(); verify-and-fss.md §3.2):
//   1. 12 seed bytes: before each byte any number of '-', then exactly two hex digits (either case);
//   2. then '/';
//   3. then sscanf(k, "%" SCNx64 "-%" SCNx64): two hex numbers separated by one '-'; trailing text
//      is ignored;
//   4. start_usec = START * INTERVAL with unsigned 64-bit wrap (v252 does not check), interval_usec
//      = INTERVAL.
// Also accepted: the `fss://KEY?machine=<32 hex>;hostname=<name>` URL that `--setup-keys` shows as a
// QR code (journalctl itself would reject it: 's' is not hex). The query is split off first.

export const SEED_SIZE = 12;
const U64_MASK = (1n << 64n) - 1n;

export interface VerificationKey {
  seed: Uint8Array;
  /** START, the epoch number of the key's time origin (not used by FSPRG itself). */
  startEpoch: bigint;
  intervalUsec: bigint;
  /** START × INTERVAL mod 2^64, as C computes it. */
  startUsec: bigint;
  machineId?: string;
  hostname?: string;
}

/** A malformed key: `message` says why, `position` is the index in the given text where parsing stopped. */
export class KeyError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'KeyError';
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** C isspace() in the C locale. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function describe(text: string, i: number): string {
  return i >= text.length ? 'end of key' : `'${text[i]}'`;
}

/**
 * One `%llx` conversion as glibc 2.36 performs it (checked against a C program on Debian 12):
 * skip isspace(); optional '+' or '-'; optional "0x"/"0X" — which alone already counts as the
 * number 0 ("0x-5" gives 0 and 5; "0xg" gives 0 and stops at 'g'); then hex digits up to the first
 * non-hex character. A value beyond 64 bits saturates to 2^64−1 like strtoull (also with '-');
 * otherwise '-' negates modulo 2^64. Returns null (a matching failure) when no digits are found.
 */
export function scanHex64(text: string, start: number): { value: bigint; end: number } | null {
  let i = start;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let digits = 0;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    digits = 1;                     // "0x" alone matches as 0
  }
  let value = 0n;
  let overflow = false;
  for (; i < text.length; i++) {
    const v = hexValue(text.charCodeAt(i));
    if (v < 0) break;
    // Once past 64 bits the value is saturated anyway: stop growing the BigInt (a 1 MB digit run
    // would otherwise cost quadratic time).
    if (!overflow) {
      value = (value << 4n) | BigInt(v);
      if (value > U64_MASK) overflow = true;
    }
    digits++;
  }
  if (digits === 0) return null;
  if (overflow) value = U64_MASK;
  else if (negative) value = (-value) & U64_MASK;
  return { value, end: i };
}

export function parseVerificationKey(text: string): VerificationKey {
  let machineId: string | undefined;
  let hostname: string | undefined;
  let base = 0;
  let key = text;
  if (/^fss:\/\//i.test(text)) {
    base = 'fss://'.length;
    const q = text.indexOf('?', base);
    key = q < 0 ? text : text.slice(0, q);
    if (q >= 0) {
      for (const param of text.slice(q + 1).split(/[;&]/)) {
        const eq = param.indexOf('=');
        const name = eq < 0 ? param : param.slice(0, eq);
        const value = eq < 0 ? '' : param.slice(eq + 1);
        if (name === 'machine') machineId = value;
        else if (name === 'hostname') hostname = value;
      }
    }
  }

  const seed = new Uint8Array(SEED_SIZE);
  let i = base;
  for (let b = 0; b < SEED_SIZE; b++) {
    while (key[i] === '-') i++;
    const hi = hexValue(key.charCodeAt(i));
    const lo = hi < 0 ? -1 : hexValue(key.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      if (at >= key.length || key[at] === '/') {
        throw new KeyError(`seed too short: expected ${SEED_SIZE} bytes (${2 * SEED_SIZE} hex digits), got ${b}${hi < 0 ? '' : ' bytes and one hex digit'}`, at);
      }
      throw new KeyError(`seed: expected a hex digit at position ${at}, found ${describe(key, at)}`, at);
    }
    seed[b] = hi * 16 + lo;
    i += 2;
  }
  if (key[i] !== '/') {
    if (hexValue(key.charCodeAt(i)) >= 0) {
      throw new KeyError(`seed too long: expected ${SEED_SIZE} bytes (${2 * SEED_SIZE} hex digits) followed by '/'`, i);
    }
    throw new KeyError(`expected '/' after the ${SEED_SIZE}-byte seed at position ${i}, found ${describe(key, i)}`, i);
  }
  i++;

  const first = scanHex64(key, i);
  if (!first) throw new KeyError(`expected START (hex) after '/' at position ${i}, found ${describe(key, i)}`, i);
  i = first.end;
  if (key[i] !== '-') {
    throw new KeyError(`expected '-' between START and INTERVAL at position ${i}, found ${describe(key, i)}`, i);
  }
  i++;
  const second = scanHex64(key, i);
  if (!second) throw new KeyError(`expected INTERVAL (hex) after '-' at position ${i}, found ${describe(key, i)}`, i);

  const startEpoch = first.value;
  const intervalUsec = second.value;
  const result: VerificationKey = {
    seed,
    startEpoch,
    intervalUsec,
    startUsec: (startEpoch * intervalUsec) & U64_MASK,
  };
  if (machineId !== undefined) result.machineId = machineId;
  if (hostname !== undefined) result.hostname = hostname;
  return result;
}
