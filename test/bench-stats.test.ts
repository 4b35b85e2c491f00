/** The bench's statistics (bench/stats.ts): the median its ratios and A/B tool print, the A/B tool's sign test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, signTestP } from '../bench/stats.js';

test('median: the middle value, or the mean of the two middle ones, whatever the order', () => {
  assert.equal(median([5]), 5);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 9.5, 11, 12, 8.2, 14]), 10.5);
});

test('sign test: the two-sided binomial tail of the uneven split (exact values)', () => {
  assert.equal(signTestP(0, 0), 1);
  assert.equal(signTestP(3, 3), 1);
  assert.equal(signTestP(0, 5), 2 / 32);
  assert.equal(signTestP(5, 0), 2 / 32);
  // 14 of 20 one way: 2·(C(20,0)+…+C(20,6))/2^20 = 2·60460/1048576
  assert.equal(signTestP(14, 6), (2 * 60460) / 1048576);
  assert.ok(Math.abs(signTestP(6, 14) - 0.1153) < 1e-4);
  assert.equal(signTestP(10, 10), 1);
});
