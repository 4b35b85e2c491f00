/**
 * The bench's reading of the page's memory (bench/chromium.ts): which of Chromium's renderer
 * processes is the page's. The bench asserts nothing about speed or memory; this only checks that
 * it reports the right process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageRenderer, type RendererSizes } from '../bench/chromium.js';

const procs = (rows: [number, number, number][]): RendererSizes => new Map(rows.map(([pid, rss, hwm]) => [pid, { rss, hwm }]));

test("the page's renderer is the one whose peak grew most past its size before the pick", () => {
  // 10: an earlier page kept open, larger than the page but not growing; 11: a spare renderer;
  // 12: the page (it read a 120 MiB file)
  const before = procs([[10, 320, 340], [11, 70, 75], [12, 190, 200]]);
  const after = procs([[10, 321, 340], [11, 72, 75], [12, 250, 310]]);
  assert.deepEqual(pageRenderer(before, after), { idleMiB: 190, peakMiB: 310 });
});

test('a renderer started after the pick, or gone by the verdict, is not taken for the page', () => {
  const before = procs([[10, 150, 160], [12, 190, 200]]);
  // 12 ended (its numbers are not known after); 13 is new: neither has both readings
  const after = procs([[10, 160, 175], [13, 400, 400]]);
  assert.deepEqual(pageRenderer(before, after), { idleMiB: 150, peakMiB: 175 });
});

test('nothing to tell: no renderer read both times, or unreadable numbers', () => {
  assert.equal(pageRenderer(procs([]), procs([[12, 250, 310]])), undefined);
  assert.equal(pageRenderer(procs([[12, NaN, NaN]]), procs([[12, NaN, NaN]])), undefined);
});
