// hmacSha256Many (4-lane SIMD multi-buffer HMAC-SHA256) against Node's crypto, fixed-seed PRNG:
// uneven lengths across lanes, empty messages and parts, long keys, messages larger than a lane
// buffer (64 KiB) and job counts that leave 1, 2 or 3 lanes for the tail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadNodeKernel } from '../cli/kernel-node.js';
import type { HmacJob } from '../src/kernel/kernel.js';
import { prng, randomBytes } from './helpers/random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A message cut like a tag segment: 16-byte headers, 8-byte hashes, 100-300 byte payloads, and
 *  now and then an empty part or a big one; parts are subarrays of one "file". */
function segment(rnd: () => number, file: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let left = size;
  while (left > 0) {
    const x = rnd();
    let n = x < 0.3 ? 16 : x < 0.5 ? 8 : x < 0.95 ? 100 + Math.floor(rnd() * 200) : x < 0.97 ? 0 : Math.floor(rnd() * 70000);
    n = Math.min(n, left);
    const off = Math.floor(rnd() * (file.length - n));
    parts.push(file.subarray(off, off + n));
    left -= n;
  }
  return parts;
}

function check(jobs: HmacJob[], got: Uint8Array[]): void {
  assert.equal(got.length, jobs.length);
  jobs.forEach((j, i) => {
    const h = createHmac('sha256', j.key);
    for (const p of j.parts) h.update(p);
    assert.equal(hex(got[i]!), h.digest('hex'), `job ${i} of ${jobs.length}`);
  });
}

test('hmacSha256Many: random segments of random sizes equal node crypto', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(8);
  const file = randomBytes(rnd, 1 << 18);
  for (const count of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 40]) {
    const jobs: HmacJob[] = [];
    for (let i = 0; i < count; i++) {
      const r = rnd();
      const size = r < 0.1 ? Math.floor(rnd() * 130) : r < 0.8 ? Math.floor(rnd() * 30000) : Math.floor(rnd() * 200000);
      jobs.push({ key: randomBytes(rnd, rnd() < 0.9 ? 32 : Math.floor(rnd() * 150)), parts: segment(rnd, file, size) });
    }
    check(jobs, k.hmacSha256Many(jobs));
  }
});

test('hmacSha256Many: every length 0..200 in every lane position, block-boundary sizes', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(9);
  const file = randomBytes(rnd, 1 << 16);
  const key = randomBytes(rnd, 32);
  const jobs: HmacJob[] = [];
  for (let n = 0; n <= 200; n++) jobs.push({ key, parts: [file.subarray(n, 2 * n)] });
  for (const n of [55, 56, 63, 64, 65, 119, 120, 127, 128, 65535, 65536, 65537, 131072]) {
    jobs.push({ key, parts: [file.subarray(0, Math.min(n, file.length)), file.subarray(0, n > file.length ? n - file.length : 0)] });
  }
  check(jobs, k.hmacSha256Many(jobs));
  check(jobs.slice().reverse(), k.hmacSha256Many(jobs.slice().reverse()));
});

test('hmacSha256Many: interleaves with streaming HMACs and one-shots without disturbing them', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(10);
  const file = randomBytes(rnd, 1 << 17);
  const key = randomBytes(rnd, 32);
  const s = k.hmacSha256(key);
  s.update(file.subarray(0, 1000));
  const jobs: HmacJob[] = Array.from({ length: 6 }, (_, i) => ({ key, parts: segment(rnd, file, 5000 * i) }));
  check(jobs, k.hmacSha256Many(jobs));
  s.update(file.subarray(1000, 3000));
  assert.equal(hex(s.digest()), createHmac('sha256', key).update(file.subarray(0, 3000)).digest('hex'));
});

test('hmacSha256Ranges: (offset, length) lists over one buffer equal node crypto', async () => {
  const k = await loadNodeKernel();
  const rnd = prng(11);
  const file = randomBytes(rnd, 1 << 20);
  const nodeOf = (key: Uint8Array, rg: number[]): string => {
    const h = createHmac('sha256', key);
    for (let i = 0; i < rg.length; i += 2) h.update(file.subarray(rg[i]!, rg[i]! + rg[i + 1]!));
    return h.digest('hex');
  };
  for (const count of [0, 1, 3, 4, 5, 11, 30]) {
    const jobs: { key: Uint8Array; ranges: number[] }[] = [];
    for (let i = 0; i < count; i++) {
      const rg: number[] = [];
      const kind = rnd();
      // a tag segment (contiguous objects, pieces skipped), a span wider than a lane window
      // (256 KiB: per-range fallback), more pairs than the list area holds, or an empty message
      const span = kind < 0.7 ? 2000 + Math.floor(rnd() * 30000) : kind < 0.8 ? 400000 : kind < 0.9 ? 200000 : 0;
      let pos = Math.floor(rnd() * (file.length - span - 1));
      const end = pos + span;
      const many = kind >= 0.8 && kind < 0.9;
      while (pos < end) {
        const x = rnd();
        const len = Math.min(end - pos, many ? Math.floor(rnd() * 20) : x < 0.3 ? 16 : x < 0.5 ? 8 : x < 0.97 ? 100 + Math.floor(rnd() * 200) : Math.floor(rnd() * 70000));
        rg.push(pos, rnd() < 0.03 ? 0 : len);
        pos += len + (many ? 0 : Math.floor(rnd() * 40));
      }
      if (rnd() < 0.1 && rg.length) rg.push(rg[0]!, rg[1]!);       // a range twice
      jobs.push({ key: randomBytes(rnd, rnd() < 0.9 ? 32 : 100), ranges: rg });
    }
    const got = k.hmacSha256Ranges(file, jobs);
    assert.equal(got.length, jobs.length);
    jobs.forEach((j, i) => assert.equal(hex(got[i]!), nodeOf(j.key, j.ranges), `job ${i} of ${count}`));
    // the same messages through the parts API
    const viaParts = k.hmacSha256Many(jobs.map((j) => ({ key: j.key, parts: j.ranges.flatMap((o, i) => (i % 2 ? [] : [file.subarray(o, o + j.ranges[i + 1]!)])) })));
    assert.deepEqual(viaParts.map(hex), got.map(hex));
  }
  assert.throws(() => k.hmacSha256Ranges(file, [{ key: file.subarray(0, 32), ranges: [file.length - 4, 8] }]), RangeError);
  assert.throws(() => k.hmacSha256Ranges(file, [{ key: file.subarray(0, 32), ranges: [0] }]), RangeError);
});
