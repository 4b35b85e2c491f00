// Buffers kept between verifications (src/verify/buffer-store.ts): the page's feed buffers and the
// verify worker's helper batches, their pages faulted in once, not once per big file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferStore } from '../src/verify/buffer-store.js';
import { BatchBuffers } from '../src/verify/mac-helper.js';

const faults = () => process.resourceUsage().minorPageFault;

test('a store keeps at most `count` buffers of its size, each once; a detached one is not kept', () => {
  const store = new BufferStore(4096, 2);
  const a = new ArrayBuffer(4096), b = new ArrayBuffer(4096), c = new ArrayBuffer(4096);
  store.put(new ArrayBuffer(1024)); // another size
  store.put(a);
  store.put(a); // twice
  assert.equal(store.length, 1);
  const moved = new ArrayBuffer(4096);
  structuredClone(moved, { transfer: [moved] }); // transferred away: 0 bytes here
  store.put(moved);
  store.put(b);
  store.put(c); // full
  assert.equal(store.length, 2);
  assert.equal(store.take(), b);
  assert.equal(store.take(), a);
  assert.equal(store.take(), undefined);
});

test('fill makes what the store lacks, every page already written', () => {
  const size = 8 << 20;
  const store = new BufferStore(size, 3);
  const had = new ArrayBuffer(size);
  store.put(had);
  store.fill();
  assert.equal(store.length, 3, 'one kept, two made');
  store.fill();
  assert.equal(store.length, 3);
  const filled = store.take()!;
  let before = faults();
  new Uint8Array(filled).fill(1);
  const warm = faults() - before;
  before = faults();
  new Uint8Array(new ArrayBuffer(size)).fill(1);
  const fresh = faults() - before;
  // 2,048 pages of 4 KiB: a fresh buffer faults on each (fewer with huge pages), a filled one on none
  assert.ok(warm < fresh / 4, `a buffer from fill() faulted ${warm} times written over, a fresh one ${fresh}`);
});

test('batch buffers with a store: taken from it first, the free ones back at the end; a store of another size is not used', () => {
  const store = new BufferStore(1024, 4);
  const kept = new ArrayBuffer(1024);
  store.put(kept);
  const pool = new BatchBuffers(1024, 2, store);
  const a = pool.take()!;
  assert.equal(a.buffer, kept, 'the kept buffer first');
  const b = pool.take()!;
  assert.notEqual(b.buffer, kept);
  assert.equal(pool.take(), null, 'still at most `count` out');
  pool.give(a.buffer as ArrayBuffer);
  pool.give(b.buffer as ArrayBuffer);
  pool.retire();
  assert.equal(store.length, 2, 'both back in the store');
  const next = new BatchBuffers(1024, 2, store);
  const taken = [next.take()!.buffer, next.take()!.buffer];
  assert.ok(taken.includes(a.buffer) && taken.includes(b.buffer), 'the next verification takes them');
  assert.equal(store.length, 0);
  const other = new BatchBuffers(2048, 1, new BufferStore(1024, 1));
  assert.equal(other.take()!.byteLength, 2048, 'a store of another size gives nothing');
  // retire leaves the pool consistent: what it held can be made again
  next.give(taken[0] as ArrayBuffer);
  next.retire();
  assert.equal(next.available, true);
});
