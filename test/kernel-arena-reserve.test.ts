// An arena made ahead (Kernel.readyArena, assembly/scan.ts arenaReserve): its window and scan tables
// lie in memory written before the file came, so reading the file into it faults in no new pages.
// Only where things lie may change: every report must be the report of a fresh arena, and the
// reserve serves one arena only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNodeKernel } from '../cli/kernel-node.js';
import { verifyJournal } from '../src/verify/index.js';
import { RESERVE_TABLE_BYTES, WINDOW_BYTES, bytesSource, scanTables } from '../src/verify/window.js';
import type { KernelImpl, JournalArena } from '../src/kernel/kernel.js';
import { FIXTURES, corpus, corpusNames, testdata, testdataNames } from './journal-fixtures.js';
import { mutate } from './fuzz/mutate.js';

const kernelP = loadNodeKernel();
const KEY_A = readFileSync(`${FIXTURES}/corpus/keys/A.key`, 'utf8').trim();
const faults = () => process.resourceUsage().minorPageFault;

/** Where the scan tables lie in the arena's memory (its OUT slots, the last but one table). */
const tablesAt = (arena: JournalArena) => (arena.kernel as KernelImpl).raw.scanOutPtr();

test('an arena made ahead: the reserve is taken once, its window and tables in it, written before (no faults on filling them)', async () => {
  const kernel = await kernelP;
  const bytes = corpus('sealed.journal');
  assert.equal(await kernel.readyArena(RESERVE_TABLE_BYTES, WINDOW_BYTES), true);
  assert.equal(await kernel.readyArena(RESERVE_TABLE_BYTES, WINDOW_BYTES), true, 'made once');
  const reserved = (await kernel.openArena(bytes.length))!;
  const fresh = (await kernel.openArena(bytes.length))!;
  assert.ok(reserved.prepareScan(scanTables(bytes, bytes.length)) && fresh.prepareScan(scanTables(bytes, bytes.length)));
  const [rw, fw] = [reserved.window.byteOffset, fresh.window.byteOffset];
  assert.ok(tablesAt(reserved) < rw && rw - tablesAt(reserved) < RESERVE_TABLE_BYTES, 'in the reserve: the tables before the window, in its table room');
  assert.ok(tablesAt(fresh) > fw + bytes.length, 'without: the tables after the room for the whole file');
  assert.ok(rw >= RESERVE_TABLE_BYTES && fw < rw, 'the second arena is a fresh instance, its window at the top of its memory');
  // the window's first 8 MiB: written over in the reserve, faulted in fresh in another arena made ahead
  const big = 16 << 20;
  assert.equal(await kernel.readyArena(RESERVE_TABLE_BYTES, WINDOW_BYTES), true);
  const warm = (await kernel.openArena(big))!;
  const cold = (await kernel.openArena(big))!;
  const fill = (a: JournalArena) => {
    const before = faults();
    a.window.fill(1, 0, 8 << 20);
    return faults() - before;
  };
  const [w, c] = [fill(warm), fill(cold)];
  assert.ok(w < c / 4, `filling 8 MiB of the window faulted ${w} times in the reserve, ${c} in a fresh arena`);
  // a file that comes while the reserve is being made waits for it, and takes it
  const making = kernel.readyArena(RESERVE_TABLE_BYTES, WINDOW_BYTES);
  const taken = (await kernel.openArena(bytes.length))!;
  assert.equal(await making, true);
  assert.ok(taken.prepareScan(scanTables(bytes, bytes.length)) && tablesAt(taken) < taken.window.byteOffset, 'the reserve being made is taken');
  assert.ok((await kernel.openArena(bytes.length))!.window.byteOffset < RESERVE_TABLE_BYTES, 'and only once');
});

test('an arena made ahead gives every report a fresh one gives: corpus, testdata, mutants; windows of every size; tables too big for its room', async () => {
  const kernel = await kernelP;
  const files: Array<[string, Uint8Array]> = corpusNames().map((n) => [n, corpus(n)]);
  for (const n of testdataNames()) files.push([n, await testdata(n)]);
  for (const [name, bytes] of files.slice(0, 6)) {
    for (let i = 0; i < 10; i++) files.push([`${name} mutant ${i}`, mutate(bytes, `reserve-${name}-${i}`).bytes]);
  }
  let inReserve = 0;
  let after = 0;
  const spied = Object.create(kernel) as typeof kernel;
  let last: JournalArena | null = null;
  spied.openArena = async (size, tables) => (last = await kernel.openArena(size, tables));
  for (const [name, bytes] of files) {
    for (const key of [KEY_A, undefined]) {
      const expected = await verifyJournal({ name, bytes }, kernel, { key });
      // room for the tables (a fixture's are well under 4 MiB), or not (1 KiB: they go after the
      // window); a window room as large as the window, or smaller than it; a window that moves on
      // many times
      for (const [tableBytes, windowBytes, window] of [[4 << 20, WINDOW_BYTES, undefined], [1024, 4096, undefined], [4 << 20, 4096, 4096]] as const) {
        assert.equal(await kernel.readyArena(tableBytes, windowBytes), true);
        last = null;
        const r = await verifyJournal({ name, source: bytesSource(bytes) }, spied, { key, windowBytes: window });
        assert.deepEqual(r, expected, `${name} ${key ? 'key A' : 'no key'} reserve ${tableBytes}/${windowBytes}, window ${window ?? 'default'}`);
        const arena = last as JournalArena | null;
        if (arena?.sized) (tablesAt(arena) < arena.window.byteOffset ? inReserve++ : after++);
      }
    }
  }
  console.log(`# ${files.length} files: tables in the reserve ${inReserve} times, after the window ${after} times`);
  assert.ok(inReserve > 100 && after > 50, `tables in the reserve ${inReserve} times, after the window ${after} times`);
});
