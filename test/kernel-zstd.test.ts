// The kernel's zstd decoder (assembly/zstd.ts) against libzstd (zstddec, the decoder the exact path
// and systemd use). Its promise: whenever it confirms a frame, libzstd accepts the frame and decodes
// it to the same bytes; and it confirms the frames journald writes (else every payload would go to
// libzstd again, slowly but correctly). Frames: test/fixtures/zstd/ (make-frames.py says how they
// were made), and those frames mutated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { decompressPayload, prepareZstd } from '../src/journal/compress.js';
import { JOURNAL_FRAMES_HEX, WARM_FRAME_HEX } from '../src/kernel/zstd-warm.js';
import { ObjectFlag } from '../src/journal/format.js';
import { FIXTURES } from './journal-fixtures.js';
import { prng, randomBytes } from './helpers/random.js';
import { zstdFramesFile } from './helpers/zstd-frames.js';

const frames = (name: string): Uint8Array[] => zstdFramesFile(join(FIXTURES, 'zstd', name));
const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));

const journald = [...frames('journald-frames.bin'), ...JOURNAL_FRAMES_HEX.map(hex)];
const tool = [...frames('tool-frames.bin'), hex(WARM_FRAME_HEX)];

/** libzstd's answer: the decoded bytes, or null when it fails the frame. */
function libzstd(frame: Uint8Array): Uint8Array | null {
  try {
    const r = decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame, { maxSize: 0x7fffffff });
    assert.ok(r instanceof Uint8Array, 'libzstd is loaded (synchronous)');
    return r;
  } catch {
    return null;
  }
}

/** The promise, for one frame: confirmed → libzstd agrees. Returns whether it was confirmed. */
function checkFrame(k: Awaited<ReturnType<typeof loadNodeKernel>>, frame: Uint8Array, what: string): boolean {
  const got = k.zstdDecode(frame);
  if (got === null) return false;
  const want = libzstd(frame);
  assert.ok(want !== null, `${what}: the kernel confirmed a frame libzstd fails`);
  assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${what}: the kernel decoded ${got.length} bytes that differ from libzstd's ${want.length}`);
  return true;
}

test('kernel zstd: every journald frame confirmed, and decoded as libzstd decodes it', async () => {
  await prepareZstd();
  const k = await loadNodeKernel();
  assert.ok(journald.length >= 120);
  journald.forEach((f, i) => assert.ok(checkFrame(k, f, `journald frame ${i}`), `journald frame ${i} (${f.length} bytes) not confirmed`));
});

test('kernel zstd: the zstd tool\'s frames: confirmed ones agree with libzstd; single-segment ones without checksum are confirmed', async () => {
  await prepareZstd();
  const k = await loadNodeKernel();
  let confirmed = 0;
  tool.forEach((f, i) => {
    const c = checkFrame(k, f, `tool frame ${i}`);
    const fhd = f[4]!;
    const single = (fhd & 0x20) !== 0, checksum = (fhd & 0x04) !== 0, fcs8 = fhd >> 6 === 3;
    if (single && !checksum && !fcs8) assert.ok(c, `tool frame ${i} (fhd 0x${fhd.toString(16)}, ${f.length} bytes) not confirmed`);
    // a checksum, or no content size: libzstd's to decide
    if (checksum || !single) assert.equal(c, false, `tool frame ${i}: confirmed without being the kind journald writes`);
    if (c) confirmed++;
  });
  // raw, RLE and several blocks among them (inputs of random bytes, one byte, > 128 KiB)
  assert.ok(confirmed >= 60, `only ${confirmed} confirmed`);
});

test('kernel zstd: mutated frames — whatever the kernel confirms, libzstd accepts and decodes the same', async () => {
  await prepareZstd();
  const k = await loadNodeKernel();
  const rnd = prng(0x2d5);
  const pool = [...journald, ...tool.filter((f) => f.length < 16384)];
  let confirmed = 0;
  let rejected = 0;
  for (let it = 0; it < 40000; it++) {
    const f = pool[Math.floor(rnd() * pool.length)]!;
    let m: Uint8Array;
    const kind = rnd();
    if (kind < 0.55) {
      m = f.slice();
      for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) m[Math.floor(rnd() * m.length)]! ^= 1 << Math.floor(rnd() * 8);
    } else if (kind < 0.8) {
      m = f.slice();
      m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    } else if (kind < 0.9) {
      m = f.slice(0, Math.floor(rnd() * f.length));
    } else {
      const at = 6 + Math.floor(rnd() * (f.length - 6));
      const ins = randomBytes(rnd, 1 + Math.floor(rnd() * 3));
      m = new Uint8Array(f.length + ins.length);
      m.set(f.subarray(0, at));
      m.set(ins, at);
      m.set(f.subarray(at), at + ins.length);
    }
    if (checkFrame(k, m, `mutation ${it}`)) confirmed++;
    else rejected++;
  }
  // both outcomes occur (flips in literal bytes leave a valid frame; most others do not)
  assert.ok(confirmed > 2000 && rejected > 20000, `confirmed ${confirmed}, rejected ${rejected}`);
});

test('kernel zstd: frames beyond what it covers are left to libzstd', async () => {
  const k = await loadNodeKernel();
  const f = journald[0]!;
  assert.ok(k.zstdDecode(f) !== null);
  // trailing bytes after the frame (systemd ignores them; decided by the exact path)
  assert.equal(k.zstdDecode(Uint8Array.from([...f, 0])), null);
  // a skippable frame, a wrong magic, nothing
  assert.equal(k.zstdDecode(Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0])), null);
  assert.equal(k.zstdDecode(Uint8Array.from([0x29, ...f.subarray(1)])), null);
  assert.equal(k.zstdDecode(new Uint8Array(0)), null);
  // the content size one less or one more than the frame holds
  const lessFcs = f.slice();
  const fhd = lessFcs[4]!;
  assert.equal(fhd >> 6, 1, 'a 2-byte content size');
  const at = 5;
  const size = lessFcs[at]! | (lessFcs[at + 1]! << 8);
  lessFcs[at] = (size - 1) & 0xff;
  lessFcs[at + 1] = (size - 1) >> 8;
  assert.equal(k.zstdDecode(lessFcs), null);
  assert.equal(libzstd(lessFcs), null);
});

test('kernel zstd: zstdConfirm checks a batch of payloads against their objects\' hashes', async () => {
  await prepareZstd();
  const k = await loadNodeKernel();
  const fileId = randomBytes(prng(7), 16);
  const payloads = journald.slice(0, 40);
  const ends = new Uint32Array(payloads.length);
  let total = 0;
  payloads.forEach((p, i) => (ends[i] = total += p.length));
  const bytes = new Uint8Array(total);
  payloads.forEach((p, i) => bytes.set(p, i === 0 ? 0 : ends[i - 1]!));
  const flags = new Uint8Array(payloads.length).fill(ObjectFlag.COMPRESSED_ZSTD);
  for (const keyed of [true, false]) {
    const hashes = BigUint64Array.from(payloads, (p) => {
      const d = libzstd(p)!;
      return keyed ? k.siphash24(fileId, d) : k.jenkinsHash64(d);
    });
    const batch = { bytes, ends, flags, hashes };
    assert.equal(k.zstdConfirm(batch, keyed, fileId), payloads.length);
    assert.equal(k.zstdConfirm(batch, keyed, fileId, 25), payloads.length);
    // the other hash function, another file ID: nothing confirmed
    assert.equal(k.zstdConfirm(batch, !keyed, fileId), 0);
    if (keyed) assert.equal(k.zstdConfirm(batch, keyed, randomBytes(prng(8), 16)), 0);
    // one wrong hash, one object flagged LZ4: the first such index
    const wrong = { ...batch, hashes: hashes.slice() };
    wrong.hashes[17] = wrong.hashes[17]! ^ 1n;
    assert.equal(k.zstdConfirm(wrong, keyed, fileId), 17);
    assert.equal(k.zstdConfirm(wrong, keyed, fileId, 18), payloads.length);
    const lz4 = { ...batch, flags: flags.slice() };
    lz4.flags[3] = ObjectFlag.COMPRESSED_LZ4;
    assert.equal(k.zstdConfirm(lz4, keyed, fileId), 3);
  }
});

test('kernel zstd: a helper\'s batch packed from the window (packListed) holds the listed objects\' payloads, ends, flags and hashes, as many as fit', async () => {
  const { scannedArena } = await import('./helpers/tag-digests.js');
  const { corpus } = await import('./journal-fixtures.js');
  const k = await loadNodeKernel();
  for (const name of ['sealed-many-epochs.journal', 'sealed-noncompact.journal']) {
    const bytes = corpus(name);
    const { arena, f } = await scannedArena(k, name, bytes);
    const count = arena.scanCounts().compressed;
    assert.ok(count >= 10, `${name}: ${count} compressed`);
    const offs = arena.scanCompressed(count);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const payload = (i: number) => {
      const o = offs[i]!;
      return bytes.subarray(o + f.dataPayloadOffset, o + Number(v.getBigUint64(o + 8, true)));
    };
    // all of them, from the third on
    const all = arena.packListed(2, count, f.dataPayloadOffset, new Uint8Array(256 << 10));
    assert.equal(all.ends.length, count - 2);
    for (let i = 2; i < count; i++) {
      const from = i === 2 ? 0 : all.ends[i - 3]!;
      assert.deepEqual(all.bytes.subarray(from, all.ends[i - 2]!), payload(i), `${name} payload ${i}`);
      assert.equal(all.flags[i - 2], bytes[offs[i]! + 1]);
      assert.equal(all.hashes[i - 2], v.getBigUint64(offs[i]! + 16, true));
    }
    // the kernel confirms them as the objects' hashes say
    assert.equal(k.zstdConfirm(all, f.keyedHash, bytes.slice(24, 40)), count - 2);
    // as many as fit: two; none when the first does not
    const two = payload(0).length + payload(1).length;
    assert.equal(arena.packListed(0, count, f.dataPayloadOffset, new Uint8Array(two + payload(2).length - 1)).ends.length, 2);
    assert.equal(arena.packListed(0, count, f.dataPayloadOffset, new Uint8Array(payload(0).length - 1)).ends.length, 0);
    assert.equal(arena.packListed(5, 5, f.dataPayloadOffset, new Uint8Array(1 << 10)).ends.length, 0);
    assert.throws(() => arena.packListed(0, count + 1, f.dataPayloadOffset, new Uint8Array(1 << 10)), /beyond the list/);
  }
});
