// format_timestamp / format_timespan exactly as systemd's time-util.c prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processLocalTime } from '../cli/tz.js';
import { formatTimespan, formatTimestamp, formatTimestampOrNull, hex6, intlTime, utcTime } from '../src/verify/text.js';

test('format_timespan', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0'],
    [1n, '1us'],
    [999n, '999us'],
    [1000n, '1ms'],
    [1500n, '1.500ms'],
    [800000n, '800ms'],
    [6000000n, '6s'],
    [1500000n, '1.500000s'],
    [5686313n, '5.686313s'],
    [59999999n, '59.999999s'],
    [60000000n, '1min'],
    [62345678n, '1min 2.345678s'],
    [3600000000n, '1h'],
    [3723000000n, '1h 2min 3s'],
    [86400000000n + 1n, '1d 1us'],
    [31557600000000n, '1y'],
    [2629800000000n * 2n, '2month'],
    [604800000000n, '1w'],
    [(1n << 64n) - 1n, 'infinity'],
  ];
  for (const [usec, text] of cases) assert.equal(formatTimespan(usec), text, `${usec}`);
});

test('format_timestamp', () => {
  assert.equal(formatTimestamp(1795411351000000n, utcTime), 'Mon 2026-11-23 05:22:31 UTC');
  assert.equal(formatTimestamp(1795411351999999n, utcTime), 'Mon 2026-11-23 05:22:31 UTC');
  assert.equal(formatTimestamp(0n, utcTime), null);
  assert.equal(formatTimestampOrNull(0n, utcTime), '(null)');
  assert.equal(formatTimestampOrNull((1n << 64n) - 1n, utcTime), '(null)');
  assert.equal(formatTimestamp(253402214399000001n, utcTime), '--- XXXX-XX-XX XX:XX:XX');
  assert.equal(formatTimestamp(253402214399000000n, utcTime), 'Thu 9999-12-30 23:59:59 UTC');
  assert.equal(formatTimestamp(1795411351000000n, intlTime('UTC')), 'Mon 2026-11-23 05:22:31 UTC');
  assert.equal(formatTimestamp(1795411351000000n, intlTime('America/New_York')), 'Mon 2026-11-23 00:22:31 EST');
});

test('%06x offsets', () => {
  assert.equal(hex6(0x11), '000011');
  assert.equal(hex6(0x38fa60), '38fa60');
  assert.equal(hex6(0x1234567), '1234567');
});

test('CLI local time honours TZ with glibc zone abbreviations', () => {
  const saved = process.env.TZ;
  try {
    const at = (tz: string, usec: bigint) => {
      process.env.TZ = tz;
      return formatTimestamp(usec, processLocalTime());
    };
    assert.equal(at('UTC', 1795411351000000n), 'Mon 2026-11-23 05:22:31 UTC');
    assert.equal(at('Europe/Berlin', 1795411351000000n), 'Mon 2026-11-23 06:22:31 CET');
    assert.equal(at(':Europe/Berlin', 1783000000000000n), 'Thu 2026-07-02 15:46:40 CEST');
    assert.equal(at('Asia/Tokyo', 1795411351000000n), 'Mon 2026-11-23 14:22:31 JST');
    assert.equal(at('America/New_York', 1795411351000000n), 'Mon 2026-11-23 00:22:31 EST');
    assert.equal(at('Asia/Kolkata', 1795411351000000n), 'Mon 2026-11-23 10:52:31 IST');
    // far beyond the TZif transition table: the footer rule
    assert.equal(at('Europe/Berlin', 4102444800000000n + 180n * 86400000000n), 'Wed 2100-06-30 02:00:00 CEST');
    assert.equal(processLocalTime(true)(0).zone, 'UTC');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});
