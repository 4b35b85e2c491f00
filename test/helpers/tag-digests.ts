// For the tests of early tag HMACs (tag-macs.ts, mac-helper.ts): a sealed fixture scanned in an
// arena, and the check that a TagMacs computed every tag's digest as the tag itself stores it.
import assert from 'node:assert/strict';
import { TagObject } from '../../src/journal/format.js';
import type { JournalFile } from '../../src/journal/file.js';
import { SCAN_REGULAR, TAG_REC_SLOTS, TagRec, type JournalArena, type Kernel } from '../../src/kernel/kernel.js';
import { scanTables } from '../../src/verify/window.js';
import { openJournal } from '../../src/verify/index.js';
import type { TagMacs } from '../../src/verify/tag-macs.js';

/** The file in a fresh arena's window (all of it), pass 1 and 2 run (it must scan as regular), with its tag count. */
export async function scannedArena(kernel: Kernel, name: string, bytes: Uint8Array): Promise<{ arena: JournalArena; f: JournalFile; nTags: number }> {
  const arena = await kernel.openArena(bytes.length, scanTables(bytes, bytes.length));
  assert.ok(arena);
  arena.window.set(bytes);
  const f = openJournal(name, bytes, 254);
  assert.ok(typeof f !== 'string');
  arena.scanInit(f.header.headerSize, f.header.tailObjectOffset, f.compact, f.keyedHash, f.sealed);
  let status;
  while ((status = arena.scanRun(1 << 20)) !== SCAN_REGULAR) assert.notEqual(status, 2, `${name}: scan irregular`);
  const nTags = arena.scanCounts().tags;
  assert.ok(nTags >= 2, `${name}: ${nTags} tags`);
  return { arena, f, nTags };
}

/** Every tag's digest is there and equals the tag's stored HMAC; the first covers the header. */
export function assertTagDigests(arena: JournalArena, bytes: Uint8Array, nTags: number, macs: TagMacs, what: string): void {
  const recs = arena.scanTags(nTags);
  for (let t = 0; t < nTags; t++) {
    const p = Number(recs[t * TAG_REC_SLOTS + TagRec.offset]!);
    const d = macs.digests.get(p);
    assert.ok(d, `${what}: tag ${t} hashed`);
    assert.deepEqual(Uint8Array.from(d.digest), bytes.slice(p + TagObject.tag, p + TagObject.tag + TagObject.TAG_LENGTH), `${what}: tag ${t} at ${p}`);
    assert.equal(d.withHeader, t === 0);
  }
}
