/** JournalFile (open-time checks, object acceptance), decoders, and JournalReader on good and bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as lz4 from 'lz4js';
import { prng } from './helpers/random.js';
import { JournalError } from '../src/errors.js';
import { JournalFile, id128Hex } from '../src/journal/file.js';
import { DecompressError, decompressPayload, prepareZstd, xzFirstStreamLength } from '../src/journal/compress.js';
import { JournalReader } from '../src/journal/reader.js';
import { EntryArrayObject, Header, IncompatibleFlag, ObjectFlag, ObjectType } from '../src/journal/format.js';
import { corpus, corpusNames, testdata } from './journal-fixtures.js';

/** Entry counts journalctl 252 prints for the corpus (journalctl --file=F -o export | grep -c ^__CURSOR). */
const ENTRIES: Record<string, number> = {
  'sealed-1min.journal': 60, 'sealed-empty.journal': 0, 'sealed-lz4.journal': 60, 'sealed-many-epochs.journal': 200,
  'sealed-nocompress.journal': 60, 'sealed-nokeyed.journal': 60, 'sealed-noncompact.journal': 60,
  'sealed-single-entry.journal': 1, 'sealed-tail.journal': 48, 'sealed-xz.journal': 60, 'sealed.journal': 60,
  't-entry-realtime.journal': 60, 't-header-seqnum-id.journal': 60, 't-msg-sealed.journal': 60, 't-tag-bytes.journal': 60,
  't-tail-msg.journal': 48, 't-unsealed-msg.journal': 40, 'unsealed.journal': 40,
};

function openErr(bytes: Uint8Array, opts?: { version?: 252 | 254 }): JournalError {
  try {
    JournalFile.open(bytes, 'x.journal', opts);
  } catch (e) {
    assert.ok(e instanceof JournalError, `expected JournalError, got ${e}`);
    return e;
  }
  assert.fail('file was accepted');
}

function mutate(src: Uint8Array, fn: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = src.slice();
  fn(new DataView(b.buffer), b);
  return b;
}

async function readAll(r: JournalReader) {
  const out = [];
  for (const e of r.entries()) out.push({ e, fields: await r.fields(e) });
  return out;
}

test('every corpus file opens and yields journalctl\'s number of entries, with fields', async () => {
  for (const name of corpusNames()) {
    if (name === 't-truncate-mid.journal') continue;
    const f = JournalFile.open(corpus(name), name);
    const r = new JournalReader(f);
    const all = await readAll(r);
    assert.equal(all.length, ENTRIES[name], name);
    assert.deepEqual(r.problems, [], name);
    for (const { e, fields } of all) {
      assert.ok(fields.length > 0, `${name}: entry ${e.index} has fields`);
      assert.ok(fields.some((x) => x.name === 'MESSAGE'), `${name}: MESSAGE present`);
      assert.equal(e.bootId.length, 16);
    }
    if (all.length) {
      assert.equal(all[0]!.e.seqnum, f.header.headEntrySeqnum, name);
      assert.equal(all.at(-1)!.e.seqnum, f.header.tailEntrySeqnum, name);
    }
  }
});

test('header: every field, flags, JOURNAL_HEADER_CONTAINS', () => {
  const f = JournalFile.open(corpus('sealed.journal'), 'sealed.journal');
  const h = f.header;
  assert.equal(h.headerSize, 264); // written by journal-remote 252
  assert.ok(f.sealed);
  assert.equal(f.has('tailEntryArrayNEntries'), true);
  assert.equal(f.has('tailEntryOffset'), false);
  assert.equal(h.tailEntryOffset, undefined);
  assert.equal(typeof h.nEntries, 'bigint');
  assert.equal(h.nEntries, 60n);
  assert.equal(id128Hex(h.seqnumId).length, 32);
  assert.equal(f.compact, (h.incompatibleFlags & IncompatibleFlag.COMPACT) !== 0);
  const xz = JournalFile.open(corpus('sealed-xz.journal'), 'sealed-xz.journal');
  assert.equal(xz.header.headerSize, 272); // written by systemd 254
  assert.equal(xz.has('tailEntryOffset'), true);
  assert.ok((xz.header.incompatibleFlags & IncompatibleFlag.COMPRESSED_XZ) !== 0);
  assert.ok(xz.header.tailEntryOffset! > 0);
});

test('the zstd warm-up frame decodes to its 5462 bytes of log lines, the same by libzstd, by fzstd and by the kernel; once libzstd is loaded, ZSTD decodes synchronously', async () => {
  const { WARM_FRAME_HEX, warmZstd } = await import('../src/kernel/zstd-warm.js');
  const { loadNodeKernel } = await import('../cli/kernel-node.js');
  const kernel = await loadNodeKernel();
  const frame = new Uint8Array(Buffer.from(WARM_FRAME_HEX, 'hex'));
  const { decompress } = await import('fzstd');
  const reference = decompress(frame);
  assert.equal(reference.length, 5462);
  assert.match(new TextDecoder().decode(reference), /^Dec 05 14:00:00 host \w+\[\d+\]: request \d+ from /);
  warmZstd(kernel, 4);
  assert.deepEqual(kernel.zstdDecode(frame), reference);
  await prepareZstd();
  const out = decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame);
  assert.ok(out instanceof Uint8Array, 'the wasm decoder is loaded');
  assert.deepEqual(out, reference);
});

test('the zstd warm-up\'s journal frames (as systemd compressed DATA payloads) decode alike by libzstd and fzstd, to MESSAGE= fields', async () => {
  const { JOURNAL_FRAMES_HEX } = await import('../src/kernel/zstd-warm.js');
  const { decompress } = await import('fzstd');
  await prepareZstd();
  assert.equal(JOURNAL_FRAMES_HEX.length, 2);
  for (const hex of JOURNAL_FRAMES_HEX) {
    const frame = new Uint8Array(Buffer.from(hex, 'hex'));
    const reference = decompress(frame);
    assert.ok(reference.length > 2 * frame.length, `${frame.length} → ${reference.length} bytes`);
    assert.match(new TextDecoder().decode(reference), /^MESSAGE=Traceback \(most recent call last\):\n/);
    const out = decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame);
    assert.ok(out instanceof Uint8Array);
    assert.deepEqual(out, reference);
  }
});

test('payloads: XZ, LZ4 and ZSTD objects from real files decode', async () => {
  for (const [name, flag] of [['sealed-xz.journal', ObjectFlag.COMPRESSED_XZ], ['sealed-lz4.journal', ObjectFlag.COMPRESSED_LZ4], ['sealed.journal', ObjectFlag.COMPRESSED_ZSTD]] as const) {
    const f = JournalFile.open(corpus(name), name);
    const r = new JournalReader(f);
    let seen = 0;
    for (const e of r.entries()) {
      for (let i = 0; i < f.entryItemCount(e.object); i++) {
        const d = f.object(f.entryItem(e.object, i), ObjectType.DATA);
        if ((d.flags & flag) === 0) continue;
        const p = r.dataPayload(d.offset);
        const bytes = p instanceof Uint8Array ? p : await p;
        assert.ok(bytes.length > f.dataPayloadRaw(d).length, `${name}: decompressed is larger`);
        assert.ok(bytes.indexOf(0x3d) > 0);
        seen++;
      }
    }
    assert.ok(seen > 0, `${name} has compressed objects`);
  }
});

test('decoders: systemd error behaviour, bounded sizes', async () => {
  const err = (fn: () => unknown): DecompressError => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof DecompressError);
      return e;
    }
    assert.fail('no error');
  };
  // LZ4: systemd layout = le64 size + raw block. Round trip through lz4js' own encoder.
  const text = new TextEncoder().encode('MESSAGE=' + 'abcdefgh'.repeat(200));
  const block = new Uint8Array(lz4.compressBound(text.length));
  const n = lz4.compressBlock(text, block, 0, text.length, new Uint32Array(1 << 16));
  const stored = new Uint8Array(8 + n);
  new DataView(stored.buffer).setUint32(0, text.length, true);
  stored.set(block.subarray(0, n), 8);
  assert.deepEqual(decompressPayload(ObjectFlag.COMPRESSED_LZ4, stored), text);
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_LZ4, stored.subarray(0, 8))).errno, 'EBADMSG');
  const huge = stored.slice();
  new DataView(huge.buffer).setUint32(4, 1, true); // size ≥ 2^32 does not fit an int
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_LZ4, huge)).errno, 'EFBIG');
  const big = stored.slice();
  new DataView(big.buffer).setUint32(0, 0x7fffffff, true); // 2 GiB claimed from a few bytes: refused, nothing allocated
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_LZ4, big)).errno, 'EBADMSG');
  const wrong = stored.slice();
  new DataView(wrong.buffer).setUint32(0, text.length + 1, true);
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_LZ4, wrong)).errno, 'EBADMSG');
  const badOffset = stored.slice();
  badOffset[8] = 0x0f; // token: 0 literals then a match with no output behind it
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_LZ4, badOffset)).algorithm, 'LZ4');
  // Our block decoder against lz4js' encoder: 300 inputs (runs that overlap their own match, text,
  // noise, mixes), each round-tripped, then damaged: a damaged block decodes to its declared size or
  // fails with a DecompressError, nothing else.
  const rnd = prng(0x1a4);
  for (let i = 0; i < 300; i++) {
    const len = 1 + Math.floor(rnd() * 5000);
    const input = new Uint8Array(len);
    const kind = i % 4;
    for (let j = 0; j < len; j++) {
      input[j] = kind === 0 ? (j % (1 + (i % 7))) : kind === 1 ? 'MESSAGE=request served in 12 ms\n'.charCodeAt(j % 31) : kind === 2 ? Math.floor(rnd() * 256) : rnd() < 0.7 ? input[Math.max(0, j - 1 - Math.floor(rnd() * 8))]! : Math.floor(rnd() * 256);
    }
    const blk = new Uint8Array(lz4.compressBound(len));
    const m = lz4.compressBlock(input, blk, 0, len, new Uint32Array(1 << 16));
    if (m === 0) continue; // incompressible: lz4js writes nothing
    const st = new Uint8Array(8 + m);
    new DataView(st.buffer).setUint32(0, len, true);
    st.set(blk.subarray(0, m), 8);
    assert.deepEqual(decompressPayload(ObjectFlag.COMPRESSED_LZ4, st), input, `LZ4 round trip ${i}`);
    for (let k = 0; k < 4; k++) {
      const bad = st.slice(0, 8 + Math.floor(rnd() * (m + 1)));
      for (let f = 0; f < 3; f++) if (bad.length > 8) bad[8 + Math.floor(rnd() * (bad.length - 8))] = Math.floor(rnd() * 256);
      try {
        const out = decompressPayload(ObjectFlag.COMPRESSED_LZ4, bad) as Uint8Array;
        assert.equal(out.length, len, `damaged LZ4 ${i}.${k}`);
      } catch (e) {
        assert.ok(e instanceof DecompressError, `damaged LZ4 ${i}.${k}: ${e}`);
      }
    }
  }
  // ZSTD: no frame / no content size → EBADMSG.
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_ZSTD, new Uint8Array([1, 2, 3, 4, 5, 6]))).errno, 'EBADMSG');
  assert.equal(err(() => decompressPayload(ObjectFlag.COMPRESSED_ZSTD, new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]))).errno, 'EBADMSG');
  // Several flags at once.
  assert.equal(err(() => decompressPayload(3, stored)).errno, 'EPROTONOSUPPORT');
  // None: the input itself, no copy.
  assert.equal(decompressPayload(0, stored), stored);
  // XZ: garbage → ENOMEM (liblzma errors all map there); data after the first stream is ignored.
  await assert.rejects(Promise.resolve(decompressPayload(ObjectFlag.COMPRESSED_XZ, new Uint8Array(64).fill(7))), (e: unknown) => e instanceof DecompressError && e.errno === 'ENOMEM');
  const f = JournalFile.open(corpus('sealed-xz.journal'), 'sealed-xz.journal');
  const r = new JournalReader(f);
  for (const e of r.entries()) {
    for (const off of f.entryItems(e.object)) {
      const d = f.object(off, ObjectType.DATA);
      if (!(d.flags & ObjectFlag.COMPRESSED_XZ)) continue;
      const raw = f.dataPayloadRaw(d);
      assert.equal(xzFirstStreamLength(raw), raw.length);
      const expected = await decompressPayload(d.flags, raw);
      const withTail = new Uint8Array(raw.length + 13).fill(0x41);
      withTail.set(raw);
      assert.deepEqual(await decompressPayload(d.flags, withTail), expected);
      return;
    }
  }
  assert.fail('no XZ object found');
});

test('open-time checks: errno and header offset as systemd', () => {
  const good = corpus('unsealed.journal');
  assert.equal(openErr(good.subarray(0, 100)).errno, 'ENODATA');
  const e1 = openErr(mutate(good, (_, b) => (b[0] = 0x58)));
  assert.deepEqual([e1.errno, e1.offset, e1.file], ['EBADMSG', Header.signature, 'x.journal']);
  const e2 = openErr(mutate(good, (v) => v.setUint32(Header.incompatibleFlags, v.getUint32(Header.incompatibleFlags, true) | 0x20, true)));
  assert.deepEqual([e2.errno, e2.offset], ['EPROTONOSUPPORT', Header.incompatibleFlags]);
  assert.deepEqual([openErr(mutate(good, (_, b) => (b[Header.state] = 3))).errno, openErr(mutate(good, (_, b) => (b[Header.state] = 3))).offset], ['EBADMSG', Header.state]);
  assert.equal(openErr(mutate(good, (v) => v.setBigUint64(Header.headerSize, 200n, true))).errno, 'EBADMSG');
  const sealedSmall = mutate(corpus('sealed.journal'), (v) => v.setBigUint64(Header.headerSize, 232n, true));
  assert.deepEqual([openErr(sealedSmall).errno, openErr(sealedSmall).offset], ['EBADMSG', Header.headerSize]);
  const overflow = mutate(good, (v) => v.setBigUint64(Header.arenaSize, 0xffffffffffffff00n, true));
  assert.deepEqual([openErr(overflow).errno, openErr(overflow).offset], ['ENODATA', Header.arenaSize]);
  const truncated = good.subarray(0, 60000);
  assert.deepEqual([openErr(truncated).errno, openErr(truncated).offset], ['ENODATA', Header.arenaSize]);
  const tail = mutate(good, (v) => v.setBigUint64(Header.tailObjectOffset, BigInt(good.length + 8), true));
  assert.deepEqual([openErr(tail).errno, openErr(tail).offset], ['ENODATA', Header.tailObjectOffset]);
  const mis = mutate(good, (v) => v.setBigUint64(Header.entryArrayOffset, v.getBigUint64(Header.entryArrayOffset, true) + 4n, true));
  assert.deepEqual([openErr(mis).errno, openErr(mis).offset], ['ENODATA', Header.entryArrayOffset]);
  // Not a journal at all.
  assert.equal(openErr(new TextEncoder().encode('hello world\n'.repeat(40))).errno, 'EBADMSG');
  const garbage = new Uint8Array(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  assert.equal(openErr(garbage).errno, 'EBADMSG');
  // Unknown compatible flags do not stop a reader (252 reads 254's files).
  JournalFile.open(mutate(good, (v) => v.setUint32(Header.compatibleFlags, 0x06, true)), 'x');
  // The t-truncate-mid fixture: journalctl says "No data available".
  assert.equal(openErr(corpus('t-truncate-mid.journal')).errno, 'ENODATA');
});

test('object(): acceptance rules and errnos', () => {
  const f = JournalFile.open(corpus('unsealed.journal'), 'u.journal');
  const first = f.header.entryArrayOffset;
  const arr = f.object(first, ObjectType.ENTRY_ARRAY);
  const entryOff = f.entryArrayItem(arr, 0);
  const chk = (off: number, type: number | undefined, errno: string) => {
    const r = f.tryObject(off, type);
    assert.ok(r instanceof JournalError, `offset ${off}`);
    assert.equal(r.errno, errno);
    assert.equal(r.offset, off);
  };
  chk(entryOff + 4, undefined, 'EBADMSG'); // unaligned
  chk(8, undefined, 'EBADMSG'); // inside the header
  chk(f.size, undefined, 'EADDRNOTAVAIL'); // beyond the end
  chk(f.size + 8000, undefined, 'EADDRNOTAVAIL');
  chk(entryOff, ObjectType.DATA, 'EBADMSG'); // wrong type
  assert.equal(f.object(entryOff, ObjectType.ENTRY).type, ObjectType.ENTRY);
  assert.ok(f.entryItems(f.object(entryOff)).length > 0);
  const g = JournalFile.open(mutate(f.bytes, (v) => v.setBigUint64(entryOff + 8, 1n << 62n, true)), 'g');
  assert.equal((g.tryObject(entryOff) as JournalError).errno, 'EADDRNOTAVAIL'); // absurd size
  const h = JournalFile.open(mutate(f.bytes, (v) => v.setBigUint64(entryOff + 8, 0n, true)), 'h');
  assert.equal((h.tryObject(entryOff) as JournalError).errno, 'EBADMSG'); // uninitialized
  const t9 = JournalFile.open(mutate(f.bytes, (_, b) => (b[entryOff] = 9)), 't9', { version: 252 });
  assert.equal(t9.object(entryOff).type, 9); // 252/254 accept unknown types when no type is expected
  chk(entryOff + 1, undefined, 'EBADMSG');
});

test('bad input: entry-array loops, out-of-range offsets, absurd counts never hang and name the offset', async () => {
  const good = corpus('unsealed.journal');
  const f0 = JournalFile.open(good, 'u');
  const first = f0.header.entryArrayOffset;
  const nextOff = first + EntryArrayObject.nextEntryArrayOffset;
  const cases: Array<[string, Uint8Array, (r: JournalReader, n: number) => void]> = [
    ['self loop', mutate(good, (v) => v.setBigUint64(nextOff, BigInt(first), true)), (r) => assert.equal(r.problems[0]!.offset, first)],
    ['backwards loop', mutate(good, (v) => v.setBigUint64(nextOff, BigInt(f0.header.headerSize), true)), (r) => assert.equal(r.problems[0]!.offset, first)],
    ['next beyond file', mutate(good, (v) => v.setBigUint64(nextOff, BigInt(good.length + 4096), true)), (r) => assert.equal(r.problems[0]!.errno, 'EADDRNOTAVAIL')],
    ['next = 2^63', mutate(good, (v) => v.setBigUint64(nextOff, 1n << 63n, true)), (r) => assert.ok(r.problems.length > 0)],
    ['entry array offset beyond arena', mutate(good, (v) => v.setBigUint64(Header.entryArrayOffset, BigInt(good.length - 8), true)), (r, n) => { assert.equal(n, 0); assert.ok(r.problems.length > 0); }],
    ['n_entries = 2^64-1', mutate(good, (v) => v.setBigUint64(Header.nEntries, (1n << 64n) - 1n, true)), (r, n) => { assert.equal(n, 40); assert.ok(r.problems.length > 0); }],
    ['item points outside', mutate(good, (v) => (f0.compact ? v.setUint32(first + 24, 0xfffffff8, true) : v.setBigUint64(first + 24, 1n << 40n, true))), (r, n) => { assert.equal(n, 39); assert.equal(r.problems[0]!.errno, 'EADDRNOTAVAIL'); }],
  ];
  for (const [what, bytes, check] of cases) {
    const r = new JournalReader(JournalFile.open(bytes, 'u.journal'));
    const t0 = Date.now();
    const all = await readAll(r);
    assert.ok(Date.now() - t0 < 5000, what);
    for (const p of r.problems) {
      assert.ok(p instanceof JournalError && p.file === 'u.journal' && Number.isFinite(p.offset) && p.message.length > 0, what);
    }
    check(r, all.length);
  }
});

test('testdata files (xz-compressed fixtures) read like journalctl 252', async () => {
  const expect: Record<string, [number, number]> = {
    // name: [entries, problems]
    'sealed1.journal': [25, 0], 'sealed2.journal': [10, 0], 'plain_nocompact.journal': [30, 0],
    'x_ea_item.journal': [29, 1], 'x_obj_type9.journal': [29, 1], 'x_entry_bootnull.journal': [30, 0],
  };
  for (const [name, [n, p]] of Object.entries(expect)) {
    const r = new JournalReader(JournalFile.open(await testdata(name), name));
    const all = await readAll(r);
    assert.equal(all.length, n, name);
    assert.equal(r.problems.length, p, name);
  }
  // sealed2: a field given twice is stored once; MULTI has two values.
  const r = new JournalReader(JournalFile.open(await testdata('sealed2.journal'), 'sealed2.journal'));
  const all = await readAll(r);
  const multi = all.find((x) => x.fields.filter((y) => y.name === 'MULTI').length > 1);
  assert.ok(multi, 'an entry with a multi-valued field');
});

test('ZSTD frames with each size of content-size field (1, 2, 4, 8 bytes) decode to their declared size', async () => {
  const { prepareZstd } = await import('../src/journal/compress.js');
  /** A zstd frame holding `content` as one raw block, its size declared in an `fcs`-byte field. */
  const frame = (content: Uint8Array, fcs: 1 | 2 | 4 | 8): Uint8Array => {
    const flag = { 1: 0, 2: 1, 4: 2, 8: 3 }[fcs];
    const single = 1; // single segment: no window descriptor (and a 1-byte size field with flag 0)
    const declared = fcs === 2 ? content.length - 256 : content.length;
    const size = new Uint8Array(fcs);
    for (let i = 0, v = declared; i < fcs; i++, v = Math.floor(v / 256)) size[i] = v & 0xff;
    const block = [1 | (0 << 1) | ((content.length << 3) & 0xff), (content.length >> 5) & 0xff, (content.length >> 13) & 0xff];
    return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, (flag << 6) | (single << 5), ...size, ...block, ...content]);
  };
  for (const loaded of [false, true]) {
    if (loaded) await prepareZstd(); // the wasm decoder after the fallback
    for (const [fcs, n] of [[1, 200], [2, 300], [2, 65791], [4, 70000], [8, 1000]] as const) {
      const content = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
      const out = await decompressPayload(ObjectFlag.COMPRESSED_ZSTD, frame(content, fcs));
      assert.deepEqual(out, content, `${fcs}-byte size, ${n} bytes, ${loaded ? 'wasm' : 'fallback'}`);
    }
  }
});
