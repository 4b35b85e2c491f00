/** The bench's statistics (bench/stats.ts): the median its ratios and A/B tool print. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../bench/stats.js';

test('median: the middle value, or the mean of the two middle ones, whatever the order', () => {
  assert.equal(median([5]), 5);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 9.5, 11, 12, 8.2, 14]), 10.5);
});
